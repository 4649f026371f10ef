package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

var progress = os.Stderr

// Answer is what one HTTP call came back with.
type Answer struct {
	Status int
	Body   []byte
}

// call makes one request through the given client; headers may be nil.
func call(ctx context.Context, c *http.Client, method, url, body string, headers map[string]string) (Answer, error) {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return Answer{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return Answer{Status: resp.StatusCode, Body: raw}, err
}

// outcomeOf classifies an answer: "" for any 2xx; otherwise the status with the error envelope's
// code when there is one ("409 sold_out", "503 unavailable"), or the kind of transport failure.
func outcomeOf(a Answer, err error) Outcome {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "timeout"
	case err != nil:
		return "transport-error"
	case a.Status/100 == 2:
		return ""
	}
	var env struct {
		Error struct{ Code string } `json:"error"`
	}
	if json.Unmarshal(a.Body, &env) == nil && env.Error.Code != "" {
		return Outcome(fmt.Sprintf("%d %s", a.Status, env.Error.Code))
	}
	return Outcome(fmt.Sprint(a.Status))
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// send makes one request and classifies its answer.
func send(ctx context.Context, c *http.Client, method, url, body string, headers map[string]string) Outcome {
	return outcomeOf(call(ctx, c, method, url, body, headers))
}

// callJSON makes one request that must succeed and decodes its JSON answer into v (when not nil).
func callJSON(ctx context.Context, c *http.Client, method, url, body string, headers map[string]string, v any) error {
	a, err := call(ctx, c, method, url, body, headers)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	if a.Status/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, url, a.Status, bytes.TrimSpace(a.Body))
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(a.Body, v)
}
