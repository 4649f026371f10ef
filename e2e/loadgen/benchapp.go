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

// benchApp is the load generator's own app behind its own sidecar, "bench": the trivial handler
// of the invocation baselines (/ping), and a subscriber of the orders topic, as any service would
// be, that records for each order.created how long after the order's write (the event's At,
// stamped by the order service as it writes the order) the event reached it, and when each
// order.paid arrived. Its sidecar also
// serves the raw state baselines, so that the apps' sidecars count only the scenarios' work.
// It also subscribes to the tickets topic, where the admissions scenarios wait for each paid
// order's ticket.queued.
type benchApp struct {
	mu      sync.Mutex
	arrived map[string]time.Duration
	paidAt  map[string]time.Time     // when each order.paid reached it (the lifecycle scenario)
	tickets map[string]chan struct{} // closed when the order's ticket.queued arrives
	app     *harness.App
	addr    string
	srv     *http.Server
}

// orderEvent is the part of an order event (services/internal/event, schema in its schema
// folder) the probe reads: as any subscriber in any language would, from the JSON.
type orderEvent struct {
	Type    string    `json:"type"`
	OrderID string    `json:"order_id"`
	At      time.Time `json:"at"`
}

func (b *benchApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ping":
		w.Write([]byte("pong"))
	case "/dapr/subscribe":
		fmt.Fprint(w, `[{"pubsubname":"pubsub","topic":"orders","route":"/orders"},{"pubsubname":"pubsub","topic":"orders-created","route":"/orders"},`+
			`{"pubsubname":"pubsub","topic":"tickets","route":"/tickets"}]`)
	case "/tickets":
		var ce struct{ Data orderEvent }
		if json.NewDecoder(r.Body).Decode(&ce) == nil && ce.Data.Type == "ticket.queued" {
			b.ticketQueued(ce.Data.OrderID)
		}
		fmt.Fprint(w, `{"status":"SUCCESS"}`)
	case "/orders":
		var ce struct{ Data orderEvent }
		if json.NewDecoder(r.Body).Decode(&ce) == nil {
			now := time.Now()
			b.mu.Lock()
			switch ce.Data.Type {
			case "order.created":
				if _, dup := b.arrived[ce.Data.OrderID]; !dup {
					b.arrived[ce.Data.OrderID] = now.Sub(ce.Data.At)
				}
			case "order.paid":
				if _, dup := b.paidAt[ce.Data.OrderID]; !dup {
					b.paidAt[ce.Data.OrderID] = now
				}
			}
			b.mu.Unlock()
		}
		fmt.Fprint(w, `{"status":"SUCCESS"}`)
	default: // /healthz
		w.WriteHeader(http.StatusOK)
	}
}

// startBenchApp serves the bench app on a free port and attaches its sidecar.
func startBenchApp(ctx context.Context, p *harness.Platform) (*benchApp, error) {
	b := &benchApp{arrived: map[string]time.Duration{}, paidAt: map[string]time.Time{}, tickets: map[string]chan struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.addr = ln.Addr().String()
	b.srv = &http.Server{Handler: b}
	go b.srv.Serve(ln)
	if b.app, err = p.Attach(ctx, "bench", ln.Addr().(*net.TCPAddr).Port); err != nil {
		b.srv.Close()
		return nil, fmt.Errorf("bench sidecar: %w", err)
	}
	return b, nil
}

// ticket is the channel closed when the order's ticket.queued arrives.
func (b *benchApp) ticket(orderID string) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ticketLocked(orderID)
}

// ticketQueued closes the order's channel, once however often the event is delivered.
func (b *benchApp) ticketQueued(orderID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.ticketLocked(orderID)
	select {
	case <-c:
	default:
		close(c)
	}
}

func (b *benchApp) ticketLocked(orderID string) chan struct{} {
	c, ok := b.tickets[orderID]
	if !ok {
		c = make(chan struct{})
		b.tickets[orderID] = c
	}
	return c
}

// EventLatency is how long created orders' events took to reach the probe.
type EventLatency struct {
	Latency Latency
	Missing int // created orders whose order.created never arrived within the wait
}

// eventLatency waits up to wait for every order's order.created and summarizes the arrivals.
func (b *benchApp) eventLatency(ctx context.Context, orders []string, wait time.Duration) EventLatency {
	deadline := time.Now().Add(wait)
	for {
		var lats []time.Duration
		b.mu.Lock()
		for _, id := range orders {
			if l, ok := b.arrived[id]; ok {
				lats = append(lats, l)
			}
		}
		b.mu.Unlock()
		missing := len(orders) - len(lats)
		if missing == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			slices.Sort(lats)
			return EventLatency{Latency: Summarize(lats), Missing: missing}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// paidLatency waits up to wait for every order's order.paid and summarizes, for each, the time
// from its checkout's start (started) to the event's arrival.
func (b *benchApp) paidLatency(ctx context.Context, started map[string]time.Time, wait time.Duration) EventLatency {
	deadline := time.Now().Add(wait)
	for {
		var lats []time.Duration
		b.mu.Lock()
		for id, t0 := range started {
			if at, ok := b.paidAt[id]; ok {
				lats = append(lats, at.Sub(t0))
			}
		}
		b.mu.Unlock()
		missing := len(started) - len(lats)
		if missing == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			slices.Sort(lats)
			return EventLatency{Latency: Summarize(lats), Missing: missing}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// paid is the orders among started whose order.paid arrived.
func (b *benchApp) paid(started map[string]time.Time) map[string]bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]bool{}
	for id := range started {
		if _, ok := b.paidAt[id]; ok {
			out[id] = true
		}
	}
	return out
}
