package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"

	"github.com/canteen/canteen/internal/harness"
)

// redisBaseline runs redis-benchmark against the profile's Redis: SET, and a Lua stock decrement on
// one key (the physical limit of a single hot key), 32 connections, no pipelining.
func redisBaseline(ctx context.Context) string {
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		return "redis-benchmark not installed (Debian package redis-tools): raw Redis baseline not measured.\n\n"
	}
	run := func(args ...string) string {
		out, err := exec.CommandContext(ctx, "redis-benchmark", append([]string{"-h", "127.0.0.1", "-p", "6379", "-c", "32", "-n", "100000", "-q"}, args...)...).CombinedOutput()
		if err != nil {
			return "failed: " + err.Error()
		}
		lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(out), "\r", "\n")), "\n")
		return strings.TrimSpace(lines[len(lines)-1])
	}
	set := run("-t", "set")
	lua := run("EVAL", "return redis.call('DECRBY', KEYS[1], 1)", "1", "canteen:bench:stock")
	return fmt.Sprintf("Raw Redis (redis-benchmark, 32 connections, no pipelining):\n- SET: %s\n- Lua decrement of one key: %s\n\n", set, lua)
}

// sidecarSave saves distinct keys through one sidecar's HTTP state API.
func sidecarSave(ctx context.Context, c *http.Client, app *harness.App, o options) Result {
	url := app.DaprURL("/v1.0/state/statestore")
	return Run(ctx, "raw sidecar state save", o.baseRate, o.requests, o.maxInFlight, progress, func(ctx context.Context, i int) Outcome {
		body := fmt.Sprintf(`[{"key":"bench-%d","value":{"n":%d}}]`, i, i)
		return send(ctx, c, http.MethodPost, url, body)
	})
}

// sidecarGet reads back keys written by sidecarSave.
func sidecarGet(ctx context.Context, c *http.Client, app *harness.App, o options) Result {
	return Run(ctx, "raw sidecar state get", o.baseRate, o.requests, o.maxInFlight, progress, func(ctx context.Context, i int) Outcome {
		return send(ctx, c, http.MethodGet, app.DaprURL(fmt.Sprintf("/v1.0/state/statestore/bench-%d", i%1000)), "")
	})
}

// send makes one request; any 2xx is success, anything else is its status or error kind.
func send(ctx context.Context, c *http.Client, method, url, body string) Outcome {
	return sendWith(ctx, c, method, url, body, nil)
}

// sendWith is send with request headers.
func sendWith(ctx context.Context, c *http.Client, method, url, body string, headers map[string]string) Outcome {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return "bad-request"
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "transport-error"
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return ""
	}
	return Outcome(fmt.Sprint(resp.StatusCode))
}
