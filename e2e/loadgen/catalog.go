package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/canteen/canteen/internal/harness"
)

// catalog sets up stores, dishes and stock through the public APIs (menu's and inventory's), as
// staff would.
type catalog struct {
	c      *http.Client
	menu   *harness.App
	inv    *harness.App
	period string
	run    string // unique per run, so that restock ids and names never collide with a past run
}

// store creates a store with dishes in categories of five and, when units > 0, restocks each
// dish with units in the given number of buckets. It returns the store id and its dish ids.
func (k catalog) store(ctx context.Context, name string, dishes, units, buckets int) (string, []string, error) {
	var st struct{ ID string }
	if err := callJSON(ctx, k.c, http.MethodPost, k.menu.URL("stores"), fmt.Sprintf(`{"name":%q,"zone":"bench"}`, name), nil, &st); err != nil {
		return "", nil, err
	}
	ids := make([]string, dishes)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 8)
	)
	for i := range dishes {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			err := k.dish(ctx, st.ID, i, units, buckets, &ids[i])
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return "", nil, fmt.Errorf("store %s: %d dishes failed, first: %w", name, len(errs), errs[0])
	}
	return st.ID, ids, nil
}

func (k catalog) dish(ctx context.Context, store string, i, units, buckets int, id *string) error {
	var d struct{ ID string }
	body := fmt.Sprintf(`{"name":"Dish %d","category":"Category %d","price_cents":%d}`, i, i/5, 500+10*i)
	if err := callJSON(ctx, k.c, http.MethodPost, k.menu.URL("stores/"+store+"/dishes"), body, nil, &d); err != nil {
		return err
	}
	*id = d.ID
	if units <= 0 {
		return nil
	}
	restock := fmt.Sprintf(`{"store_id":%q,"dish_id":%q,"period":%q,"quantity":%d,"restock_id":"r-%s-%s","buckets":%d}`,
		store, d.ID, k.period, units, k.run, d.ID, buckets)
	return callJSON(ctx, k.c, http.MethodPost, k.inv.URL("stock/restock"), restock, nil, nil)
}

// StockView is inventory's GET /stock/{store}/{dish}/{period} answer.
type StockView struct {
	Restocked, Sold, Reserved, Available int64
	Holds                                []struct {
		OrderID  string `json:"order_id"`
		Quantity int64  `json:"quantity"`
	} `json:"holds"`
}

// stock reads an item's counters and holds.
func (k catalog) stock(ctx context.Context, store, dish string) (StockView, error) {
	var v StockView
	err := callJSON(ctx, k.c, http.MethodGet, k.inv.URL(fmt.Sprintf("stock/%s/%s/%s", store, dish, k.period)), "", nil, &v)
	return v, err
}

// shop is one store of a scenario and its dishes.
type shop struct {
	id     string
	dishes []string
}

// stores sets up o.stores stores of o.dishes dishes, o.checkoutStock units of each, named after
// label, and returns them with every item's units, for the stock audit.
func (k catalog) stores(ctx context.Context, scenario, label string, o options) ([]shop, map[[2]string]int64, error) {
	fmt.Fprintf(progress, "== %s: setting up %d stores of %d dishes ...\n", scenario, o.stores, o.dishes)
	out := make([]shop, o.stores)
	items := map[[2]string]int64{}
	for i := range out {
		id, dishes, err := k.store(ctx, fmt.Sprintf("%s %s %d", label, k.run, i), o.dishes, o.checkoutStock, 1)
		if err != nil {
			return nil, nil, err
		}
		out[i] = shop{id, dishes}
		for _, d := range dishes {
			items[[2]string{id, d}] = int64(o.checkoutStock)
		}
	}
	return out, items, nil
}
