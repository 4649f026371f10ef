package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

// checkoutScenario: plenty of stock over many stores and dishes, distinct customers, 1 to 3
// dishes of one store per order (1 or 2 of each), through the order's sidecar. The bench app's
// subscriber times each created order's event, step by step.
func checkoutScenario(ctx context.Context, c *http.Client, p *harness.Platform, k catalog, sc *sidecars, bench *benchApp, o options) (*Scenario, error) {
	s := &Scenario{Name: "checkout", Unit: "checkout", Target: o.checkoutP99,
		About: fmt.Sprintf("%d stores x %d dishes, %d units of each, distinct customers, 1-3 dishes of one store per order (1-2 units each), period %s",
			o.stores, o.dishes, o.checkoutStock, k.period)}
	stores, items, err := k.stores(ctx, "checkout", "Checkout", o)
	if err != nil {
		return nil, err
	}

	led := newLedger(c, p.App("order"), k.period)
	r := Ramp{Name: "checkout", Start: o.checkoutStart, Factor: o.factor, Step: o.step, MinRequests: o.minRequests, MaxSteps: o.maxSteps,
		StopAfter: o.stopAfter, MaxInFlight: o.maxInFlight, Refine: o.refine, Warmup: o.warmup,
		Do: func(ctx context.Context, i int) Outcome {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			st := stores[rng.IntN(len(stores))]
			a := &Attempt{Customer: fmt.Sprintf("c-%s-%d", k.run, i), Key: "k1", Store: st.id}
			for _, j := range rng.Perm(len(st.dishes))[:1+rng.IntN(min(3, len(st.dishes)))] {
				a.Lines = append(a.Lines, Line{Dish: st.dishes[j], Qty: 1 + rng.IntN(2)})
			}
			return led.checkout(ctx, i, a)
		}}
	// Each step's created orders, for their events' latency: after each step, the attempts it
	// added (all answered by then).
	var byStep [][]string
	next := 0
	s.runRamp(ctx, r, sc, func() {
		var ids []string
		led.mu.Lock()
		defer led.mu.Unlock()
		for ; ; next++ {
			a, ok := led.attempts[next]
			if !ok {
				break
			}
			if a.Outcome == "" {
				ids = append(ids, a.OrderID)
			}
		}
		byStep = append(byStep, ids)
	})

	var all []string
	for _, ids := range byStep {
		all = append(all, ids...)
	}
	fmt.Fprintf(progress, "  checkout: waiting for the events of %d orders ...\n", len(all))
	total := bench.eventLatency(ctx, all, 30*time.Second)
	s.StepNoteHeader = "event p50 / p99 / missing"
	for _, ids := range byStep[1:] {
		e := bench.eventLatency(ctx, ids, 0)
		s.StepNotes = append(s.StepNotes, fmt.Sprintf("%s / %s / %d", ms(e.Latency.P50), ms(e.Latency.P99), e.Missing))
	}
	s.Notes = append(s.Notes, fmt.Sprintf("Event latency, order.created from the order's write (the event's `at`) to a subscriber behind its own sidecar, every order of the run: p50 %s, p95 %s, p99 %s, max %s; %d of %d never arrived within 30 s.",
		ms(total.Latency.P50), ms(total.Latency.P95), ms(total.Latency.P99), ms(total.Latency.Max), total.Missing, len(all)))

	repeated, open, answers := led.settle(ctx, 10)
	s.Audit = append(s.Audit, check("every checkout got a definite answer (repeating the open ones with the same key)", open == 0,
		"%d answered 5xx/timeout during the ramp and were repeated (answers: %s); %d still open", repeated, kinds(answers), open))
	s.Audit = append(s.Audit, led.auditStock(ctx, k, items, open)...)
	s.Audit = append(s.Audit, led.readable(ctx))
	s.Audit = append(s.Audit, check("created orders' events all reached the subscriber", total.Missing == 0, "%d of %d missing", total.Missing, len(all)))
	return s, nil
}
