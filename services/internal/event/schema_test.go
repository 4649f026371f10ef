package event_test

// The event payloads' language-neutral contract is the JSON Schemas (draft 2020-12) in schema/:
// a consumer or producer in any language is held to them. We check the Go types against the
// schemas rather than generate either from the other: by reflection (the same JSON names and
// types both ways; required is what Go always writes), by validating filled-in Go events with a
// real validator, and by comparing the topic names and the type and status enums with the Go
// constants, read from source, so that a constant added in Go fails here until it is documented.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apidoc"
	"github.com/canteen/canteen/services/internal/event"
)

var at = time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)

func TestEventSchemasMatchTheGoPayloads(t *testing.T) {
	consts := apidoc.Consts(t, ".")
	for _, c := range []struct {
		file, topic, typePrefix string
		zero, filled            any
		broken                  map[string]any // a property set to a value the schema must refuse
	}{
		{
			file: "schema/order.json", topic: event.TopicOrders, typePrefix: "Order", zero: event.Order{},
			filled: event.Order{Type: event.OrderCreated, OrderID: "3f2a", CustomerID: "c1", StoreID: "s1", Period: "2026-11-25.lunch",
				Status: "pending_payment", Items: []event.Item{{DishID: "soup", Quantity: 2, PriceCents: 450}}, TotalCents: 900, At: at},
			broken: map[string]any{"type": "order.shipped", "period": "2026-11-25", "status": "lost", "items": []any{}, "at": "yesterday"},
		},
		{
			file: "schema/stock.json", topic: event.TopicStock, typePrefix: "Stock", zero: event.Stock{},
			filled: event.Stock{Type: event.StockDepleted, StoreID: "s1", DishID: "soup", Period: "2026-11-25.lunch", Available: 0, At: at},
			broken: map[string]any{"type": "stock.low", "dish_id": "a||b", "available": -1, "at": 5},
		},
		{
			file: "schema/payment.json", topic: event.TopicPayments, typePrefix: "Payment", zero: event.Payment{},
			filled: event.Payment{Type: event.PaymentRefunded, OrderID: "3f2a", CustomerID: "c1", TxnID: "txn_1", AmountCents: 900,
				Status: "refunded", Reason: "order cancelled after payment", At: at},
			broken: map[string]any{"type": "payment.lost", "order_id": "a||b", "amount_cents": 0, "status": "pending", "txn_id": "", "at": "now"},
		},
		{
			file: "schema/kitchen.json", topic: event.TopicTickets, typePrefix: "Ticket", zero: event.Ticket{},
			filled: event.Ticket{Type: event.TicketRejected, OrderID: "3f2a", StoreID: "s1", CustomerID: "c1", Period: "2026-11-25.lunch",
				Code: "A042", Status: "rejected", TotalCents: 900, Reason: "out of rice", At: at},
			broken: map[string]any{"type": "ticket.lost", "store_id": "a||b", "code": "42", "status": "cooking", "total_cents": -1, "at": "soon"},
		},
		{
			file: "schema/delivery.json", topic: event.TopicDeliveries, typePrefix: "Delivery", zero: event.DeliveryJob{},
			filled: event.DeliveryJob{Type: event.DeliveryAssigned, OrderID: "3f2a", StoreID: "s1", CustomerID: "c1", Zone: "north",
				Building: "b7", RiderID: "r1", Attempt: 1, Status: "assigned", At: at},
			broken: map[string]any{"type": "delivery.lost", "zone": "a||b", "rider_id": "", "attempt": 0, "status": "waiting", "at": "soon"},
		},
		{
			file: "schema/stores.json", topic: event.TopicStores, typePrefix: "StoreLoad", zero: event.StoreLoad{},
			filled: event.StoreLoad{Type: event.StoreLoadChanged, StoreID: "s1", Busy: true, OverCapacity: true, WaitSeconds: 1500, Seq: 7, At: at},
			broken: map[string]any{"type": "store.closed", "store_id": "a||b", "busy": "yes", "wait_seconds": -60, "seq": 0, "at": "soon"},
		},
	} {
		t.Run(c.file, func(t *testing.T) {
			doc := apidoc.LoadSchema(t, c.file)
			doc.CheckType(t, c.zero)

			assert.Equal(t, event.PubSub, doc.Annotation("x-pubsub"), "x-pubsub must be event.PubSub")
			assert.Equal(t, c.topic, doc.Annotation("x-topic"), "x-topic must be the Go topic")
			assert.Equal(t, c.topic+event.DeadLetterSuffix, doc.Annotation("x-dead-letter-topic"), "x-dead-letter-topic must be the topic's dead-letter topic")
			var types []string
			for _, k := range consts {
				if strings.HasPrefix(k.Name, c.typePrefix) {
					types = append(types, k.Value)
				}
			}
			require.NotEmpty(t, types)
			assert.ElementsMatch(t, types, doc.Enum(t, apidoc.Root, "type"), "the type enum must list exactly the Go %s* constants", c.typePrefix)

			require.NoError(t, doc.Validate(t, c.filled), "a filled-in Go event must be valid")
			for prop, bad := range c.broken {
				m := asMap(t, c.filled)
				m[prop] = bad
				assert.Error(t, doc.Validate(t, m), "%s = %v must be refused", prop, bad)
				delete(m, prop)
				assert.Error(t, doc.Validate(t, m), "an event without %s must be refused", prop)
			}
		})
	}
}

// An order event goes to its schema's x-topic unless x-topic-by-type names another for its type,
// as event.TopicOf says; each such topic has its own dead-letter topics like any other.
func TestOrderEventTopicsAreTheSchemas(t *testing.T) {
	doc := apidoc.LoadSchema(t, "schema/order.json")
	byType := doc.AnnotationMap("x-topic-by-type")
	require.Equal(t, map[string]string{event.OrderCreated: event.TopicOrdersCreated}, byType)
	for _, typ := range doc.Enum(t, apidoc.Root, "type") {
		want, ok := byType[typ]
		if !ok {
			want = doc.Annotation("x-topic")
		}
		assert.Equal(t, want, event.TopicOf(typ), typ)
	}
}

func TestOrderEventStatusesAreTheOrderServicesStatuses(t *testing.T) {
	var statuses []string
	for _, c := range apidoc.Consts(t, "../../order/ordering") {
		if c.Type == "Status" {
			statuses = append(statuses, c.Value)
		}
	}
	require.NotEmpty(t, statuses)
	assert.ElementsMatch(t, statuses, apidoc.LoadSchema(t, "schema/order.json").Enum(t, apidoc.Root, "status"))
}

func TestTicketEventStatusesAreTheKitchensStatuses(t *testing.T) {
	statuses := apidoc.Values(t, "../../kitchen/queue", "Status")
	require.NotEmpty(t, statuses)
	assert.ElementsMatch(t, statuses, apidoc.LoadSchema(t, "schema/kitchen.json").Enum(t, apidoc.Root, "status"))
}

// asMap is v as the generic JSON object encoding/json makes of it.
func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

// The event's statuses are the job statuses an event announces: every status but the
// unannounced ones (a placeholder, a job waiting for its first rider, a cancellation).
func TestDeliveryEventStatusesAreTheDeliveryServicesAnnouncedStatuses(t *testing.T) {
	var announced []string
	for _, s := range apidoc.Values(t, "../../delivery/dispatch", "Status") {
		switch s {
		case "unpaid", "pending", "waiting", "cancelled":
		default:
			announced = append(announced, s)
		}
	}
	require.NotEmpty(t, announced)
	assert.ElementsMatch(t, announced, apidoc.LoadSchema(t, "schema/delivery.json").Enum(t, apidoc.Root, "status"))
}
