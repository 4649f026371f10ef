package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

// admissionsScenario: paid orders admitted into store queue actors (the kitchen's StoreQueue),
// each a call of the actor's Admit method through the kitchen's sidecar (the Dapr actor API), as
// the kitchen's orders subscription makes it: into one store's actor (stores 1: one actor's
// turn-based rate) or spread over many stores' actors. The audit: every admitted order has one
// ticket in its store's queue, with codes distinct per store.
func admissionsScenario(ctx context.Context, c *http.Client, p *harness.Platform, k catalog, sc *sidecars, o options, name string, stores int) (*Scenario, error) {
	s := &Scenario{Name: name, Unit: "admission", Target: o.admitP99,
		About: fmt.Sprintf("Admit of a paid order into the StoreQueue actor of one of %d stores, through the kitchen's sidecar (POST /v1.0/actors/StoreQueue/{store}/method/Admit), distinct orders", stores)}
	kitchen := p.App("kitchen")
	ids := make([]string, stores)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%s-%d", name, k.run, i)
	}
	var (
		mu       sync.Mutex
		admitted = map[string]map[string]string{} // store: order: code
	)
	r := Ramp{Name: name, Start: o.admitStart, Factor: o.factor, Step: o.step, MinRequests: o.minRequests, MaxSteps: o.maxSteps,
		StopAfter: o.stopAfter, MaxInFlight: o.maxInFlight, Warmup: o.warmup,
		Do: func(ctx context.Context, i int) Outcome {
			store, order := ids[i%stores], fmt.Sprintf("o-%s-%d", k.run, i)
			body, _ := json.Marshal(map[string]any{"type": "order.paid", "order_id": order, "customer_id": "c-" + order, "store_id": store,
				"period": k.period, "status": "paid", "items": []map[string]any{{"dish_id": "rice", "quantity": 1, "price_cents": 990}},
				"total_cents": 990, "at": time.Now().UTC()})
			a, err := call(ctx, c, http.MethodPost, kitchen.DaprURL("/v1.0/actors/StoreQueue/"+store+"/method/Admit"), string(body), nil)
			out := outcomeOf(a, err)
			if out != "" {
				return out
			}
			var ans struct {
				Ticket struct {
					Code string `json:"code"`
				} `json:"ticket"`
				Refusal *struct{ Kind string } `json:"refusal"`
			}
			if json.Unmarshal(a.Body, &ans) != nil || ans.Refusal != nil {
				return "refused"
			}
			mu.Lock()
			defer mu.Unlock()
			if admitted[store] == nil {
				admitted[store] = map[string]string{}
			}
			admitted[store][order] = ans.Ticket.Code
			return ""
		}}
	s.runRamp(ctx, r, sc, nil)

	short, doubled, total := 0, 0, 0
	for store, orders := range admitted {
		total += len(orders)
		var q struct {
			Tickets []queueTicket `json:"tickets"`
		}
		if err := callJSON(ctx, c, http.MethodGet, kitchen.URL("stores/"+store+"/queue"), "", nil, &q); err != nil {
			return nil, err
		}
		codes := map[string]bool{}
		for _, t := range q.Tickets {
			if codes[t.Code] {
				doubled++
			}
			codes[t.Code] = true
			if code, ok := orders[t.OrderID]; ok && code != t.Code {
				doubled++
			}
		}
		for order := range orders {
			if !hasTicket(q.Tickets, order) {
				short++
			}
		}
	}
	s.Audit = append(s.Audit,
		check("every admitted order has its ticket in its store's queue", short == 0, "%d of %d missing", short, total),
		check("pickup codes distinct per store, each order's code the one it was given", doubled == 0, "%d doubled or changed", doubled))
	return s, nil
}

// queueTicket is what the audit reads of a ticket in GET /stores/{store}/queue.
type queueTicket struct {
	OrderID string `json:"order_id"`
	Code    string `json:"code"`
}

func hasTicket(tickets []queueTicket, order string) bool {
	for _, t := range tickets {
		if t.OrderID == order {
			return true
		}
	}
	return false
}
