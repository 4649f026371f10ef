package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

// Line is a dish and a quantity in a checkout.
type Line struct {
	Dish string
	Qty  int
}

// Attempt is one customer's checkout and what became of it.
type Attempt struct {
	Customer, Key, Store string
	Lines                []Line
	Outcome              Outcome   // the answer during the ramp
	Final                Outcome   // after settling ambiguous answers with the same request
	OrderID              string    // when Final is a success
	Done                 time.Time // when the ramp's answer came
}

// definite says whether an answer settles a checkout: a success or a 4xx refusal. A 5xx, a timeout
// or a broken connection leaves it open: the order may or may not exist, and a client retries
// with the same Idempotency-Key.
func definite(o Outcome) bool { return o == "" || strings.HasPrefix(string(o), "4") }

// ledger places checkouts through the order's sidecar and keeps every attempt for the audit.
type ledger struct {
	c        *http.Client
	order    *harness.App
	period   string
	mu       sync.Mutex
	attempts map[int]*Attempt
}

func newLedger(c *http.Client, order *harness.App, period string) *ledger {
	return &ledger{c: c, order: order, period: period, attempts: map[int]*Attempt{}}
}

func (l *ledger) body(a *Attempt) string {
	var items []string
	for _, ln := range a.Lines {
		items = append(items, fmt.Sprintf(`{"dish_id":%q,"quantity":%d}`, ln.Dish, ln.Qty))
	}
	return fmt.Sprintf(`{"store_id":%q,"period":%q,"items":[%s]}`, a.Store, l.period, strings.Join(items, ","))
}

// place sends a checkout and returns its outcome and the order id of a success.
func (l *ledger) place(ctx context.Context, a *Attempt) (Outcome, string) {
	ans, err := call(ctx, l.c, http.MethodPost, l.order.URL("orders"), l.body(a), map[string]string{"X-Customer-Id": a.Customer, "Idempotency-Key": a.Key})
	out := outcomeOf(ans, err)
	if out != "" {
		return out, ""
	}
	var o struct{ ID string }
	if json.Unmarshal(ans.Body, &o) != nil || o.ID == "" {
		return "bad-answer", ""
	}
	return "", o.ID
}

// checkout places attempt i during a ramp and records it.
func (l *ledger) checkout(ctx context.Context, i int, a *Attempt) Outcome {
	out, id := l.place(ctx, a)
	a.Outcome, a.Final, a.OrderID, a.Done = out, out, id, time.Now()
	l.mu.Lock()
	l.attempts[i] = a
	l.mu.Unlock()
	return out
}

// settle repeats, as a client would, every checkout whose answer left it open, until it gets a
// definite answer (or tries times), so that the audit knows which orders exist. It returns how
// many were repeated, how many stayed open, and the last answers of the repeats by kind.
func (l *ledger) settle(ctx context.Context, tries int) (repeated, open int, answers map[Outcome]int) {
	var todo []*Attempt
	for _, a := range l.attempts {
		if !definite(a.Final) {
			todo = append(todo, a)
		}
	}
	parallel(ctx, len(todo), 16, func(i int) {
		a := todo[i]
		for t := 0; t < tries && !definite(a.Final) && ctx.Err() == nil; t++ {
			if t > 0 {
				time.Sleep(500 * time.Millisecond)
			}
			a.Final, a.OrderID = l.place(ctx, a)
		}
	})
	answers = map[Outcome]int{}
	for _, a := range todo {
		answers[a.Final]++
		if !definite(a.Final) {
			open++
		}
	}
	return len(todo), open, answers
}

// created are the attempts that ended with an order.
func (l *ledger) created() []*Attempt {
	var out []*Attempt
	for _, a := range l.attempts {
		if a.Final == "" {
			out = append(out, a)
		}
	}
	return out
}

// readable reads back every created order as its customer and counts those that are not there
// as placed (a pending_payment order of the same store and lines).
func (l *ledger) readable(ctx context.Context) Check {
	orders := l.created()
	var (
		mu  sync.Mutex
		bad []string
	)
	parallel(ctx, len(orders), 16, func(i int) {
		a := orders[i]
		var o struct {
			Status  string
			StoreID string `json:"store_id"`
			Items   []struct {
				DishID   string `json:"dish_id"`
				Quantity int    `json:"quantity"`
			}
		}
		err := callJSON(ctx, l.c, http.MethodGet, l.order.URL("orders/"+a.OrderID), "", map[string]string{"X-Customer-Id": a.Customer}, &o)
		problem := ""
		switch {
		case err != nil:
			problem = err.Error()
		case o.StoreID != a.Store || len(o.Items) != len(a.Lines) || o.Status != "pending_payment":
			problem = fmt.Sprintf("%s: %s at store %s with %d items, placed at %s with %d", a.OrderID, o.Status, o.StoreID, len(o.Items), a.Store, len(a.Lines))
		}
		if problem != "" {
			mu.Lock()
			bad = append(bad, problem)
			mu.Unlock()
		}
	})
	detail := fmt.Sprintf("%d of %d created orders read back as placed", len(orders)-len(bad), len(orders))
	if len(bad) > 0 {
		detail += "; first: " + bad[0]
	}
	return check("every order created is readable", len(bad) == 0, "%s", detail)
}

// auditStock checks stock conservation on every item of the stores: restocked is what was put in,
// restocked = sold + reserved + available, available >= 0, and the units held are exactly those of
// the created orders, each hold belonging to one of them (or, at most, to a checkout whose answer
// stayed open).
func (l *ledger) auditStock(ctx context.Context, k catalog, items map[[2]string]int64, open int) []Check {
	want := map[[2]string]map[string]int64{} // item -> order id -> units
	for _, a := range l.created() {
		for _, ln := range a.Lines {
			it := [2]string{a.Store, ln.Dish}
			if want[it] == nil {
				want[it] = map[string]int64{}
			}
			want[it][a.OrderID] += int64(ln.Qty)
		}
	}
	var (
		mu                               sync.Mutex
		conserved, negative, wrongHolds  []string
		unread                           []string
		strays                           int
		restocked, sold, reserved, avail int64
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
		if err != nil {
			unread = append(unread, err.Error())
			return
		}
		restocked, sold, reserved, avail = restocked+v.Restocked, sold+v.Sold, reserved+v.Reserved, avail+v.Available
		if v.Restocked != items[it] || v.Sold+v.Reserved+v.Available != v.Restocked {
			conserved = append(conserved, fmt.Sprintf("%s/%s: restocked %d (put in %d) = sold %d + reserved %d + available %d", it[0], it[1], v.Restocked, items[it], v.Sold, v.Reserved, v.Available))
		}
		if v.Available < 0 {
			negative = append(negative, fmt.Sprintf("%s/%s: %d", it[0], it[1], v.Available))
		}
		held := map[string]int64{}
		for _, h := range v.Holds {
			held[h.OrderID] += h.Quantity
		}
		for id, q := range held {
			if _, ok := want[it][id]; !ok {
				strays++
				continue
			}
			if q != want[it][id] {
				wrongHolds = append(wrongHolds, fmt.Sprintf("%s on %s/%s holds %d, ordered %d", id, it[0], it[1], q, want[it][id]))
			}
		}
		for id, q := range want[it] {
			if held[id] == 0 {
				wrongHolds = append(wrongHolds, fmt.Sprintf("%s ordered %d of %s/%s and holds none", id, q, it[0], it[1]))
			}
		}
	})
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return "; first: " + s[0]
	}
	return []Check{
		check("stock conservation per item: initial + restocked = sold + reserved + available", len(conserved) == 0 && len(unread) == 0,
			"%d items: restocked %d = sold %d + reserved %d + available %d; %d items off%s; %d unreadable%s",
			len(items), restocked, sold, reserved, avail, len(conserved), first(conserved), len(unread), first(unread)),
		check("available >= 0 on every item", len(negative) == 0, "%d negative%s", len(negative), first(negative)),
		check("the units held are exactly the created orders' lines", len(wrongHolds) == 0 && strays <= open,
			"%d created orders; %d holds differ from their order%s; %d holds of no created order (%d checkouts left open after settling)",
			len(l.created()), len(wrongHolds), first(wrongHolds), strays, open),
	}
}

// parallel runs f(0..n-1) on at most width goroutines.
func parallel(ctx context.Context, n, width int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(width, n) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
