package sidecar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/invoke"
	"github.com/canteen/canteen/services/internal/stockapi"
	"github.com/canteen/canteen/services/order/ordering"
)

// Peers reaches other services and the Jobs API through the app's own sidecar over HTTP, with
// the invoke client: the sidecar answers with the callee's status and JSON body as they are, which
// is all a REST caller in any language would have. Refusals are told apart by their code.
type Peers struct {
	Client       *invoke.Client
	MenuApp      string
	InventoryApp string
}

var (
	_ ordering.Menu      = (*Peers)(nil)
	_ ordering.Inventory = (*Peers)(nil)
	_ ordering.Scheduler = (*Peers)(nil)
)

// menuJSON is the part of menu's GET /stores/{store}/menu answer that checkout needs.
type menuJSON struct {
	Store struct {
		Busy    bool `json:"busy"`
		Kitchen *struct {
			Busy        bool  `json:"busy"`
			WaitMinutes int64 `json:"wait_minutes"`
		} `json:"kitchen"`
	} `json:"store"`
	Categories []struct {
		Dishes []struct {
			ID         string `json:"id"`
			PriceCents int64  `json:"price_cents"`
			Orderable  bool   `json:"orderable"`
		} `json:"dishes"`
	} `json:"categories"`
}

// StoreMenu reads a store's menu: its dishes, its busy flag and its kitchen's load, in one call.
func (p *Peers) StoreMenu(ctx context.Context, storeID string) (ordering.StoreMenu, error) {
	var m menuJSON
	err := p.Client.Invoke(ctx, p.MenuApp, http.MethodGet, "stores/"+url.PathEscape(storeID)+"/menu", nil, &m)
	switch {
	case invoke.CodeOf(err) == apierr.CodeNotFound:
		return ordering.StoreMenu{}, ordering.ErrUnknownStore
	case err != nil:
		return ordering.StoreMenu{}, fmt.Errorf("menu of %s: %w", storeID, err)
	}
	out := ordering.StoreMenu{Dishes: map[string]ordering.Dish{}, Busy: m.Store.Busy}
	for _, c := range m.Categories {
		for _, d := range c.Dishes {
			out.Dishes[d.ID] = ordering.Dish{PriceCents: d.PriceCents, Orderable: d.Orderable}
		}
	}
	if k := m.Store.Kitchen; k != nil {
		out.Kitchen = ordering.Kitchen{Busy: k.Busy, WaitMinutes: k.WaitMinutes}
	}
	return out, nil
}

func lines(o ordering.Order) []stockapi.Line {
	out := make([]stockapi.Line, len(o.Items))
	for i, it := range o.Items {
		out[i] = stockapi.Line{StoreID: o.StoreID, DishID: it.DishID, Period: o.Period, Quantity: it.Quantity}
	}
	return out
}

// Reserve asks inventory to hold the order's items. Only inventory's answer for this order counts
// as held: a 2xx without it (something else answering on the app's port while inventory restarts)
// is a fault to retry, never a reservation.
func (p *Peers) Reserve(ctx context.Context, o ordering.Order) error {
	var ans stockapi.ReservationResponse
	err := p.Client.Invoke(ctx, p.InventoryApp, http.MethodPost, stockapi.PathReserve, stockapi.ReserveRequest{OrderID: o.ID, Items: lines(o)}, &ans)
	if err == nil {
		if ans.OrderID != o.ID || (ans.Status != stockapi.Reserved && ans.Status != stockapi.Confirmed) {
			return fmt.Errorf("reserve %s: an answer that is not a reservation of this order: %+v", o.ID, ans)
		}
		return nil
	}
	switch stockapi.Code(invoke.CodeOf(err)) {
	case stockapi.CodeSoldOut, stockapi.CodeUnknownStock: // never stocked: nothing to sell either
		return &ordering.SoldOutError{DishID: dishAt(o, err)}
	case stockapi.CodeReleased:
		return ordering.ErrExpired
	case stockapi.CodeReservationMismatch: // the order id is the idempotency key's: another body used it
		return ordering.ErrKeyReused
	}
	return fmt.Errorf("reserve %s: %w", o.ID, err)
}

// dishAt names the dish of the line inventory's refusal names.
func dishAt(o ordering.Order, err error) string {
	var e *invoke.Error
	if !errors.As(err, &e) {
		return ""
	}
	i, ok := stockapi.LineIndex(e.Field)
	if !ok || i >= len(o.Items) {
		return ""
	}
	return o.Items[i].DishID
}

// Release asks inventory to return the order's items; idempotent.
func (p *Peers) Release(ctx context.Context, o ordering.Order) error {
	err := p.Client.Invoke(ctx, p.InventoryApp, http.MethodPost, stockapi.ReleasePath(o.ID), stockapi.LinesRequest{Items: lines(o)}, nil)
	switch {
	case err == nil:
		return nil
	case stockapi.Code(invoke.CodeOf(err)) == stockapi.CodeConfirmed:
		return ordering.ErrStockSold
	}
	return fmt.Errorf("release %s: %w", o.ID, err)
}

// Confirm asks inventory to sell the order's held units; idempotent. Inventory's record decides:
// released (or never reserved) means the payment came too late.
func (p *Peers) Confirm(ctx context.Context, o ordering.Order) error {
	err := p.Client.Invoke(ctx, p.InventoryApp, http.MethodPost, stockapi.ConfirmPath(o.ID), stockapi.LinesRequest{Items: lines(o)}, nil)
	switch code := invoke.CodeOf(err); {
	case err == nil:
		return nil
	case stockapi.Code(code) == stockapi.CodeReleased, stockapi.Code(code) == stockapi.CodeSoldOut, code == apierr.CodeNotFound:
		return ordering.ErrStockReleased
	}
	return fmt.Errorf("confirm %s: %w", o.ID, err)
}

// ExpiryJobPrefix starts the name of every expiry job; the job is delivered to POST /job/<name>.
// An order's own job is named ExpiryJobPrefix + its id, a batch's ExpiryJobPrefix + "batch-" and
// a random id (an order id is hex: the two cannot meet).
const ExpiryJobPrefix = "expire-"

// ScheduleExpiries schedules one job for the batch (the service gathers the expiries of its
// checkouts, see ordering.BatchDelay): the order's own when it is alone (overwriting an earlier
// attempt's), else a job that names every order of the batch, due at the latest of their times.
// Under a lunch rush that is one job for a batch of checkouts instead of one each: the scheduler's
// CPU per job was the largest share outside our sidecars.
func (p *Peers) ScheduleExpiries(ctx context.Context, es []ordering.Expiry) error {
	if len(es) == 0 {
		return nil
	}
	batch := make([]ExpiryData, len(es))
	due := es[0].At
	for i, e := range es {
		o := e.Order
		batch[i] = ExpiryData{OrderID: o.ID, StoreID: o.StoreID, Period: o.Period, Items: lines(o)}
		if e.At.After(due) {
			due = e.At
		}
	}
	name, data := ExpiryJobPrefix+batch[0].OrderID, any(batch[0])
	if len(batch) > 1 {
		name, data = ExpiryJobPrefix+"batch-"+uuid.NewString(), ExpiryBatch{Orders: batch}
	}
	job := map[string]any{"dueTime": due.UTC().Format(time.RFC3339), "data": data, "overwrite": true, "failurePolicy": expiryRetry}
	return p.Client.Do(ctx, http.MethodPost, "/v1.0/jobs/"+name, job, nil)
}

// expiryRetry fires a failed expiry again every 5 s for an hour. Dapr's default (1 s, 3 retries)
// dropped expiries whose first firings met a sidecar still connecting after a restart; inventory's
// reconciler returns the stock of any expiry that still never succeeds.
var expiryRetry = map[string]any{"constant": map[string]any{"interval": "5s", "maxRetries": 720}}

// ExpiryData is what an expiry job carries: enough to release the stock of an order that was
// never stored.
type ExpiryData struct {
	OrderID string          `json:"order_id"`
	StoreID string          `json:"store_id"`
	Period  string          `json:"period"`
	Items   []stockapi.Line `json:"items"`
}

// ExpiryBatch is what a batch's expiry job carries: every order of the batch.
type ExpiryBatch struct {
	Orders []ExpiryData `json:"orders"`
}

// Order rebuilds the order an expiry job was scheduled for.
func (d ExpiryData) Order() ordering.Order {
	o := ordering.Order{ID: d.OrderID, StoreID: d.StoreID, Period: d.Period}
	for _, l := range d.Items {
		o.Items = append(o.Items, ordering.Item{DishID: l.DishID, Quantity: l.Quantity})
	}
	return o
}
