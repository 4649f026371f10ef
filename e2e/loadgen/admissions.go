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

// admissionsScenario: paid orders admitted into store queue actors (the kitchen's StoreQueue) by
// the real path: each order.paid published on the orders topic (through the bench app's sidecar,
// as the order service's outbox publishes it), delivered to the kitchen, which admits each
// store's waiting orders in one call of its actor, and the request done when the order's
// ticket.queued reaches the bench app's subscription. Into one store's actor (stores 1) or spread
// over many. The audit: every admitted order has one ticket in its store's queue, with codes
// distinct per store.
func admissionsScenario(ctx context.Context, c *http.Client, p *harness.Platform, k catalog, sc *sidecars, bench *benchApp, o options, name string, stores int) (*Scenario, error) {
	s := &Scenario{Name: name, Unit: "admission", Target: o.admitP99,
		About: fmt.Sprintf("order.paid of distinct orders of %d store(s) published on the orders topic, until the order's ticket.queued is delivered back (kitchen subscription, StoreQueue actor, tickets topic)", stores)}
	kitchen := p.App("kitchen")
	ids := make([]string, stores)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%s-%d", name, k.run, i)
	}
	var (
		mu      sync.Mutex
		offered = map[string][]string{} // store: orders admitted in time
	)
	r := Ramp{Name: name, Start: o.admitStart, Factor: o.factor, Step: o.step, MinRequests: o.minRequests, MaxSteps: o.maxSteps,
		StopAfter: o.stopAfter, MaxInFlight: o.maxInFlight, Refine: o.refine, Warmup: o.warmup,
		Do: func(ctx context.Context, i int) Outcome {
			// The scenario's name in the order id: admit-one's orders are other orders than
			// admit-fifty's, and a ticket event of one never answers a request of the other.
			store, order := ids[i%stores], fmt.Sprintf("o-%s-%s-%d", name, k.run, i)
			queued := bench.ticket(order)
			body, _ := json.Marshal(map[string]any{"type": "order.paid", "order_id": order, "customer_id": "c-" + order, "store_id": store,
				"period": k.period, "status": "paid", "items": []map[string]any{{"dish_id": "rice", "quantity": 1, "price_cents": 990}},
				"total_cents": 990, "at": time.Now().UTC()})
			a, err := call(ctx, c, http.MethodPost, bench.app.DaprURL("/v1.0/publish/pubsub/orders"), string(body), nil)
			if out := outcomeOf(a, err); out != "" {
				return out
			}
			select {
			case <-queued:
			case <-time.After(ticketWithin):
				return "timeout"
			case <-ctx.Done():
				return "timeout"
			}
			mu.Lock()
			defer mu.Unlock()
			offered[store] = append(offered[store], order)
			return ""
		}}
	s.runRamp(ctx, r, sc, nil)

	short, doubled, total := 0, 0, 0
	for store, orders := range offered {
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
		}
		for _, order := range orders {
			if !hasTicket(q.Tickets, order) {
				short++
			}
		}
	}
	s.Audit = append(s.Audit,
		check("every admitted order has its ticket in its store's queue", short == 0, "%d of %d missing", short, total),
		check("pickup codes distinct per store", doubled == 0, "%d doubled", doubled))
	return s, nil
}

// ticketWithin is how long an admission may take before it counts as failed (the audit then
// says whether it was lost or only late).
const ticketWithin = 30 * time.Second

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
