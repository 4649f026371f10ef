package e2e

// The delivery suite, through real sidecars: a paid delivery order's job is dispatched when the
// kitchen marks it ready (the events are published here, as the order service's outbox and the
// kitchen's actor do), goes to a rider of its zone who takes it to delivered, is reassigned when
// the rider does not accept within the accept window (3 s in dapr.yaml), and a lunch rush of
// concurrent ready orders never puts a rider over capacity or a job with two riders.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dispatchWithin bounds "a ready paid order reaches a rider": two event deliveries and a few
// state writes, a first retry on the inbound policy included.
const dispatchWithin = 30 * time.Second

func deliveryURL(path string) string { return platform.App("delivery").URL(path) }

type jobView struct {
	OrderID string `json:"order_id"`
	Zone    string `json:"zone"`
	Status  string `json:"status"`
	RiderID string `json:"rider_id"`
	Attempt int    `json:"attempt"`
}

type riderView struct {
	RiderID  string    `json:"rider_id"`
	Zone     string    `json:"zone"`
	Capacity int       `json:"capacity"`
	OnDuty   bool      `json:"on_duty"`
	Jobs     []jobView `json:"jobs"`
}

// newZone sets up a fresh zone with riders (ids prefix-0, prefix-1, ...) of the given capacity,
// all on duty.
func newZone(t *testing.T, riders, capacity int) (zone string, ids []string) {
	t.Helper()
	zone = "z-" + uuid.NewString()[:8]
	r := call(t, http.MethodPut, deliveryURL("zones/"+zone), map[string]any{"name": "Zone " + zone})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	for i := range riders {
		id := fmt.Sprintf("%s-r%02d", zone, i)
		r := call(t, http.MethodPut, deliveryURL("riders/"+id), map[string]any{"zone": zone, "capacity": capacity})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		r = call(t, http.MethodPost, deliveryURL("riders/"+id+"/on-duty"), nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		ids = append(ids, id)
	}
	return zone, ids
}

// publishAll publishes the events on topic from the delivery app's sidecar, as the order
// service's outbox and the kitchen's actor do.
func publishAll(t *testing.T, topic string, events []map[string]any) {
	t.Helper()
	publishFrom(t, "delivery", topic, events)
}

// paidDelivery is an order.paid event of a delivery order to zone (zone "" for a pickup order).
func paidDelivery(order, zone string) map[string]any {
	e := map[string]any{"type": "order.paid", "order_id": order, "customer_id": "c-" + order[:8], "store_id": "s-delivery", "period": period,
		"status": "paid", "items": []map[string]any{{"dish_id": "rice", "quantity": 1, "price_cents": 990}}, "total_cents": 990, "at": time.Now()}
	if zone != "" {
		e["delivery"] = map[string]any{"zone": zone, "building": "b7"}
	}
	return e
}

// ticketEvent is the kitchen's ticket event of type (ticket.ready, ticket.rejected) for order.
func ticketEvent(typ, status, order string) map[string]any {
	return map[string]any{"type": typ, "order_id": order, "store_id": "s-delivery", "customer_id": "c-" + order[:8], "period": period,
		"code": "A001", "status": status, "total_cents": 990, "at": time.Now()}
}

func tryJob(t *testing.T, order string) (jobView, bool) {
	t.Helper()
	r := call(t, http.MethodGet, deliveryURL("jobs/"+order), nil)
	if r.Status == http.StatusNotFound {
		return jobView{}, false
	}
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return decode[jobView](t, r), true
}

func readRider(t *testing.T, id string) riderView {
	t.Helper()
	r := call(t, http.MethodGet, deliveryURL("riders/"+id), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return decode[riderView](t, r)
}

func moveJob(t *testing.T, order, rider, action string) response {
	t.Helper()
	r, err := tryCallWith(http.MethodPost, deliveryURL("jobs/"+order+"/"+action), nil, map[string]string{"X-Rider-Id": rider})
	require.NoError(t, err)
	return r
}

// waitAssigned waits until the job is assigned to rider (at any attempt).
func waitAssigned(t *testing.T, order, rider string) jobView {
	t.Helper()
	var j jobView
	poll(t, dispatchWithin, func() bool {
		var ok bool
		j, ok = tryJob(t, order)
		return ok && j.Status == "assigned" && j.RiderID == rider
	}, "job "+order+" assigned to "+rider)
	return j
}

// The ready mark comes before the payment: the job is dispatched once both are in, to the zone's
// one rider, who takes it to delivered and is free again; a pickup order makes no job.
func TestADeliveryOrderGoesFromReadyToDeliveredWithItsRider(t *testing.T) {
	zone, riders := newZone(t, 1, 2)
	order, pickup := uuid.NewString(), uuid.NewString()
	publishAll(t, "tickets", []map[string]any{ticketEvent("ticket.ready", "ready", order)})
	publishAll(t, "orders", []map[string]any{paidDelivery(order, zone), paidDelivery(pickup, "")})
	publishAll(t, "tickets", []map[string]any{ticketEvent("ticket.ready", "ready", pickup)})

	// The accept window is short here: if it passes, the job comes back to the zone's only
	// rider, and the accept is made on that assignment.
	poll(t, dispatchWithin, func() bool {
		waitAssigned(t, order, riders[0])
		r := moveJob(t, order, riders[0], "accept")
		return r.Status == http.StatusOK
	}, "the rider accepts its job")
	for _, step := range []struct{ action, status string }{{"picked-up", "picked_up"}, {"delivered", "delivered"}} {
		r := moveJob(t, order, riders[0], step.action)
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", step.action, r.Body)
		assert.Equal(t, step.status, decode[jobView](t, r).Status)
	}
	again := moveJob(t, order, riders[0], "delivered")
	require.Equal(t, http.StatusOK, again.Status, "a repeated move answers the job: %s", again.Body)
	assert.Empty(t, readRider(t, riders[0]).Jobs, "a delivered job frees the rider")

	// The pickup order's events were published before the delivery order was delivered, on the
	// same topics; a job of it would have been made by now.
	_, ok := tryJob(t, pickup)
	assert.False(t, ok, "a pickup order is not the delivery service's")
}

// The first rider lets the accept window pass: the job goes to the other rider, the first one's
// load is freed, and its late accept is refused.
func TestAnUnacceptedJobGoesToAnotherRiderAndALateAcceptIsRefused(t *testing.T) {
	zone, riders := newZone(t, 2, 1)
	order := uuid.NewString()
	publishAll(t, "orders", []map[string]any{paidDelivery(order, zone)})
	poll(t, dispatchWithin, func() bool {
		j, ok := tryJob(t, order)
		return ok && j.Status == "pending"
	}, "the paid order's job")
	publishAll(t, "tickets", []map[string]any{ticketEvent("ticket.ready", "ready", order)})
	first := waitAssigned(t, order, riders[0])
	assert.Equal(t, 1, first.Attempt, "the tie goes to the smaller rider id")

	second := waitAssigned(t, order, riders[1])
	assert.Greater(t, second.Attempt, first.Attempt)
	late := moveJob(t, order, riders[0], "accept")
	require.Equal(t, http.StatusConflict, late.Status, "%s", late.Body)
	assert.Equal(t, "reassigned", errorCode(late))
	accepted := moveJob(t, order, riders[1], "accept")
	require.Equal(t, http.StatusOK, accepted.Status, "%s", accepted.Body)
	assert.Empty(t, readRider(t, riders[0]).Jobs, "the first rider's load is freed")
	require.Len(t, readRider(t, riders[1]).Jobs, 1)
}

// A lunch rush in one zone: 200 orders paid and marked ready at once, 20 riders of capacity 10.
// The riders accept what they are given (a job they miss goes round again); in the end every job
// is accepted by exactly one rider, and no rider ever showed more jobs than its capacity.
func TestTwoHundredConcurrentReadyOrdersGoToTwentyRidersWithinCapacity(t *testing.T) {
	const orders, capacity = 200, 10
	zone, riders := newZone(t, 20, capacity)
	ids := make([]string, orders)
	paid, ready := make([]map[string]any, orders), make([]map[string]any, orders)
	for i := range ids {
		ids[i] = uuid.NewString()
		paid[i], ready[i] = paidDelivery(ids[i], zone), ticketEvent("ticket.ready", "ready", ids[i])
	}
	publishAll(t, "orders", paid)
	publishAll(t, "tickets", ready)

	var final map[string]riderView
	poll(t, 2*dispatchWithin, func() bool {
		views := make([]riderView, len(riders))
		var wg sync.WaitGroup
		for i, id := range riders {
			wg.Go(func() {
				r, err := tryCall(http.MethodGet, deliveryURL("riders/"+id), nil)
				if !assert.NoError(t, err) || !assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body) {
					return
				}
				v, accepted := riderView{}, 0
				if !assert.NoError(t, jsonUnmarshal(r.Body, &v)) {
					return
				}
				assert.LessOrEqual(t, len(v.Jobs), capacity, "rider %s over capacity", id)
				for _, j := range v.Jobs {
					if j.Status == "assigned" {
						// Refused when the window just passed: the job goes round again.
						_, _ = tryCallWith(http.MethodPost, deliveryURL("jobs/"+j.OrderID+"/accept"), nil, map[string]string{"X-Rider-Id": id})
					} else {
						accepted++
					}
				}
				if accepted == len(v.Jobs) {
					views[i] = v
				}
			})
		}
		wg.Wait()
		require.False(t, t.Failed())
		final = map[string]riderView{}
		total := 0
		for _, v := range views {
			final[v.RiderID] = v
			total += len(v.Jobs)
		}
		return len(final) == len(riders) && total == orders
	}, "all 200 jobs accepted")

	holder := map[string]string{}
	for id, v := range final {
		assert.LessOrEqual(t, len(v.Jobs), capacity, "rider %s", id)
		for _, j := range v.Jobs {
			assert.Empty(t, holder[j.OrderID], "job %s with two riders", j.OrderID)
			holder[j.OrderID] = id
			assert.Equal(t, id, j.RiderID)
			assert.Equal(t, "accepted", j.Status)
		}
	}
	got := make([]string, 0, len(holder))
	for o := range holder {
		got = append(got, o)
	}
	sort.Strings(got)
	want := append([]string(nil), ids...)
	sort.Strings(want)
	assert.Equal(t, want, got, "every job assigned, once")
}

// Bad input and impossible moves are 4xx with the error envelope, and change nothing.
func TestBadInputAndImpossibleMovesAreRefusedAndChangeNothing(t *testing.T) {
	zone, riders := newZone(t, 2, 1)
	order := uuid.NewString()
	publishAll(t, "orders", []map[string]any{paidDelivery(order, zone)})
	publishAll(t, "tickets", []map[string]any{ticketEvent("ticket.ready", "ready", order)})
	var before jobView
	poll(t, dispatchWithin, func() bool {
		var ok bool
		before, ok = tryJob(t, order)
		return ok && before.Status == "assigned"
	}, "the job is assigned")
	holder, other := before.RiderID, riders[0]
	if other == holder {
		other = riders[1]
	}
	riderBefore := readRider(t, other)

	for _, c := range []struct {
		name, method, path, rider string
		body                      any
		status                    int
		code                      string
	}{
		{"deliver before accepting", http.MethodPost, "jobs/" + order + "/delivered", holder, nil, 409, "illegal_move"},
		{"another rider's job", http.MethodPost, "jobs/" + order + "/accept", other, nil, 403, "not_your_job"},
		{"an unknown rider", http.MethodPost, "jobs/" + order + "/accept", "nobody-" + zone, nil, 404, "not_found"},
		{"no rider", http.MethodPost, "jobs/" + order + "/accept", "", nil, 400, "invalid_argument"},
		{"an unknown move", http.MethodPost, "jobs/" + order + "/teleport", holder, nil, 400, "invalid_argument"},
		{"an unknown job", http.MethodPost, "jobs/" + uuid.NewString() + "/accept", holder, nil, 404, "not_found"},
		{"a bad job id", http.MethodGet, "jobs/a.b", "", nil, 400, "invalid_argument"},
		{"malformed rider", http.MethodPut, "riders/" + other, "", `{"zone":`, 400, "malformed_json"},
		{"negative capacity", http.MethodPut, "riders/" + other, "", map[string]any{"zone": zone, "capacity": -1}, 400, "invalid_argument"},
		{"unknown field", http.MethodPut, "riders/" + other, "", map[string]any{"zone": zone, "speed": 9}, 400, "invalid_argument"},
		{"unknown zone", http.MethodPut, "riders/" + other, "", map[string]any{"zone": "nowhere-" + zone}, 404, "not_found"},
		{"a zone without a name", http.MethodPut, "zones/" + zone, "", map[string]any{}, 400, "invalid_argument"},
		{"duty of an unknown rider", http.MethodPost, "riders/nobody-" + zone + "/on-duty", "", nil, 404, "not_found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := tryCallWith(c.method, deliveryURL(c.path), c.body, map[string]string{"X-Rider-Id": c.rider})
			require.NoError(t, err)
			require.Equal(t, c.status, r.Status, "%s", r.Body)
			assert.Equal(t, c.code, errorCode(r))
		})
	}
	after, ok := tryJob(t, order)
	require.True(t, ok)
	// The accept window may have moved the job meanwhile (that is the service's own change);
	// nothing the refused requests asked for happened.
	assert.NotEqual(t, "delivered", after.Status)
	assert.NotEqual(t, "accepted", after.Status)
	riderAfter := readRider(t, other)
	assert.Equal(t, riderBefore.Capacity, riderAfter.Capacity)
	assert.Equal(t, riderBefore.Zone, riderAfter.Zone)
	assert.True(t, riderAfter.OnDuty)
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// The delivery variant of an order's whole life, through every real service: a checkout to a
// building of a zone, paid at the provider; the store accepts and readies the ticket, the
// zone's rider is given the job, accepts, collects it (the store's pickup move), and delivers
// it; the order is ready until then and completed by the delivery, which its customer's stream
// shows last.
func TestADeliveryOrderIsPaidCookedCarriedAndCompleted(t *testing.T) {
	zone, riders := newZone(t, 1, 3)
	store, dish := saleStore(t, 10, 1)
	customer := "dorm-" + uuid.NewString()[:8]
	r, err := checkout(customer, uuid.NewString(), withDelivery(orderBody(store, dish, 1), zone, "Dorm 7"))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	o := decode[order](t, r)
	paymentLedger.add(o, store, dish) // the payment suite's audit counts it too
	p, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, p.Status, "%s", p.Body)
	pay(t, decode[paymentView](t, p))
	poll(t, admitWithin, func() bool { _, ok := tryTicket(t, store, o.ID); return ok }, "the ticket appears")
	stream := openOrderStream(t, o.ID, o.CustomerID, "")

	for _, action := range []string{"accept", "start", "ready"} {
		require.Equal(t, http.StatusOK, moveTicket(t, store, o.ID, action).Status, action)
	}
	poll(t, dispatchWithin, func() bool {
		waitAssigned(t, o.ID, riders[0])
		return moveJob(t, o.ID, riders[0], "accept").Status == http.StatusOK
	}, "the zone's rider accepts the job")
	require.Equal(t, http.StatusOK, moveTicket(t, store, o.ID, "pickup").Status, "the rider collects it at the store")
	require.Equal(t, http.StatusOK, moveJob(t, o.ID, riders[0], "picked-up").Status)
	poll(t, settleWithin, func() bool { return readOrder(t, o).Status == "ready" }, "on its way, the order is still ready")

	require.Equal(t, http.StatusOK, moveJob(t, o.ID, riders[0], "delivered").Status)
	poll(t, settleWithin, func() bool { return readOrder(t, o).Status == "completed" }, "delivered: the order is completed")
	seen := stream.untilAll(t, "order.completed", "delivery.delivered")
	types := frameTypes(seen)
	assert.Subset(t, types, []string{"order.accepted", "order.ready", "ticket.picked_up", "order.completed"})
	assert.Less(t, slices.Index(types, "ticket.picked_up"), slices.Index(types, "order.completed"), "completed only after the pickup: %v", types)
}
