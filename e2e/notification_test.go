package e2e

// The notification suite: Server-Sent Events streams opened through the notification app's own
// sidecar (Dapr HTTP service invocation), fed by real order events and by events published to
// the orders topic by the test. That daprd 1.18.2 streams an invoked app's response body, rather
// than buffering it until the end, is shown by every test here: the streams never end, and the
// frames arrive while they are open.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The order event types and payload, as published on the orders topic (e2e talks to the
// platform as any client does, so it does not import the services' contract package).
const (
	orderCreated   = "order.created"
	orderPaid      = "order.paid"
	orderCancelled = "order.cancelled"
	orderRefundDue = "order.refund_due"
)

type orderEvent struct {
	Type       string    `json:"type"`
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	StoreID    string    `json:"store_id"`
	Period     string    `json:"period"`
	Status     string    `json:"status"`
	Items      []any     `json:"items"`
	TotalCents int64     `json:"total_cents"`
	At         time.Time `json:"at"`
}

// frameWithin bounds the wait for one frame: delivery through pub/sub and the stream's wake-up
// take well under a second; a redelivery after a restart takes longer.
const frameWithin = 30 * time.Second

func notificationURL(path string) string { return platform.App("notification").URL(path) }

// streamURL is where the tests open SSE streams: on the notification app itself, as a gateway
// route will, not through daprd's service invocation. daprd 1.18.2 proxies an SSE response from a
// goroutine that can outlive the caller's request, and a frame the app writes just as a stream's
// client leaves makes it flush a finished response and panic (pkg/sse.FlushSSEResponse): seen in
// two of this box's CI runs, each time killing the notification sidecar and failing every test
// after it. Everything else of the service, its events included, still goes through Dapr.
func streamURL(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s", platform.App("notification").AppPort, path)
}

type sseFrame struct {
	ID    int64
	Event string
	Data  string
}

// sseStream is one open stream, its frames read by a goroutine as they come.
type sseStream struct {
	Status int
	frames chan sseFrame
	cancel context.CancelFunc
}

// openStream opens url with the customer's header and, when lastID is not "", Last-Event-ID.
func openStream(t *testing.T, url, customer, lastID string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("X-Customer-Id", customer)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := (&http.Client{}).Do(req) // no client timeout: the stream stays open
	if err != nil {
		cancel()
		require.NoError(t, err)
	}
	s := &sseStream{Status: resp.StatusCode, frames: make(chan sseFrame, 100), cancel: cancel}
	t.Cleanup(s.Close)
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return s
	}
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream"), resp.Header.Get("Content-Type"))
	go func() {
		defer resp.Body.Close()
		defer close(s.frames)
		sc := bufio.NewScanner(resp.Body)
		var f sseFrame
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if f.Event != "" {
					s.frames <- f
				}
				f = sseFrame{}
			case strings.HasPrefix(line, "id: "):
				f.ID, _ = strconv.ParseInt(line[4:], 10, 64)
			case strings.HasPrefix(line, "event: "):
				f.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				f.Data += line[6:]
			}
		}
	}()
	return s
}

func (s *sseStream) Close() { s.cancel() }

// next returns the next frame, failing the test when none comes in time or the stream ended.
func (s *sseStream) next(t *testing.T) sseFrame {
	t.Helper()
	select {
	case f, ok := <-s.frames:
		require.True(t, ok, "the stream ended")
		return f
	case <-time.After(frameWithin):
		require.FailNow(t, "no frame within "+frameWithin.String())
	}
	return sseFrame{}
}

// until reads frames until one of type typ, returning all read.
func (s *sseStream) until(t *testing.T, typ string) []sseFrame {
	t.Helper()
	var out []sseFrame
	for {
		f := s.next(t)
		out = append(out, f)
		if f.Event == typ {
			return out
		}
	}
}

// openOrderStream opens the order's stream once its first event has been recorded (before that
// the order is unknown to the notification service: 404).
func openOrderStream(t *testing.T, orderID, customer, lastID string) *sseStream {
	t.Helper()
	var s *sseStream
	poll(t, frameWithin, func() bool {
		s = openStream(t, streamURL("orders/"+orderID+"/events"), customer, lastID)
		if s.Status == http.StatusOK {
			return true
		}
		require.Equal(t, http.StatusNotFound, s.Status)
		return false
	}, "the order's first event reaches the notification service")
	return s
}

func publishOrder(t *testing.T, e orderEvent) {
	t.Helper()
	topic := "orders" // the order service's topics: order.created has one of its own
	if e.Type == "order.created" {
		topic = "orders-created"
	}
	r := call(t, http.MethodPost, platform.App("notification").DaprURL("/v1.0/publish/pubsub/"+topic), e)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
}

func fakeOrder(typ, id, customer, store string) orderEvent {
	return orderEvent{Type: typ, OrderID: id, CustomerID: customer, StoreID: store, Period: "2026-11-25/lunch", Status: strings.TrimPrefix(typ, "order."), At: time.Now().UTC()}
}

func frameTypes(fs []sseFrame) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Event
	}
	return out
}

// A real checkout and payment: the customer's stream shows order.created then order.paid, in
// order, with rising ids; the payload is the order event as published; a reconnect with
// Last-Event-ID resumes after it, without a repeat; another customer gets 404.
func TestACustomersStreamShowsCreatedThenPaidAndResumesAfterLastEventID(t *testing.T) {
	o := unpaidOrder(t)
	s := openOrderStream(t, o.ID, o.CustomerID, "")
	first := s.next(t)
	assert.Equal(t, orderCreated, first.Event)
	assert.EqualValues(t, 1, first.ID)
	assert.Contains(t, first.Data, `"order_id":"`+o.ID+`"`)
	s.Close() // the client goes away after the first event

	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	pay(t, decode[paymentView](t, r))

	again := openOrderStream(t, o.ID, o.CustomerID, strconv.FormatInt(first.ID, 10))
	got := again.until(t, orderPaid)
	assert.Equal(t, []string{orderPaid}, frameTypes(got), "after id 1: the payment and nothing seen before")
	assert.EqualValues(t, 2, got[0].ID)

	all := openOrderStream(t, o.ID, o.CustomerID, "").until(t, orderPaid)
	assert.Equal(t, []string{orderCreated, orderPaid}, frameTypes(all))

	other := openStream(t, streamURL("orders/"+o.ID+"/events"), "someone-else", "")
	assert.Equal(t, http.StatusNotFound, other.Status)
	bad := openStream(t, streamURL("orders/"+o.ID+"/events"), o.CustomerID, "abc")
	assert.Equal(t, http.StatusBadRequest, bad.Status)
}

// At-least-once delivery: the same event published twice appears once, in the order's stream and
// in the store's.
func TestTheSameEventPublishedTwiceAppearsOnce(t *testing.T) {
	id, customer, store := uuid.NewString(), "c-"+uuid.NewString()[:8], "s-"+uuid.NewString()[:8]
	publishOrder(t, fakeOrder(orderCreated, id, customer, store))
	publishOrder(t, fakeOrder(orderCreated, id, customer, store))
	s := openOrderStream(t, id, customer, "")
	require.Equal(t, orderCreated, s.next(t).Event)
	publishOrder(t, fakeOrder(orderCancelled, id, customer, store)) // a marker after both copies
	assert.Equal(t, []string{orderCancelled}, frameTypes(s.until(t, orderCancelled)))

	staff := openStream(t, streamURL("stores/"+store+"/events"), "", "")
	require.Equal(t, http.StatusOK, staff.Status)
	assert.Equal(t, []string{orderCreated, orderCancelled}, frameTypes(staff.until(t, orderCancelled)))
}

// A kill -9 of the notification app: the events taken before and after the crash are in the
// store, and a client that reconnects with its Last-Event-ID misses none and sees none twice.
func TestAKilledNotificationAppLosesNothingForAReconnectingClient(t *testing.T) {
	app := platform.App("notification")
	id, customer, store := uuid.NewString(), "c-"+uuid.NewString()[:8], "s-"+uuid.NewString()[:8]
	publishOrder(t, fakeOrder(orderCreated, id, customer, store))
	s := openOrderStream(t, id, customer, "")
	first := s.next(t)
	require.Equal(t, orderCreated, first.Event)

	app.KillApp()
	publishOrder(t, fakeOrder(orderPaid, id, customer, store)) // while the app is down
	require.NoError(t, app.StartApp(context.Background()))
	publishOrder(t, fakeOrder(orderRefundDue, id, customer, store))

	again := openOrderStream(t, id, customer, fmt.Sprint(first.ID))
	got := again.until(t, orderRefundDue)
	if len(got) == 1 { // the two were delivered out of order: paid comes after
		got = append(got, again.until(t, orderPaid)...)
	}
	assert.ElementsMatch(t, []string{orderPaid, orderRefundDue}, frameTypes(got))
	assert.Equal(t, []int64{2, 3}, []int64{got[0].ID, got[1].ID})
}

// untilAll reads frames until every type of types has come, returning all read.
func (s *sseStream) untilAll(t *testing.T, types ...string) []sseFrame {
	t.Helper()
	want := map[string]bool{}
	for _, typ := range types {
		want[typ] = true
	}
	var out []sseFrame
	for len(want) > 0 {
		f := s.next(t)
		out = append(out, f)
		delete(want, f.Event)
	}
	return out
}

// The whole life of an order, as its customer follows it: checkout, payment, the ticket with its
// pickup code, accepted, preparing, ready, picked up and completed. Each step's events (the
// kitchen's ticket event and the order's own) come before the next step's, the ids rise, and a
// client that reconnects half-way with Last-Event-ID, then a client that reads it all afresh,
// see exactly the same events: none missed, none twice.
func TestTheFullLifecycleReachesTheCustomersStreamInOrderAcrossAReconnect(t *testing.T) {
	o, _ := paidOrder(t)
	store, _ := dishOf(t, o)
	s := openOrderStream(t, o.ID, o.CustomerID, "")
	seen := s.untilAll(t, orderCreated, orderPaid, "ticket.queued")
	var code struct {
		Code string `json:"code"`
	}
	for _, f := range seen {
		if f.Event == "ticket.queued" {
			require.NoError(t, json.Unmarshal([]byte(f.Data), &code))
		}
	}
	assert.Regexp(t, codePattern, code.Code, "the pickup code reaches the customer")

	steps := []struct {
		action string
		events []string
	}{
		{"accept", []string{"ticket.accepted", "order.accepted"}},
		{"start", []string{"ticket.preparing"}},
		{"ready", []string{"ticket.ready", "order.ready"}},
		{"pickup", []string{"ticket.picked_up", "order.completed"}},
	}
	for i, step := range steps {
		require.Equal(t, http.StatusOK, moveTicket(t, store, o.ID, step.action).Status, step.action)
		seen = append(seen, s.untilAll(t, step.events...)...)
		if i == 1 { // the client drops and comes back where it was
			s.Close()
			s = openOrderStream(t, o.ID, o.CustomerID, strconv.FormatInt(seen[len(seen)-1].ID, 10))
		}
	}
	for i := 1; i < len(seen); i++ {
		assert.Equal(t, seen[i-1].ID+1, seen[i].ID, "ids rise one by one, none missed or repeated: %v", frameTypes(seen))
	}
	// Paid and queued come from two services' topics and may reach the stream in either order.
	assert.Equal(t, orderCreated, seen[0].Event)
	assert.ElementsMatch(t, []string{orderPaid, "ticket.queued"}, frameTypes(seen[1:3]))
	afresh := openOrderStream(t, o.ID, o.CustomerID, "").untilAll(t, "order.completed", "ticket.picked_up")
	assert.Equal(t, frameTypes(seen), frameTypes(afresh), "a fresh client reads the same story")
}
