package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

// soldOut is the answer a buyer who came too late gets: 409 with the code sold_out.
const soldOut Outcome = "409 sold_out"

// flashSaleScenario: one dish with -flash-stock units (in -flash-buckets buckets), -buyers
// distinct customers checking out one unit each through the order's sidecar, offered as a ramp
// until every buyer came. The first steps sell the units; the later ones mostly answer sold out.
func flashSaleScenario(ctx context.Context, c *http.Client, p *harness.Platform, k catalog, sc *sidecars, o options) (*Scenario, error) {
	s := &Scenario{Name: "flashsale", Unit: "attempt", Target: o.flashP99,
		About: fmt.Sprintf("one dish, %d units in %d buckets, %d distinct buyers of one unit each through checkout, period %s",
			o.flashStock, o.flashBuckets, o.buyers, k.period)}
	store, dishes, err := k.store(ctx, "Flash sale "+k.run, 1, o.flashStock, o.flashBuckets)
	if err != nil {
		return nil, err
	}
	dish := dishes[0]
	led := newLedger(c, p.App("order"), k.period)
	// Every buyer comes, so missed steps do not end this ramp: the buyers run out first, and
	// sending them at a lower rate after a miss would only take longer.
	r := Ramp{Name: "flashsale", Start: o.flashStart, Factor: o.factor, Step: o.step, MinRequests: o.minRequests, MaxSteps: max(o.maxSteps, 20),
		StopAfter: max(o.maxSteps, 20), MaxInFlight: o.maxInFlight, Refine: o.refine, Supply: o.buyers, SendAll: true,
		Expected: map[Outcome]bool{soldOut: true},
		Do: func(ctx context.Context, i int) Outcome {
			a := &Attempt{Customer: fmt.Sprintf("b-%s-%d", k.run, i), Key: "flash", Store: store, Lines: []Line{{Dish: dish, Qty: 1}}}
			return led.checkout(ctx, i, a)
		}}
	s.runRamp(ctx, r, sc, nil)
	s.StepNoteHeader = "201 / 409 sold_out"
	for _, st := range s.Steps {
		s.StepNotes = append(s.StepNotes, fmt.Sprintf("%d / %d", st.Outcomes[""], st.Outcomes[soldOut]))
	}

	// What the ramp answered, before any repeat; units remained until the stock-th success was
	// answered (or to the end, if fewer were).
	var (
		others     = map[Outcome]int{}
		whileUnits = map[Outcome]int{} // 5xx and timeouts answered while units remained
		told       []time.Time         // when each success was answered
	)
	for _, a := range led.attempts {
		if a.Outcome == "" {
			told = append(told, a.Done)
		}
	}
	slices.SortFunc(told, func(x, y time.Time) int { return x.Compare(y) })
	for _, a := range led.attempts {
		if a.Outcome == "" || a.Outcome == soldOut {
			continue
		}
		others[a.Outcome]++
		if !definite(a.Outcome) && (len(told) < o.flashStock || a.Done.Before(told[o.flashStock-1])) {
			whileUnits[a.Outcome]++
		}
	}
	repeated, open, answers := led.settle(ctx, 10)
	created := len(led.created())

	v, err := k.stock(ctx, store, dish)
	if err != nil {
		s.Audit = append(s.Audit, check("the dish's stock is readable", false, "%v", err))
		return s, nil
	}
	held := v.Sold + v.Reserved
	wantHeld := int64(min(o.flashStock, o.buyers))
	s.Audit = append(s.Audit,
		check("exactly the stock sold or held", held == wantHeld,
			"%d units held or sold of %d; %d orders created (%d told 201 during the ramp, %d more when the %d open answers were repeated)",
			held, o.flashStock, created, len(told), created-len(told), repeated),
		check("0 oversold", held <= v.Restocked && int64(created) <= int64(o.flashStock) && v.Available >= 0,
			"restocked %d, held %d, available %d, orders %d", v.Restocked, held, v.Available, created),
		check("only 201 or 409 sold_out answered", len(others) == 0, "%s", otherText(others)),
		check("no 503 (nor any 5xx or timeout) while units remained", len(whileUnits) == 0,
			"before the %d-th unit was sold: %s%s", o.flashStock, otherText(whileUnits), timeoutNote(whileUnits, o.timeout)),
		check("every checkout got a definite answer (repeating the open ones with the same key)", open == 0,
			"%d repeated, answered %s; %d still open", repeated, kinds(answers), open),
	)
	s.Audit = append(s.Audit, led.auditStock(ctx, k, map[[2]string]int64{{store, dish}: int64(o.flashStock)}, open)...)
	s.Audit = append(s.Audit, led.readable(ctx))
	return s, nil
}

func otherText(m map[Outcome]int) string {
	if len(m) == 0 {
		return "none other"
	}
	return strings.ReplaceAll("other answers: "+kinds(m), "ok ", "2xx ")
}

// timeoutNote explains the timeout kind when there are any.
func timeoutNote(m map[Outcome]int, limit time.Duration) string {
	if m["timeout"] == 0 {
		return ""
	}
	return fmt.Sprintf(" (timeout: no answer within the load generator's -timeout %s)", limit)
}
