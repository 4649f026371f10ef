package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

// orderEvent is the part of an order event (services/internal/event, schema in its schema
// folder) the probe reads: as any subscriber in any language would, from the JSON.
type orderEvent struct {
	Type    string    `json:"type"`
	OrderID string    `json:"order_id"`
	At      time.Time `json:"at"`
}

// probe is a subscriber of the orders topic behind its own sidecar, as any service would be: it
// records, for each order.created, how long after the change (the event's At, stamped by the
// order service as it writes the order) the event reached it.
type probe struct {
	mu      sync.Mutex
	arrived map[string]time.Duration
}

func (pr *probe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/dapr/subscribe":
		fmt.Fprint(w, `[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]`)
	case "/orders":
		var ce struct{ Data orderEvent }
		if json.NewDecoder(r.Body).Decode(&ce) == nil && ce.Data.Type == "order.created" {
			lat := time.Since(ce.Data.At)
			pr.mu.Lock()
			if _, dup := pr.arrived[ce.Data.OrderID]; !dup {
				pr.arrived[ce.Data.OrderID] = lat
			}
			pr.mu.Unlock()
		}
		fmt.Fprint(w, `{"status":"SUCCESS"}`)
	default: // /healthz
		w.WriteHeader(http.StatusOK)
	}
}

// eventLatency checks out orders at the offered rate over many dishes with plenty of stock and
// reports how long each order.created took from the order's write to a subscriber, and whether
// every created order's event arrived.
func eventLatency(ctx context.Context, c *http.Client, p *harness.Platform, o options) (string, Result, error) {
	pr := &probe{arrived: map[string]time.Duration{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", Result{}, err
	}
	srv := &http.Server{Handler: pr}
	go srv.Serve(ln)
	defer srv.Close()
	if _, err := p.Attach(ctx, "eventprobe", ln.Addr().(*net.TCPAddr).Port); err != nil {
		return "", Result{}, fmt.Errorf("probe sidecar: %w", err)
	}
	time.Sleep(2 * time.Second) // the probe's subscription to settle before the first event

	store, dishes, err := stockedStore(ctx, c, p, 20, 1_000_000)
	if err != nil {
		return "", Result{}, err
	}
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	var (
		mu      sync.Mutex
		created = map[string]bool{}
	)
	ord := p.App("order")
	res := Run(ctx, "checkout (event latency)", o.eventRate, o.eventOrders, o.maxInFlight, progress, func(ctx context.Context, i int) Outcome {
		body := fmt.Sprintf(`{"store_id":%q,"period":"2026-11-25.lunch","items":[{"dish_id":%q,"quantity":1}]}`, store, dishes[i%len(dishes)])
		customer := fmt.Sprintf("ev-%s-%d", run, i)
		id, out := checkoutID(ctx, c, ord.URL("orders"), body, map[string]string{"X-Customer-Id": customer, "Idempotency-Key": "k"})
		if out == "" {
			mu.Lock()
			created[id] = true
			mu.Unlock()
		}
		return out
	})

	deadline := time.Now().Add(30 * time.Second)
	var lats []time.Duration
	lost := 0
	for {
		pr.mu.Lock()
		lats, lost = lats[:0], 0
		for id := range created {
			if l, ok := pr.arrived[id]; ok {
				lats = append(lats, l)
			} else {
				lost++
			}
		}
		pr.mu.Unlock()
		if lost == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	slices.Sort(lats)
	pct := func(q float64) string {
		if len(lats) == 0 {
			return "-"
		}
		return ms(lats[min(len(lats)-1, int(float64(len(lats))*q/100))])
	}
	line := fmt.Sprintf("| order.created, write to subscriber | %d created at %.0f/s achieved | %s | %s | %s | %s | %d |\n",
		len(created), res.Throughput(), pct(50), pct(95), pct(99), pct(100), lost)
	if lost > 0 {
		return line, res, fmt.Errorf("%d created orders' events never reached the subscriber", lost)
	}
	return line, res, nil
}

// EventHeader is the header of the event latency table.
const EventHeader = "| events | orders | p50 | p95 | p99 | max | never arrived |\n|---|---|---|---|---|---|---|\n"

// stockedStore creates a store with n dishes on the menu, each stocked with units.
func stockedStore(ctx context.Context, c *http.Client, p *harness.Platform, n, units int) (string, []string, error) {
	menu, inv := p.App("menu"), p.App("inventory")
	var st struct{ ID string }
	if err := postJSON(ctx, c, menu.URL("stores"), `{"name":"Bench Canteen","zone":"bench"}`, &st); err != nil {
		return "", nil, err
	}
	var dishes []string
	for i := range n {
		var d struct{ ID string }
		if err := postJSON(ctx, c, menu.URL("stores/"+st.ID+"/dishes"), fmt.Sprintf(`{"name":"Dish %d","category":"Bench","price_cents":1000}`, i), &d); err != nil {
			return "", nil, err
		}
		restock := fmt.Sprintf(`{"store_id":%q,"dish_id":%q,"period":"2026-11-25.lunch","quantity":%d,"restock_id":"r-%s"}`, st.ID, d.ID, units, d.ID)
		if out := send(ctx, c, http.MethodPost, inv.URL("stock/restock"), restock); out != "" {
			return "", nil, fmt.Errorf("restock: %s", out)
		}
		dishes = append(dishes, d.ID)
	}
	return st.ID, dishes, nil
}
