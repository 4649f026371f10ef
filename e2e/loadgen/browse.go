package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// browseScenario: customers reading one store's menu through the menu's sidecar. Its p99 target
// is -browse-p99, or, when that is 0, 1.5x the raw sidecar get's p99 of the same run.
//
// After the ramp the same browse runs as a closed loop, the way the baselines are taken (their
// connections, back to back): the knee is an open-loop rate under a p99 target while the raw
// get and the one-sidecar invocation are closed-loop capacities, and only the closed loop of
// the browse itself says whether the menu runs at its sidecar's own invocation rate.
func browseScenario(ctx context.Context, c *http.Client, k catalog, sc *sidecars, o options, rawGetP99 time.Duration) (*Scenario, error) {
	s := &Scenario{Name: "browse", Unit: "browse", Target: o.browseP99}
	if s.Target == 0 {
		s.Target = scaled(rawGetP99, o.browseFactor)
	}
	store, dishes, err := k.store(ctx, "Browse "+k.run, o.browseDishes, 0, 0)
	if err != nil {
		return nil, err
	}
	s.About = fmt.Sprintf("GET /stores/{store}/menu of one store with %d dishes in %d categories, through the menu's sidecar", len(dishes), (len(dishes)+4)/5)
	url := k.menu.URL("stores/" + store + "/menu")
	var short atomic.Int64 // answers that did not list every dish
	r := Ramp{Name: "browse", Start: o.browseStart, Factor: o.factor, Step: o.step, MinRequests: o.minRequests, MaxSteps: o.maxSteps,
		StopAfter: o.stopAfter, MaxInFlight: o.maxInFlight, Refine: o.refine, Warmup: o.warmup,
		Do: func(ctx context.Context, i int) Outcome {
			a, err := call(ctx, c, http.MethodGet, url, "", nil)
			out := outcomeOf(a, err)
			if out == "" && i%100 == 0 && countDishes(a.Body) != len(dishes) {
				short.Add(1)
			}
			return out
		}}
	s.runRamp(ctx, r, sc, nil)
	closed := ClosedLoop(ctx, "browse, closed loop", o.baseConns, o.baseTime, progress, r.Do)
	s.Closed = &closed
	errs := map[Outcome]int{}
	for _, st := range s.Steps {
		for k, n := range st.Errors {
			errs[k] += n
		}
	}
	for k, n := range closed.Errors {
		errs[k] += n
	}
	s.Audit = append(s.Audit,
		check("every browse answered 200", len(errs) == 0, "%s", otherText(errs)),
		check("the menu lists every dish (every 100th answer checked)", short.Load() == 0, "%d answers short", short.Load()))
	return s, nil
}

// countDishes counts the dishes of a menu answer.
func countDishes(body []byte) int {
	var m struct {
		Categories []struct {
			Dishes []json.RawMessage `json:"dishes"`
		} `json:"categories"`
	}
	if json.Unmarshal(body, &m) != nil {
		return -1
	}
	n := 0
	for _, c := range m.Categories {
		n += len(c.Dishes)
	}
	return n
}
