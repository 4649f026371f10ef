package httpapi

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/notification/feed"
)

func TestFrameIsStandardSSEAndKeepsAMultiLinePayloadIntact(t *testing.T) {
	for _, c := range []struct {
		name string
		e    feed.Event
		want string
	}{
		{"one line", feed.Event{ID: 7, Type: "order.paid", Data: []byte(`{"a":1}`)}, "id: 7\nevent: order.paid\ndata: {\"a\":1}\n\n"},
		{"line breaks", feed.Event{ID: 8, Type: "ticket.ready", Data: []byte("{\n\"a\": 1\r\n}")}, "id: 8\nevent: ticket.ready\ndata: {\ndata: \"a\": 1\ndata: }\n\n"},
		{"a type cannot break the framing", feed.Event{ID: 9, Type: "x\nid: 99", Data: []byte(`{}`)}, "id: 9\nevent: x id: 99\ndata: {}\n\n"},
	} {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, string(frame(c.e))) })
	}
}

// client reads a live stream from a real server, frame by frame.
type client struct {
	lines *bufio.Scanner
	resp  *http.Response
}

func connect(t *testing.T, srv *httptest.Server, path, customer, last string) *client {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set(customerHeader, customer)
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	return &client{lines: bufio.NewScanner(resp.Body), resp: resp}
}

// next returns the next frame or comment, without its blank line.
func (c *client) next(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for c.lines.Scan() {
		if c.lines.Text() == "" {
			return b.String()
		}
		b.WriteString(c.lines.Text() + "\n")
	}
	require.FailNow(t, "the stream ended", "%v", c.lines.Err())
	return ""
}

// nextEvent skips heartbeats.
func (c *client) nextEvent(t *testing.T) string {
	t.Helper()
	for {
		if f := c.next(t); f != ": ping\n" {
			return f
		}
	}
}

func TestAStreamShowsTheBacklogThenLiveEventsAndHeartbeatsAndResumesAfterLastEventID(t *testing.T) {
	f := newFixture(t, 16)
	srv := httptest.NewServer(f.r)
	t.Cleanup(srv.Close) // after the clients' cleanups close their streams (cleanups run last first)
	f.record(t, "o1", "s1", "c1", "order.created", `{"n":1}`)

	c := connect(t, srv, "/orders/o1/events", "c1", "")
	assert.Equal(t, "id: 1\nevent: order.created\ndata: {\"n\":1}\n", c.nextEvent(t))
	f.record(t, "o1", "s1", "c1", "ticket.accepted", `{"n":2}`) // woken by the notifier
	assert.Equal(t, "id: 2\nevent: ticket.accepted\ndata: {\"n\":2}\n", c.nextEvent(t))
	assert.Equal(t, ": ping\n", c.next(t), "an idle stream sends heartbeats")

	f.record(t, "o1", "s1", "c1", "order.paid", `{"n":3}`)
	again := connect(t, srv, "/orders/o1/events", "c1", "1")
	assert.Equal(t, "id: 2\nevent: ticket.accepted\ndata: {\"n\":2}\n", again.nextEvent(t), "resumes after 1")
	assert.Equal(t, "id: 3\nevent: order.paid\ndata: {\"n\":3}\n", again.nextEvent(t))

	staff := connect(t, srv, "/stores/s1/events?last_event_id=2", "", "")
	assert.Equal(t, "id: 3\nevent: order.paid\ndata: {\"n\":3}\n", staff.nextEvent(t))
}

func TestStreamsEndWhenTheServiceStops(t *testing.T) {
	f := newFixture(t, 16)
	srv := httptest.NewServer(f.r)
	t.Cleanup(srv.Close) // after the clients' cleanups close their streams (cleanups run last first)
	c := connect(t, srv, "/stores/s1/events", "", "")
	close(f.done)
	for c.lines.Scan() { // heartbeats until the end
	}
	assert.NoError(t, c.lines.Err(), "the stream ends cleanly")
}

// stalledWriter is a client that stopped reading: every write blocks until the write deadline
// is set, as a full TCP send buffer would, then fails.
type stalledWriter struct {
	header   http.Header
	mu       sync.Mutex
	writes   int
	deadline chan struct{}
	once     sync.Once
}

func (w *stalledWriter) Header() http.Header { return w.header }
func (w *stalledWriter) WriteHeader(int)     {}
func (w *stalledWriter) Flush()              {}
func (w *stalledWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes++
	w.mu.Unlock()
	<-w.deadline
	return 0, errors.New("i/o timeout")
}
func (w *stalledWriter) SetWriteDeadline(time.Time) error {
	w.once.Do(func() { close(w.deadline) })
	return nil
}

func TestASlowClientIsCutOffOnceItsBufferIsFull(t *testing.T) {
	const buffer = 4
	f := newFixture(t, buffer)
	for i := range 3 * buffer {
		f.record(t, "o"+string(rune('a'+i)), "s1", "c1", "order.created", `{}`)
	}
	w := &stalledWriter{header: http.Header{}, deadline: make(chan struct{})}
	req := httptest.NewRequest("GET", "/stores/s1/events", nil)
	served := make(chan struct{})
	go func() {
		defer close(served)
		f.r.ServeHTTP(w, req)
	}()
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the stream of a stalled client stayed open with its buffer full")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Equal(t, 1, w.writes, "one write blocked, the rest waited in the bounded buffer until the cut")
}

// failing is a store that is down.
type failing struct{ feed.Repository }

func (failing) Head(context.Context, feed.Stream) (feed.Head, feed.Token, error) {
	return feed.Head{}, "", errors.New("store down")
}

func TestAStreamThatCannotReadTheStoreAtFirstAnswers503(t *testing.T) {
	notify := feed.NewNotifier()
	r := httpserver.NewEngine("notification", quiet)
	Register(r, feed.NewService(failing{}, notify), notify, Config{Heartbeat: time.Second, Poll: time.Second, Buffer: 4}, quiet)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/stores/s1/events", nil))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
}
