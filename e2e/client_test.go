package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var httpClient = &http.Client{Timeout: 30 * time.Second}

// response is an HTTP answer with its body read.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends method url with body (a string is sent raw, anything else as JSON) and reads the answer.
func call(t testing.TB, method, url string, body any) response {
	t.Helper()
	r, err := tryCall(method, url, body)
	require.NoError(t, err)
	return r
}

// tryCall is call for callers that expect transport errors (a server being restarted).
func tryCall(method, url string, body any) (response, error) {
	return tryCallWith(method, url, body, nil)
}

// tryCallWith is tryCall with extra request headers.
func tryCallWith(method, url string, body any, headers map[string]string) (response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}, err
}

// decode unmarshals the body into a fresh T, failing the test when it is not that JSON.
func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(r.Body, &v), "body: %s", r.Body)
	return v
}

// apiError is the JSON error envelope every service answers with.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// errorCode is the code of an error envelope, "" when the body is none; safe in goroutines.
func errorCode(r response) string {
	var e apiError
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}
