package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The order's side of the payment saga, through the Dapr API: stock sold on payment and back on
// sale on a refund, an outage of the provider behind an open breaker, processes killed between a
// notification and its effects, and at the end an audit of every order the payment tests made.

// ledger remembers every order the payment tests placed, with its store and dish, for the audit.
type ledger struct {
	mu     sync.Mutex
	orders map[string]ledgerEntry
}

type ledgerEntry struct {
	o           order
	store, dish string
}

var paymentLedger = &ledger{orders: map[string]ledgerEntry{}}

func (l *ledger) add(o order, store, dish string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.orders[o.ID] = ledgerEntry{o: o, store: store, dish: dish}
}

func (l *ledger) entries() []ledgerEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ledgerEntry, 0, len(l.orders))
	for _, e := range l.orders {
		out = append(out, e)
	}
	return out
}

// paidOrder checks out, creates the payment and pays it at the provider.
func paidOrder(t *testing.T) (order, paymentView) {
	t.Helper()
	o := unpaidOrder(t)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	p := decode[paymentView](t, r)
	pay(t, p)
	return o, p
}

func dishOf(t *testing.T, o order) (store, dish string) {
	t.Helper()
	paymentLedger.mu.Lock()
	defer paymentLedger.mu.Unlock()
	e, ok := paymentLedger.orders[o.ID]
	require.True(t, ok)
	return e.store, e.dish
}

// Happy path: the notification settles the payment, inventory sells the unit (not reserved), the
// order is paid. Cancelled before the store accepts it, it is refunded and the unit is back on sale.
func TestAPaidOrderSellsItsStockAndItsCancelGivesItBack(t *testing.T) {
	o, p := paidOrder(t)
	store, dish := dishOf(t, o)
	poll(t, settleWithin, func() bool { return readOrder(t, o).Status == "paid" }, "paid")
	v := readStock(t, store, dish)
	assert.EqualValues(t, 1, v.Sold, "sold, not reserved")
	assert.Zero(t, v.Reserved)
	assert.EqualValues(t, 9, v.Available)

	cancelOrder(t, o.ID, o.CustomerID)
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "refunded" }, "refunded")
	poll(t, settleWithin, func() bool {
		v, ok := tryReadStock(t, store, dish)
		return ok && v.Sold == 0 && v.Available == 10
	}, "the refunded order's unit back on sale")
	assert.Equal(t, "cancelled", readOrder(t, o).Status)
	var at struct {
		RefundedCents int64 `json:"refunded_cents"`
	}
	require.NoError(t, json.Unmarshal(call(t, http.MethodGet, paysimURL("v1/payments/"+p.TxnID), nil).Body, &at))
	assert.Equal(t, p.AmountCents, at.RefundedCents)
}

// A payment whose order was cancelled before the money arrived is refunded, and its unit counted
// once: released by the cancel, never sold.
func TestAPaymentForAnEndedOrderIsRefundedAndItsStockCountedOnce(t *testing.T) {
	o := unpaidOrder(t)
	store, dish := dishOf(t, o)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	p := decode[paymentView](t, r)
	cancelOrder(t, o.ID, o.CustomerID)
	pay(t, p) // the customer pays at the provider all the same
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "refunded" }, "refunded")
	got := readOrder(t, o)
	assert.Equal(t, "cancelled", got.Status)
	v := readStock(t, store, dish)
	assert.Zero(t, v.Sold)
	assert.EqualValues(t, 10, v.Available)
}

// The provider down: payment answers 503 payment_unavailable, the breaker in payment's sidecar
// opens (its metrics say so), checkouts are still answered, and once the provider is back the
// pending payment is created and settles.
func TestAProviderOutageOpensTheBreakerAndPaymentsSettleWhenItIsBack(t *testing.T) {
	o := unpaidOrder(t)
	setFaults(t, "v1/faults", map[string]any{"down": true})
	up := false
	defer func() {
		if !up {
			setFaults(t, "v1/faults", map[string]any{"down": false})
		}
	}()
	for range 3 { // three tries each (the retry policy): past the breaker's five failures
		r, err := createPayment(o.ID, o.CustomerID)
		require.NoError(t, err)
		require.Equal(t, http.StatusServiceUnavailable, r.Status, "%s", r.Body)
		assert.Equal(t, "payment_unavailable", errorCode(r))
		assert.NotEmpty(t, r.Header.Get("Retry-After"))
	}
	metrics := get(t, platform.App("payment").MetricsURL())
	assert.True(t, breakerOpened(metrics, "paysim"), "payment's sidecar reports the paysim breaker open:\n%s", resiliencyLines(metrics))

	during := unpaidOrder(t) // checkout does not depend on the provider
	assert.Equal(t, "pending_payment", during.Status)

	setFaults(t, "v1/faults", map[string]any{"down": false})
	up = true
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "pending" }, "created at the provider")
	p := readPayment(t, o.ID, o.CustomerID)
	r, err := createPayment(o.ID, o.CustomerID) // the customer asks again: the same payment, with its token
	require.NoError(t, err)
	require.Less(t, r.Status, 300, "%s", r.Body)
	p = decode[paymentView](t, r)
	pay(t, p)
	poll(t, settleWithin, func() bool { return readOrder(t, o).Status == "paid" }, "paid once the provider is back")
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(raw)
}

// breakerOpened reports whether Dapr's resiliency metrics count an opening of target's breaker.
func breakerOpened(metrics, target string) bool {
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, "dapr_resiliency_activations_total{") && strings.Contains(l, `status="open"`) &&
			strings.Contains(l, target) && !strings.HasSuffix(l, " 0") {
			return true
		}
	}
	return false
}

func resiliencyLines(metrics string) string {
	var out []string
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, "dapr_resiliency") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// kill -9 of the payment app, then of the order app, while notifications are being settled:
// after the restart every order is paid exactly once (one sale of its unit, no refund).
func TestKilledPaymentOrOrderAppBetweenNotificationAndEventPaysOnce(t *testing.T) {
	for _, app := range []string{"payment", "order"} {
		t.Run(app, func(t *testing.T) {
			const n = 8
			orders := make([]order, n)
			payments := make([]paymentView, n)
			for i := range n {
				orders[i] = unpaidOrder(t)
				r, err := createPayment(orders[i].ID, orders[i].CustomerID)
				require.NoError(t, err)
				require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
				payments[i] = decode[paymentView](t, r)
			}
			var wg sync.WaitGroup
			for _, p := range payments {
				wg.Go(func() {
					r, err := tryCall(http.MethodPost, paysimURL("v1/payments/"+p.TxnID+"/pay"), map[string]string{"pay_token": p.PayToken})
					if assert.NoError(t, err) {
						assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
					}
				})
			}
			wg.Wait()
			// paysim notifies 100 ms after a payment: the kill lands among the notifications and
			// the writes and publishes they cause.
			time.Sleep(150 * time.Millisecond)
			a := platform.App(app)
			a.KillApp()
			require.NoError(t, a.StartApp(t.Context()))
			for i, o := range orders {
				poll(t, 2*settleWithin, func() bool {
					r, err := tryCallWith(http.MethodGet, orderURL("orders/"+o.ID), nil, map[string]string{"X-Customer-Id": o.CustomerID})
					return err == nil && r.Status == http.StatusOK && decode[order](t, r).Status == "paid"
				}, "order "+o.ID+" paid after the restart")
				store, dish := dishOf(t, o)
				v := readStock(t, store, dish)
				assert.EqualValues(t, 1, v.Sold, "its unit sold once")
				assert.Zero(t, v.Reserved)
				assert.Equal(t, "succeeded", readPayment(t, o.ID, o.CustomerID).Status, "not refunded: %s", payments[i].TxnID)
			}
		})
	}
}

// The audit of the payment suite (it runs last: this file sorts last and this test is its last):
// for every order the payment tests placed, succeeded payments minus refunds at the provider equal
// the totals of the paid orders, every succeeded payment belongs to exactly one order (its txn),
// and every sold unit belongs to a paid order.
func TestPaymentSuiteAudit(t *testing.T) {
	entries := paymentLedger.entries()
	if len(entries) == 0 {
		t.Fatal("no payment test placed an order: run the payment suite with its audit")
	}
	var netPaid, paidTotals int64
	txns := map[string]string{}
	for _, e := range entries {
		var o struct {
			order
			TxnID     string `json:"txn_id"`
			RefundDue bool   `json:"refund_due"`
		}
		r, err := tryCallWith(http.MethodGet, orderURL("orders/"+e.o.ID), nil, map[string]string{"X-Customer-Id": e.o.CustomerID})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		require.NoError(t, json.Unmarshal(r.Body, &o))
		paid := o.Status == "paid" || o.Status == "accepted" || o.Status == "ready" || o.Status == "completed"
		if paid {
			paidTotals += o.TotalCents
		}

		var at struct {
			TxnID           string `json:"txn_id"`
			MerchantOrderID string `json:"merchant_order_id"`
			Status          string `json:"status"`
			AmountCents     int64  `json:"amount_cents"`
			RefundedCents   int64  `json:"refunded_cents"`
		}
		pr := call(t, http.MethodGet, paysimURL("v1/payments?merchant_order_id="+e.o.ID), nil)
		if pr.Status == http.StatusNotFound {
			assert.False(t, paid, "order %s is paid with no payment at the provider", e.o.ID)
		} else {
			require.Equal(t, http.StatusOK, pr.Status, "%s", pr.Body)
			require.NoError(t, json.Unmarshal(pr.Body, &at))
			if at.Status == "succeeded" || at.Status == "refunded" {
				netPaid += at.AmountCents - at.RefundedCents
				assert.Empty(t, txns[at.TxnID], "txn %s maps to one order", at.TxnID)
				txns[at.TxnID] = e.o.ID
				assert.Equal(t, e.o.ID, at.MerchantOrderID)
				if paid {
					assert.Equal(t, at.TxnID, o.TxnID, "order %s is paid by its own payment", e.o.ID)
					assert.Zero(t, at.RefundedCents, "a paid order %s is not refunded", e.o.ID)
				} else {
					assert.Equal(t, at.AmountCents, at.RefundedCents, "order %s is not paid: its money went back", e.o.ID)
				}
			} else {
				assert.False(t, paid, "order %s is paid while its payment is %s", e.o.ID, at.Status)
			}
		}

		v := readStock(t, e.store, e.dish) // each order has its own store and dish
		if paid {
			assert.EqualValues(t, 1, v.Sold, "order %s: its unit sold", e.o.ID)
		} else {
			assert.Zero(t, v.Sold, "order %s is not paid: nothing of its dish is sold", e.o.ID)
		}
	}
	assert.Equal(t, paidTotals, netPaid, "succeeded payments minus refunds = the totals of paid orders")
	t.Logf("audited %d orders: %d cents paid net, %d payments", len(entries), netPaid, len(txns))
}
