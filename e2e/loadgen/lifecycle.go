package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

// lifecycleScenario: the order's whole way to paid, as a customer goes through it. Each request is
// a checkout (1-2 dishes of one of many stores), the payment's creation at the payment service,
// and the payment at the provider (paysim), all through the sidecars; the provider's signed
// notification then settles the payment and the saga pays the order, which the bench app sees as
// order.paid. The ramp times the customer's three calls; the report adds the time from the
// checkout's start to order.paid, and the audit checks the money and the stock.
func lifecycleScenario(ctx context.Context, c *http.Client, p *harness.Platform, k catalog, sc *sidecars, bench *benchApp, o options) (*Scenario, error) {
	s := &Scenario{Name: "lifecycle", Unit: "paid order", Target: o.lifecycleP99,
		About: fmt.Sprintf("checkout (1-2 dishes of one of %d stores), payment created, paid at the provider, notified and settled to paid; distinct customers, period %s",
			o.stores, k.period)}
	stores, items, err := k.stores(ctx, "lifecycle", "Lifecycle", o)
	if err != nil {
		return nil, err
	}

	payment, paysim := p.App("payment"), p.App("paysim")
	led := newLedger(c, p.App("order"), k.period)
	var (
		mu      sync.Mutex
		started = map[string]time.Time{} // paid at the provider: order id -> its checkout's start
	)
	r := Ramp{Name: "lifecycle", Start: o.checkoutStart, Factor: o.factor, Step: o.step, MinRequests: o.minRequests, MaxSteps: o.maxSteps,
		StopAfter: o.stopAfter, MaxInFlight: o.maxInFlight, Refine: o.refine, Warmup: o.warmup,
		Do: func(ctx context.Context, i int) Outcome {
			t0 := time.Now()
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			st := stores[rng.IntN(len(stores))]
			a := &Attempt{Customer: fmt.Sprintf("l-%s-%d", k.run, i), Key: "k1", Store: st.id}
			for _, j := range rng.Perm(len(st.dishes))[:1+rng.IntN(min(2, len(st.dishes)))] {
				a.Lines = append(a.Lines, Line{Dish: st.dishes[j], Qty: 1})
			}
			if out := led.checkout(ctx, i, a); out != "" {
				return "checkout " + out
			}
			as := map[string]string{"X-Customer-Id": a.Customer}
			ans, err := call(ctx, c, http.MethodPost, payment.URL("payments"), fmt.Sprintf(`{"order_id":%q}`, a.OrderID), as)
			if out := outcomeOf(ans, err); out != "" {
				return "payment " + out
			}
			var pay struct {
				TxnID    string `json:"txn_id"`
				PayToken string `json:"pay_token"`
			}
			if json.Unmarshal(ans.Body, &pay) != nil || pay.TxnID == "" {
				return "payment bad-answer"
			}
			if out := send(ctx, c, http.MethodPost, paysim.URL("v1/payments/"+pay.TxnID+"/pay"), fmt.Sprintf(`{"pay_token":%q}`, pay.PayToken), nil); out != "" {
				return "pay " + out
			}
			mu.Lock()
			started[a.OrderID] = t0
			mu.Unlock()
			return ""
		}}
	s.runRamp(ctx, r, sc, nil)

	fmt.Fprintf(progress, "  lifecycle: waiting for %d orders to be paid ...\n", len(started))
	paid := bench.paidLatency(ctx, started, 60*time.Second)
	s.Notes = append(s.Notes, fmt.Sprintf("From the checkout's start to order.paid at a subscriber behind its own sidecar (the provider notifying at once: NOTIFY_DELAY 0), every order paid at the provider: p50 %s, p95 %s, p99 %s, max %s; %d of %d not paid within 60 s.",
		ms(paid.Latency.P50), ms(paid.Latency.P95), ms(paid.Latency.P99), ms(paid.Latency.Max), paid.Missing, len(started)))
	s.Audit = append(s.Audit, check("every order paid at the provider is paid", paid.Missing == 0, "%d of %d not paid within 60 s", paid.Missing, len(started)))
	s.Audit = append(s.Audit, auditMoney(ctx, c, led, payment, started)...)
	s.Audit = append(s.Audit, led.auditSold(ctx, k, items, bench.paid(started))...)
	return s, nil
}

// auditMoney checks, for every order the run created: the payment service's succeeded payments
// (minus refunds) equal the totals of the paid orders, and each succeeded payment is its own
// order's.
func auditMoney(ctx context.Context, c *http.Client, led *ledger, payment *harness.App, started map[string]time.Time) []Check {
	var paidTotals, netPaid int64
	var orders, payments, mismatched, unreadable int
	for _, a := range led.created() {
		orders++
		as := map[string]string{"X-Customer-Id": a.Customer}
		var o struct {
			Status     string `json:"status"`
			TotalCents int64  `json:"total_cents"`
			TxnID      string `json:"txn_id"`
		}
		if err := callJSON(ctx, c, http.MethodGet, led.order.URL("orders/"+a.OrderID), "", as, &o); err != nil {
			unreadable++
			continue
		}
		if o.Status == "paid" {
			paidTotals += o.TotalCents
		}
		ans, err := call(ctx, c, http.MethodGet, payment.URL("payments/"+a.OrderID), "", as)
		if err != nil || (ans.Status != http.StatusOK && ans.Status != http.StatusNotFound) {
			unreadable++
			continue
		}
		if ans.Status == http.StatusNotFound {
			if o.Status == "paid" {
				mismatched++
			}
			continue
		}
		var pay struct {
			TxnID       string `json:"txn_id"`
			Status      string `json:"status"`
			AmountCents int64  `json:"amount_cents"`
		}
		if json.Unmarshal(ans.Body, &pay) != nil {
			unreadable++
			continue
		}
		switch pay.Status {
		case "succeeded":
			payments++
			netPaid += pay.AmountCents
			if o.Status != "paid" || o.TxnID != pay.TxnID {
				mismatched++
			}
		case "refunded", "refund_pending":
			payments++ // its money went back (or is going back): nets to zero once refunded
			if o.Status == "paid" {
				mismatched++
			}
		}
	}
	return []Check{
		check("succeeded payments minus refunds = the totals of paid orders", netPaid == paidTotals && unreadable == 0,
			"%d cents paid net, %d cents of paid orders (%d orders, %d payments, %d unreadable)", netPaid, paidTotals, orders, payments, unreadable),
		check("every succeeded payment is its own order's, and every paid order has one", mismatched == 0, "%d mismatched", mismatched),
	}
}

// auditSold checks every item: its units add up, and what it sold is exactly the lines of the
// paid orders (every sold unit belongs to a paid order, and none is sold twice).
func (l *ledger) auditSold(ctx context.Context, k catalog, items map[[2]string]int64, paid map[string]bool) []Check {
	want := map[[2]string]int64{}
	for _, a := range l.created() {
		if paid[a.OrderID] {
			for _, ln := range a.Lines {
				want[[2]string{a.Store, ln.Dish}] += int64(ln.Qty)
			}
		}
	}
	var (
		mu          sync.Mutex
		off, unread []string
		sold        int64
	)
	keys := make([][2]string, 0, len(items))
	for it := range items {
		keys = append(keys, it)
	}
	parallel(ctx, len(keys), 16, func(i int) {
		it := keys[i]
		v, err := k.stock(ctx, it[0], it[1])
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			unread = append(unread, err.Error())
		case v.Sold != want[it] || v.Sold+v.Reserved+v.Available != v.Restocked || v.Available < 0:
			off = append(off, fmt.Sprintf("%s/%s: sold %d (paid orders' lines %d), reserved %d, available %d, restocked %d", it[0], it[1], v.Sold, want[it], v.Reserved, v.Available, v.Restocked))
		default:
			sold += v.Sold
		}
	})
	detail := fmt.Sprintf("%d items, %d units sold, %d paid orders; %d items off, %d unreadable", len(items), sold, len(paid), len(off), len(unread))
	if len(off) > 0 {
		detail += "; first: " + off[0]
	}
	return []Check{check("every sold unit belongs to a paid order, once; units add up on every item", len(off) == 0 && len(unread) == 0, "%s", detail)}
}
