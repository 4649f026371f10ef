package e2e

// The kitchen suite, through real sidecars: paid orders reach their store's queue actor
// (StoreQueue, placed by the placement service), staff move tickets, and a lunch rush of paid
// orders for one store gets distinct pickup codes, once.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// admitWithin bounds "the paid order reaches its store's queue": one event delivery and one
// actor call, a first activation placing the actor included.
const admitWithin = 30 * time.Second

func kitchenURL(path string) string { return platform.App("kitchen").URL(path) }

type ticketView struct {
	OrderID string `json:"order_id"`
	StoreID string `json:"store_id"`
	Code    string `json:"code"`
	Status  string `json:"status"`
	Cursor  int64  `json:"cursor"`
}

type queueView struct {
	Working int          `json:"working"`
	Tickets []ticketView `json:"tickets"`
}

type ticketPage struct {
	Tickets []ticketView `json:"tickets"`
	Cursor  int64        `json:"cursor"`
}

var codePattern = regexp.MustCompile(`^[A-Z]{1,3}[0-9]{3}$`)

// tryTicket reads the store's ticket of the order; ok is false while there is none.
func tryTicket(t *testing.T, store, orderID string) (ticketView, bool) {
	t.Helper()
	r := call(t, http.MethodGet, kitchenURL("stores/"+store+"/tickets/"+orderID), nil)
	if r.Status == http.StatusNotFound {
		return ticketView{}, false
	}
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return decode[ticketView](t, r), true
}

// awaitTicket waits for the paid order's ticket to appear in its store's queue.
func awaitTicket(t *testing.T, store, orderID string) {
	t.Helper()
	poll(t, admitWithin, func() bool {
		_, ok := tryTicket(t, store, orderID)
		return ok
	}, "the paid order's ticket appears in its store's queue")
}

func moveTicket(t *testing.T, store, orderID, action string) response {
	t.Helper()
	return call(t, http.MethodPost, kitchenURL("stores/"+store+"/tickets/"+orderID+"/"+action), nil)
}

// Pay an order through checkout, payment and the provider: its ticket appears in its store's
// queue with a pickup code, and staff take it to picked up; a move its status does not allow is
// 409, and the store's ticket is not found under another store.
func TestAPaidOrderGetsAPickupCodeAndStaffTakeItToPickup(t *testing.T) {
	o := unpaidOrder(t)
	store, _ := dishOf(t, o)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	pay(t, decode[paymentView](t, r))

	var tk ticketView
	poll(t, admitWithin, func() bool {
		var ok bool
		tk, ok = tryTicket(t, store, o.ID)
		return ok
	}, "the paid order's ticket appears in its store's queue")
	assert.Regexp(t, codePattern, tk.Code)
	assert.Equal(t, "queued", tk.Status)

	illegal := moveTicket(t, store, o.ID, "pickup")
	require.Equal(t, http.StatusConflict, illegal.Status, "%s", illegal.Body)
	assert.Equal(t, "illegal_move", errorCode(illegal))

	other := "other-" + uuid.NewString()[:8]
	for _, r := range []response{moveTicket(t, other, o.ID, "accept"), call(t, http.MethodGet, kitchenURL("stores/"+other+"/tickets/"+o.ID), nil)} {
		require.Equal(t, http.StatusNotFound, r.Status, "%s", r.Body)
		assert.Equal(t, "not_found", errorCode(r))
	}
	bad := moveTicket(t, store, o.ID, "cook")
	require.Equal(t, http.StatusBadRequest, bad.Status, "%s", bad.Body)

	// The order follows its ticket by the kitchen's events (preparing is the kitchen's own step).
	for _, step := range []struct{ action, status, order string }{{"accept", "accepted", "accepted"}, {"start", "preparing", "accepted"},
		{"ready", "ready", "ready"}, {"pickup", "picked_up", "completed"}} {
		r := moveTicket(t, store, o.ID, step.action)
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", step.action, r.Body)
		assert.Equal(t, step.status, decode[ticketView](t, r).Status)
		poll(t, settleWithin, func() bool { return readOrder(t, o).Status == step.order }, "the order follows its ticket: "+step.order)
	}
	again := moveTicket(t, store, o.ID, "pickup")
	require.Equal(t, http.StatusOK, again.Status, "a repeated pickup answers the ticket: %s", again.Body)
	after := moveTicket(t, store, o.ID, "accept")
	require.Equal(t, http.StatusConflict, after.Status, "%s", after.Body)
	done, ok := tryTicket(t, store, o.ID)
	require.True(t, ok, "a picked-up ticket is still readable (archived)")
	assert.Equal(t, tk.Code, done.Code)
}

// The store rejects a paid order it accepted: the order is cancelled with the store's reason,
// its payment refunded in full, and its unit back on sale.
func TestAStoreRejectionRefundsThePaidOrderAndReturnsItsUnit(t *testing.T) {
	o, p := paidOrder(t)
	store, dish := dishOf(t, o)
	awaitTicket(t, store, o.ID)
	require.Equal(t, http.StatusOK, moveTicket(t, store, o.ID, "accept").Status)
	poll(t, settleWithin, func() bool { return readOrder(t, o).Status == "accepted" }, "accepted")
	cancel, err := tryCallWith(http.MethodPost, orderURL("orders/"+o.ID+"/cancel"), nil, map[string]string{"X-Customer-Id": o.CustomerID})
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, cancel.Status, "accepted by the store, no longer the customer's to cancel: %s", cancel.Body)

	r := call(t, http.MethodPost, kitchenURL("stores/"+store+"/tickets/"+o.ID+"/reject"), map[string]string{"reason": "the wok broke"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Equal(t, "rejected", decode[ticketView](t, r).Status)
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "refunded" }, "refunded")
	ro, err := tryCallWith(http.MethodGet, orderURL("orders/"+o.ID), nil, map[string]string{"X-Customer-Id": o.CustomerID})
	require.NoError(t, err)
	got := decode[struct {
		Status    string `json:"status"`
		Reason    string `json:"reason"`
		RefundDue bool   `json:"refund_due"`
	}](t, ro)
	assert.Equal(t, "cancelled", got.Status)
	assert.Equal(t, "rejected by the store: the wok broke", got.Reason)
	assert.True(t, got.RefundDue)
	var at struct {
		RefundedCents int64 `json:"refunded_cents"`
	}
	require.NoError(t, json.Unmarshal(call(t, http.MethodGet, paysimURL("v1/payments/"+p.TxnID), nil).Body, &at))
	assert.Equal(t, p.AmountCents, at.RefundedCents, "in full, once")
	poll(t, settleWithin, func() bool {
		v, ok := tryReadStock(t, store, dish)
		return ok && v.Sold == 0 && v.Available == 10
	}, "the rejected order's unit back on sale")
}

// publishPaid publishes order.paid events as the order service's outbox does, from the kitchen's
// own sidecar.
func publishPaid(t *testing.T, store string, orders []string) {
	t.Helper()
	events := make([]map[string]any, len(orders))
	for i, id := range orders {
		events[i] = map[string]any{"type": "order.paid", "order_id": id, "customer_id": "c-" + id[:8], "store_id": store, "period": period,
			"status": "paid", "items": []map[string]any{{"dish_id": "rice", "quantity": 1, "price_cents": 990}}, "total_cents": 990, "at": time.Now()}
	}
	publishFrom(t, "kitchen", "orders", events)
}

// publishFrom publishes the events on topic from app's sidecar, 16 at a time; failures are
// collected, not required inside the goroutines.
func publishFrom(t *testing.T, app, topic string, events []map[string]any) {
	t.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []string
		work = make(chan map[string]any)
	)
	for range 16 {
		wg.Go(func() {
			for e := range work {
				r, err := tryCall(http.MethodPost, platform.App(app).DaprURL("/v1.0/publish/pubsub/"+topic), e)
				if err == nil && r.Status != http.StatusNoContent {
					err = fmt.Errorf("publish %v: %d %s", e["order_id"], r.Status, r.Body)
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err.Error())
					mu.Unlock()
				}
			}
		})
	}
	for _, e := range events {
		work <- e
	}
	close(work)
	wg.Wait()
	require.Empty(t, errs)
}

func readQueue(t *testing.T, store string) queueView {
	t.Helper()
	r := call(t, http.MethodGet, kitchenURL("stores/"+store+"/queue"), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return decode[queueView](t, r)
}

// rush is how many orders of one store are paid at once in the lunch-rush test.
const rush = 1000

// A lunch rush: a thousand orders of one store paid at once are admitted by the store's one
// actor, concurrently delivered, into as many tickets with distinct codes (invariant 5); the same
// events delivered again change nothing; the POS pulls them all until it acknowledges.
func TestAThousandPaidOrdersOfOneStoreGetDistinctCodesOnce(t *testing.T) {
	store := "rush-" + uuid.NewString()[:8]
	orders := make([]string, rush)
	for i := range orders {
		orders[i] = uuid.NewString()
	}
	publishPaid(t, store, orders)
	poll(t, 6*admitWithin, func() bool { return readQueue(t, store).Working == len(orders) }, "every paid order is admitted")

	first := readQueue(t, store)
	codes := map[string]string{}
	for _, tk := range first.Tickets {
		assert.Regexp(t, codePattern, tk.Code)
		codes[tk.Code] = tk.OrderID
	}
	assert.Len(t, codes, len(orders), "distinct codes")
	for _, id := range orders {
		assert.Contains(t, codes, codeOf(first, id), "order %s has a ticket", id)
	}

	publishPaid(t, store, orders)
	sentinel := uuid.NewString()
	publishPaid(t, store, []string{sentinel})
	poll(t, admitWithin, func() bool { _, ok := tryTicket(t, store, sentinel); return ok }, "the order published after the duplicates is admitted")
	time.Sleep(2 * time.Second) // duplicates still being delivered would show as changed tickets
	again := readQueue(t, store)
	assert.Equal(t, len(orders)+1, again.Working, "the duplicates admitted nothing")
	for _, id := range orders {
		assert.Equal(t, codeOf(first, id), codeOf(again, id), "order %s keeps its code", id)
	}

	r := call(t, http.MethodGet, kitchenURL("stores/"+store+"/tickets"), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	page := decode[ticketPage](t, r)
	assert.Len(t, page.Tickets, len(orders)+1, "one change per admission, nothing acknowledged yet")
	assert.EqualValues(t, len(orders)+1, page.Cursor, "one change per admission: the duplicates made none")
	ack := call(t, http.MethodPost, kitchenURL("stores/"+store+"/tickets/ack"), map[string]any{"cursor": page.Cursor})
	require.Equal(t, http.StatusOK, ack.Status, "%s", ack.Body)
	r = call(t, http.MethodGet, kitchenURL("stores/"+store+"/tickets"), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Empty(t, decode[ticketPage](t, r).Tickets, "acknowledged tickets are not offered again")
}

func codeOf(q queueView, orderID string) string {
	for _, tk := range q.Tickets {
		if tk.OrderID == orderID {
			return tk.Code
		}
	}
	return ""
}

// Two instances of the kitchen app, each with its own sidecar: one dies (app and sidecar killed
// with SIGKILL, as a pod does) while the paid orders of twenty stores pour in. Placement moves
// its stores' actors to the other instance, the broker redelivers what it was handling, and every
// order ends with exactly one ticket, the codes of each store distinct.
func TestAKitchenInstanceKilledMidRushLosesAndDoublesNoTicket(t *testing.T) {
	second, err := platform.Replica(t.Context(), "kitchen")
	require.NoError(t, err)
	const stores, each = 20, 30
	byStore := map[string][]string{}
	for range stores {
		store := "failover-" + uuid.NewString()[:8]
		for range each {
			byStore[store] = append(byStore[store], uuid.NewString())
		}
	}
	publishAll := func(from, to int) {
		for store, orders := range byStore {
			publishPaid(t, store, orders[from:to])
		}
	}
	publishAll(0, each/2)
	second.KillApp()
	second.KillSidecar()
	publishAll(each/2, each)
	for store, orders := range byStore {
		admitted := func() int {
			r, err := tryCall(http.MethodGet, kitchenURL("stores/"+store+"/queue"), nil)
			var q queueView
			if err != nil || r.Status != http.StatusOK || json.Unmarshal(r.Body, &q) != nil {
				return -1
			}
			return q.Working
		}
		if !assert.Eventually(t, func() bool { return admitted() == len(orders) }, 6*admitWithin, 500*time.Millisecond) {
			letters := call(t, http.MethodGet, kitchenURL("ops/deadletters"), nil)
			t.Fatalf("%s: %d of %d orders admitted; the kitchen's dead letters: %s", store, admitted(), len(orders), letters.Body)
		}
		q := readQueue(t, store)
		codes := map[string]bool{}
		for _, tk := range q.Tickets {
			codes[tk.Code] = true
		}
		assert.Len(t, codes, len(orders), "one ticket per order of %s, distinct codes", store)
		for _, id := range orders {
			assert.NotEmpty(t, codeOf(q, id), "order %s has its ticket", id)
		}
	}
}
