// Package invoke calls other Canteen apps through the app's own Dapr sidecar over HTTP
// (/v1.0/invoke/<app>/method/<path>), as a caller written in any language would: a JSON body out,
// a JSON body back, and any answer other than 2xx turned into an *Error that carries the callee's
// apierr envelope, so that callers decide by the error's code, never by its message.
package invoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/canteen/canteen/services/internal/apierr"
)

// MaxAnswer is the largest answer body read; a Canteen answer (a whole menu included) is far
// smaller, and a bound keeps a misbehaving callee from exhausting the caller's memory.
const MaxAnswer = 8 << 20

// SidecarClient is the HTTP client for an app's calls to its own sidecar, each bounded by
// timeout. It keeps up to maxIdle connections open between calls: Go's default keeps two per
// host, so under a lunch rush every call beyond the second in flight dialled the sidecar and
// closed the connection after it (the order app left thousands of sockets in TIME_WAIT).
func SidecarClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = maxIdle, maxIdle
	return &http.Client{Timeout: timeout, Transport: t}
}

// maxIdle is more connections than an app has calls in flight to its sidecar at any rate the
// sidecar itself sustains.
const maxIdle = 256

// Client calls through one sidecar. It is safe for concurrent use.
type Client struct {
	sidecar string
	http    *http.Client
}

// New returns a client of the sidecar at base URL sidecar (e.g. "http://127.0.0.1:3500"); hc's
// timeout bounds each call.
func New(sidecar string, hc *http.Client) *Client {
	return &Client{sidecar: strings.TrimSuffix(sidecar, "/"), http: hc}
}

// Invoke calls method path (e.g. "reservations") of app with in as its JSON body (none when nil)
// and decodes a 2xx answer into out (unless out is nil). A non-2xx answer is an *Error; a failure
// to reach the sidecar at all is returned as it is.
func (c *Client) Invoke(ctx context.Context, app, method, path string, in, out any) error {
	return c.InvokeWith(ctx, app, method, path, nil, in, out)
}

// InvokeWith is Invoke with request headers (such as the order API's X-Customer-Id); daprd
// passes them on to the callee.
func (c *Client) InvokeWith(ctx context.Context, app, method, path string, h http.Header, in, out any) error {
	return c.do(ctx, method, "/v1.0/invoke/"+url.PathEscape(app)+"/method/"+strings.TrimPrefix(path, "/"), h, in, out)
}

// Do calls one of the sidecar's own APIs (e.g. "/v1.0/jobs/<name>") the same way.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	return c.do(ctx, method, path, nil, in, out)
}

func (c *Client) do(ctx context.Context, method, path string, h http.Header, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode: %w", method, path, err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.sidecar+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	for k, vs := range h {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	switch {
	case err != nil:
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	case len(raw) > MaxAnswer:
		return fmt.Errorf("%s %s: answer is over %d bytes", method, path, MaxAnswer)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return newError(method, path, resp.StatusCode, raw)
	case out == nil || resp.StatusCode == http.StatusNoContent:
		return nil
	}
	// Not strict: a callee may add fields to its answers without breaking its callers.
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode %d answer: %w", method, path, resp.StatusCode, err)
	}
	return nil
}

// Error is an answer other than 2xx. Code, Field and Message come from the callee's apierr
// envelope; when the answer has none (daprd's own errors, such as a callee that cannot be reached,
// or a proxy's), Code is empty and Message says what the answer did.
type Error struct {
	Method, Path string // the call, as sent to the sidecar
	Status       int
	Code         string
	Field        string
	Message      string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s %s: %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// CodeOf is the callee's error code when err is (or wraps) an *Error, and "" otherwise.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// newError reads the answer's envelope, or daprd's {"errorCode", "message"} when it is that.
func newError(method, path string, status int, raw []byte) *Error {
	e := &Error{Method: method, Path: path, Status: status}
	var body struct {
		apierr.Body
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
	}
	switch {
	case json.Unmarshal(raw, &body) != nil:
		e.Message = http.StatusText(status)
	case body.Error.Code != "":
		e.Code, e.Field, e.Message = body.Error.Code, body.Error.Field, body.Error.Message
	case body.ErrorCode != "":
		e.Message = body.ErrorCode + ": " + body.Message
	default:
		e.Message = http.StatusText(status)
	}
	return e
}
