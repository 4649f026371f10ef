package httpapi

// The kitchen API's contract is services/kitchen/openapi.yaml, a hand-written OpenAPI 3.1
// document; these tests fail when it and the Go code disagree (see services/internal/apidoc): the
// routes gin serves, the JSON of every request and response type, the error codes the package can
// write, the ticket statuses, and real answers of the handlers over the domain service and its
// in-memory fakes (the actor's turn is not needed: the test calls one at a time).

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apidoc"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/kitchen/queue"
	"github.com/canteen/canteen/services/kitchen/queue/queuetest"
)

const openAPI = "../openapi.yaml"

func TestOpenAPIDocumentMatchesTheKitchenAPI(t *testing.T) {
	r := httpserver.NewEngine("kitchen", slog.New(slog.NewTextHandler(io.Discard, nil)))
	Register(r, nil, nil)
	doc := apidoc.Check(t, openAPI, r, map[string]any{
		"CapacityRequest": capacityRequest{},
		"AckRequest":      ackRequest{},
		"MoveRequest":     moveRequest{},
		"Ticket":          ticketResponse{},
		"Queue":           queueResponse{},
		"Page":            pageResponse{},
	})
	statuses := apidoc.Values(t, "../queue", "Status")
	require.NotEmpty(t, statuses)
	assert.ElementsMatch(t, statuses, doc.Enum(t, "Ticket", "status"), "Ticket.status must list exactly queue's statuses")
}

func TestKitchenAnswersAreValidByTheOpenAPIDocument(t *testing.T) {
	doc := apidoc.Load(t, openAPI)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mem := queuetest.NewMemory()
	svc := queue.NewService(mem, mem, mem, queue.Config{}, quiet, time.Now)
	for _, o := range []string{"o1", "o2", "o3"} {
		got, err := svc.Admit(context.Background(), "s1", []event.Order{{Type: event.OrderPaid, OrderID: o, CustomerID: "c1", StoreID: "s1",
			Period: "2026-11-25.lunch", Items: []event.Item{{DishID: "rice", Quantity: 1, PriceCents: 900}}, TotalCents: 900}})
		require.NoError(t, err)
		require.NoError(t, got[0].Err)
	}
	r := httpserver.NewEngine("kitchen", quiet)
	Register(r, svc, quiet)
	for _, c := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"queue", "GET", "/stores/s1/queue", "", 200},
		{"queue, bad store", "GET", "/stores/a.b/queue", "", 400},
		{"capacity", "PUT", "/stores/s1/capacity", `{"limit":2,"busy":true}`, 200},
		{"capacity, no limit", "PUT", "/stores/s1/capacity", `{"busy":true}`, 400},
		{"capacity, negative", "PUT", "/stores/s1/capacity", `{"limit":-1}`, 400},
		{"capacity, unknown field", "PUT", "/stores/s1/capacity", `{"limit":1,"max":2}`, 400},
		{"capacity, too large", "PUT", "/stores/s1/capacity", `{"limit":1,"x":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
		{"ticket", "GET", "/stores/s1/tickets/o1", "", 200},
		{"ticket of another store", "GET", "/stores/s2/tickets/o1", "", 404},
		{"accept", "POST", "/stores/s1/tickets/o1/accept", "", 200},
		{"accept again", "POST", "/stores/s1/tickets/o1/accept", "", 200},
		{"pickup too early", "POST", "/stores/s1/tickets/o1/pickup", "", 409},
		{"unknown action", "POST", "/stores/s1/tickets/o1/cook", "", 400},
		{"another store's ticket", "POST", "/stores/s2/tickets/o1/start", "", 404},
		{"reject with a reason", "POST", "/stores/s1/tickets/o2/reject", `{"reason":"out of rice"}`, 200},
		{"reject, bad body", "POST", "/stores/s1/tickets/o3/reject", `{"why":1}`, 400},
		{"pull", "GET", "/stores/s1/tickets", "", 200},
		{"pull since", "GET", "/stores/s1/tickets?since=2", "", 200},
		{"pull, bad cursor", "GET", "/stores/s1/tickets?since=x", "", 400},
		{"pull, cursor ahead", "GET", "/stores/s1/tickets?since=99", "", 400},
		{"ack", "POST", "/stores/s1/tickets/ack", `{"cursor":3}`, 200},
		{"ack, no cursor", "POST", "/stores/s1/tickets/ack", `{}`, 400},
		{"ack, ahead", "POST", "/stores/s1/tickets/ack", `{"cursor":99}`, 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			w := doc.Do(t, r, req)
			require.Equal(t, c.want, w.Code, "%s", w.Body)
		})
	}

	// The events the service published on the way are valid by the event contract.
	events := apidoc.LoadSchema(t, "../../internal/event/schema/kitchen.json")
	require.NotEmpty(t, mem.Published)
	for _, e := range mem.Published {
		assert.NoError(t, events.Validate(t, e), "%+v", e)
	}
}
