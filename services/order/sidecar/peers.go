package sidecar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/canteen/canteen/services/order/ordering"
)

// Peers reaches other services and the Jobs API through the app's own sidecar over HTTP: the
// sidecar answers with the callee's status and JSON body as they are, which is all a REST caller
// in any language would have.
type Peers struct {
	SidecarHTTP  string // e.g. http://127.0.0.1:3503
	MenuApp      string
	InventoryApp string
	Client       *http.Client
}

var (
	_ ordering.Menu      = (*Peers)(nil)
	_ ordering.Inventory = (*Peers)(nil)
	_ ordering.Scheduler = (*Peers)(nil)
)

// errorBody is the services' JSON error envelope.
type errorBody struct {
	Error struct {
		Code  string `json:"code"`
		Field string `json:"field"`
	} `json:"error"`
}

func (p *Peers) do(ctx context.Context, method, path string, body any, out any) (int, errorBody, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, errorBody{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.SidecarHTTP+path, rd)
	if err != nil {
		return 0, errorBody{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		return 0, errorBody{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, errorBody{}, err
	}
	var eb errorBody
	if resp.StatusCode >= 300 {
		json.Unmarshal(raw, &eb)
		return resp.StatusCode, eb, nil
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, eb, fmt.Errorf("decode %s: %w", path, err)
		}
	}
	return resp.StatusCode, eb, nil
}

type menuJSON struct {
	Store struct {
		Busy bool `json:"busy"`
	} `json:"store"`
	Categories []struct {
		Dishes []struct {
			ID         string `json:"id"`
			PriceCents int64  `json:"price_cents"`
			Orderable  bool   `json:"orderable"`
		} `json:"dishes"`
	} `json:"categories"`
}

// Dishes reads a store's menu.
func (p *Peers) Dishes(ctx context.Context, storeID string) (map[string]ordering.Dish, bool, error) {
	var m menuJSON
	st, _, err := p.do(ctx, http.MethodGet, "/v1.0/invoke/"+p.MenuApp+"/method/stores/"+storeID+"/menu", nil, &m)
	switch {
	case err != nil:
		return nil, false, fmt.Errorf("menu of %s: %w", storeID, err)
	case st == http.StatusNotFound:
		return nil, false, &ordering.InvalidError{Field: "store_id", Reason: "is not a store"}
	case st != http.StatusOK:
		return nil, false, fmt.Errorf("menu of %s: status %d", storeID, st)
	}
	dishes := map[string]ordering.Dish{}
	for _, c := range m.Categories {
		for _, d := range c.Dishes {
			dishes[d.ID] = ordering.Dish{PriceCents: d.PriceCents, Orderable: d.Orderable}
		}
	}
	return dishes, m.Store.Busy, nil
}

type lineJSON struct {
	StoreID  string `json:"store_id"`
	DishID   string `json:"dish_id"`
	Period   string `json:"period"`
	Quantity int64  `json:"quantity"`
}

func lines(o ordering.Order) []lineJSON {
	out := make([]lineJSON, len(o.Items))
	for i, it := range o.Items {
		out[i] = lineJSON{StoreID: o.StoreID, DishID: it.DishID, Period: o.Period, Quantity: it.Quantity}
	}
	return out
}

// Reserve asks inventory to hold the order's items.
func (p *Peers) Reserve(ctx context.Context, o ordering.Order) error {
	st, eb, err := p.do(ctx, http.MethodPost, "/v1.0/invoke/"+p.InventoryApp+"/method/reservations",
		map[string]any{"order_id": o.ID, "items": lines(o)}, nil)
	switch {
	case err != nil:
		return fmt.Errorf("reserve %s: %w", o.ID, err)
	case st == http.StatusCreated:
		return nil
	case st == http.StatusConflict && eb.Error.Code == "sold_out":
		return &ordering.SoldOutError{DishID: dishAt(o, eb.Error.Field)}
	case st == http.StatusConflict && eb.Error.Code == "released":
		return ordering.ErrExpired
	case st == http.StatusNotFound && eb.Error.Code == "unknown_stock":
		return &ordering.SoldOutError{DishID: dishAt(o, eb.Error.Field)} // never stocked: nothing to sell
	}
	return fmt.Errorf("reserve %s: inventory answered %d %s", o.ID, st, eb.Error.Code)
}

// dishAt names the dish of field "items[i]".
func dishAt(o ordering.Order, field string) string {
	i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(field, "items["), "]"))
	if err != nil || i < 0 || i >= len(o.Items) {
		return ""
	}
	return o.Items[i].DishID
}

// Release asks inventory to return the order's items; idempotent.
func (p *Peers) Release(ctx context.Context, o ordering.Order) error {
	st, eb, err := p.do(ctx, http.MethodPost, "/v1.0/invoke/"+p.InventoryApp+"/method/reservations/"+o.ID+"/release",
		map[string]any{"items": lines(o)}, nil)
	if err != nil {
		return fmt.Errorf("release %s: %w", o.ID, err)
	}
	switch {
	case st == http.StatusOK:
		return nil
	case st == http.StatusConflict && eb.Error.Code == "confirmed":
		return ordering.ErrStockSold
	}
	return fmt.Errorf("release %s: inventory answered %d %s", o.ID, st, eb.Error.Code)
}

// ExpiryJobPrefix starts the name of every expiry job; the job is delivered to POST /job/<name>.
const ExpiryJobPrefix = "expire-"

// ScheduleExpiry schedules (or reschedules: overwrite) the order's expiry job with the order as data.
func (p *Peers) ScheduleExpiry(ctx context.Context, o ordering.Order, at time.Time) error {
	job := map[string]any{"dueTime": at.UTC().Format(time.RFC3339), "data": ExpiryData{OrderID: o.ID, StoreID: o.StoreID, Period: o.Period, Items: lines(o)}, "overwrite": true}
	st, _, err := p.do(ctx, http.MethodPost, "/v1.0/jobs/"+ExpiryJobPrefix+o.ID, job, nil)
	if err != nil {
		return err
	}
	if st/100 != 2 {
		return errors.New("scheduler answered " + strconv.Itoa(st))
	}
	return nil
}

// ExpiryData is what an expiry job carries: enough to release the stock of an order that was
// never stored.
type ExpiryData struct {
	OrderID string     `json:"order_id"`
	StoreID string     `json:"store_id"`
	Period  string     `json:"period"`
	Items   []lineJSON `json:"items"`
}

// Order rebuilds the order an expiry job was scheduled for.
func (d ExpiryData) Order() ordering.Order {
	o := ordering.Order{ID: d.OrderID, StoreID: d.StoreID, Period: d.Period}
	for _, l := range d.Items {
		o.Items = append(o.Items, ordering.Item{DishID: l.DishID, Quantity: l.Quantity})
	}
	return o
}
