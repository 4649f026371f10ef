package invoke_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/invoke"
)

// sidecar stands in for daprd: it records what it was sent and answers status and body.
type sidecar struct {
	calls                    atomic.Int64
	method, path, body, ctyp string
}

func (s *sidecar) serve(t *testing.T, status int, answer string) *invoke.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.calls.Add(1)
		raw, _ := io.ReadAll(r.Body)
		s.method, s.path, s.body, s.ctyp = r.Method, r.URL.EscapedPath(), string(raw), r.Header.Get("Content-Type")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return invoke.New(srv.URL+"/", &http.Client{Timeout: 5 * time.Second})
}

type reservation struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
}

func TestInvokeSendsJSONThroughTheSidecarAndDecodesA2xx(t *testing.T) {
	var s sidecar
	c := s.serve(t, http.StatusCreated, `{"order_id":"o1","status":"reserved","added_later":true}`)
	var got reservation
	err := c.Invoke(context.Background(), "inventory", http.MethodPost, "/reservations", map[string]any{"order_id": "o1"}, &got)
	require.NoError(t, err)
	assert.Equal(t, reservation{OrderID: "o1", Status: "reserved"}, got, "fields added by the callee are ignored")
	assert.EqualValues(t, 1, s.calls.Load())
	assert.Equal(t, http.MethodPost, s.method)
	assert.Equal(t, "/v1.0/invoke/inventory/method/reservations", s.path)
	assert.JSONEq(t, `{"order_id":"o1"}`, s.body)
	assert.Equal(t, "application/json", s.ctyp)

	require.NoError(t, c.Invoke(context.Background(), "menu", http.MethodGet, "stores/s1/menu", nil, nil))
	assert.Equal(t, "/v1.0/invoke/menu/method/stores/s1/menu", s.path)
	assert.Empty(t, s.body, "no body when there is nothing to send")
	assert.Empty(t, s.ctyp)

	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/v1.0/jobs/expire-o1", map[string]any{"dueTime": "1s"}, nil))
	assert.Equal(t, "/v1.0/jobs/expire-o1", s.path)
	assert.EqualValues(t, 3, s.calls.Load())
}

func TestNon2xxBecomesATypedErrorCarryingTheEnvelope(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		answer  string
		want    invoke.Error
		message string // that the message contains
	}{
		{"the callee's refusal", http.StatusConflict, `{"error":{"code":"sold_out","field":"items[1]","message":"dish soup is sold out"}}`,
			invoke.Error{Status: 409, Code: "sold_out", Field: "items[1]", Message: "dish soup is sold out"}, "sold out"},
		{"the callee's fault", http.StatusServiceUnavailable, `{"error":{"code":"unavailable","message":"try again"}}`,
			invoke.Error{Status: 503, Code: "unavailable", Message: "try again"}, "try again"},
		{"daprd's own error", http.StatusInternalServerError, `{"errorCode":"ERR_DIRECT_INVOKE","message":"app inventory not found"}`,
			invoke.Error{Status: 500}, "ERR_DIRECT_INVOKE: app inventory not found"},
		{"not JSON", http.StatusBadGateway, `<html>bad gateway</html>`, invoke.Error{Status: 502}, "Bad Gateway"},
		{"empty", http.StatusNotFound, ``, invoke.Error{Status: 404}, "Not Found"},
		{"JSON without an envelope", http.StatusTeapot, `{"hello":"world"}`, invoke.Error{Status: 418}, "teapot"},
		{"a redirect is not followed into success", http.StatusNotModified, ``, invoke.Error{Status: 304}, "Not Modified"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s sidecar
			c := s.serve(t, tc.status, tc.answer)
			out := reservation{OrderID: "untouched"}
			err := c.Invoke(context.Background(), "inventory", http.MethodPost, "reservations", map[string]any{}, &out)
			wrapped := fmt.Errorf("reserve o1: %w", err)
			var e *invoke.Error
			require.True(t, errors.As(wrapped, &e), "%v", err)
			assert.Equal(t, tc.want.Status, e.Status)
			assert.Equal(t, tc.want.Code, e.Code)
			assert.Equal(t, tc.want.Code, invoke.CodeOf(wrapped))
			assert.Equal(t, tc.want.Field, e.Field)
			assert.Contains(t, e.Message, tc.message)
			assert.Equal(t, http.MethodPost, e.Method)
			assert.Equal(t, "/v1.0/invoke/inventory/method/reservations", e.Path)
			assert.Contains(t, err.Error(), fmt.Sprint(tc.status), "the error says what was answered")
			assert.Equal(t, "untouched", out.OrderID, "an error answer is not decoded into out")
		})
	}
}

func TestFailuresThatAreNotAnswersAreNotTypedErrors(t *testing.T) {
	var s sidecar
	garbled := s.serve(t, http.StatusOK, `{"order_id":`)
	var big sidecar
	huge := big.serve(t, http.StatusOK, `{"order_id":"`+strings.Repeat("a", invoke.MaxAnswer)+`"}`)
	gone := invoke.New("http://127.0.0.1:1", &http.Client{Timeout: time.Second})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	cases := []struct {
		name string
		c    *invoke.Client
		ctx  context.Context
	}{
		{"a 2xx that is not the promised JSON", garbled, context.Background()},
		{"an answer too large to read", huge, context.Background()},
		{"no sidecar", gone, context.Background()},
		{"cancelled", garbled, cancelled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out reservation
			err := tc.c.Invoke(tc.ctx, "inventory", http.MethodGet, "x", nil, &out)
			require.Error(t, err)
			var e *invoke.Error
			assert.False(t, errors.As(err, &e), "%v", err)
			assert.Empty(t, invoke.CodeOf(err))
		})
	}
}

func TestNoContentLeavesOutAlone(t *testing.T) {
	var s sidecar
	c := s.serve(t, http.StatusNoContent, ``)
	out := reservation{OrderID: "as before"}
	require.NoError(t, c.Invoke(context.Background(), "inventory", http.MethodPost, "x", nil, &out))
	assert.Equal(t, "as before", out.OrderID)
}

func TestErrorSaysWhatWasAnswered(t *testing.T) {
	e := &invoke.Error{Method: "POST", Path: "/v1.0/invoke/inventory/method/reservations", Status: 409, Code: "sold_out", Field: "items[0]", Message: "dish rice is sold out"}
	assert.Equal(t, "POST /v1.0/invoke/inventory/method/reservations: 409 sold_out (items[0]): dish rice is sold out", e.Error())
}

func TestInvokeWithPassesTheHeadersOn(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	c := invoke.New(srv.URL, &http.Client{Timeout: 5 * time.Second})
	require.NoError(t, c.InvokeWith(context.Background(), "order", http.MethodGet, "orders/o1", http.Header{"X-Customer-Id": {"c1"}}, nil, nil))
	assert.Equal(t, "c1", got.Get("X-Customer-Id"))
	assert.Empty(t, got.Get("Content-Type"), "no body, no content type")
}

// The sidecar's client keeps its connections between calls: a second burst of concurrent calls
// reuses the first burst's, where Go's default client keeps two and dials the rest again.
func TestSidecarClientKeepsItsConnectionsBetweenBursts(t *testing.T) {
	var dialled atomic.Int64
	release := make(chan struct{})
	var inFlight atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inFlight.Add(1) == 20 {
			close(release) // every call of the burst holds a connection at once
		}
		<-release
		_, _ = io.WriteString(w, `{}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialled.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := invoke.New(srv.URL, invoke.SidecarClient(5*time.Second))
	burst := func() {
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() { assert.NoError(t, c.Do(context.Background(), http.MethodGet, "/v1.0/healthz", nil, nil)) })
		}
		wg.Wait()
	}
	burst()
	first := dialled.Load()
	require.EqualValues(t, 20, first, "a burst of 20 calls in flight at once")
	burst() // release stays closed: these answer at once, each on a connection the pool kept
	assert.Less(t, dialled.Load()-first, int64(5), "connections dialled again by the second burst")
}
