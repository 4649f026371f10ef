package sidecar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/canteen/canteen/services/inventory/stock"
)

// Peers reaches the order service and the Jobs API through the app's own sidecar over HTTP, as a
// REST caller in any language would.
type Peers struct {
	SidecarHTTP string // e.g. http://127.0.0.1:3502
	OrderApp    string
	Client      *http.Client
}

var _ stock.Orders = (*Peers)(nil)

type statusesRequest struct {
	OrderIDs []string `json:"order_ids"`
}

type statusesResponse struct {
	Orders map[string]struct {
		Status    string    `json:"status"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"orders"`
}

// Statuses asks the order service about orders in one call (POST /orders/statuses).
func (p *Peers) Statuses(ctx context.Context, ids []string) (map[string]stock.OrderState, error) {
	var resp statusesResponse
	if err := p.post(ctx, "/v1.0/invoke/"+p.OrderApp+"/method/orders/statuses", statusesRequest{OrderIDs: ids}, &resp); err != nil {
		return nil, fmt.Errorf("order statuses: %w", err)
	}
	out := make(map[string]stock.OrderState, len(resp.Orders))
	for id, o := range resp.Orders {
		out[id] = stock.OrderState{Status: toOrderStatus(o.Status), CreatedAt: o.CreatedAt}
	}
	return out, nil
}

// toOrderStatus maps the order service's statuses onto what the reconciler tells apart; one it
// does not know stays as it is, and the reconciler leaves such an order alone.
func toOrderStatus(s string) stock.OrderStatus {
	switch s {
	case "paid", "accepted", "ready", "completed":
		return stock.OrderPaid
	}
	return stock.OrderStatus(s)
}

type jobRequest struct {
	Schedule      string         `json:"schedule"`
	Overwrite     bool           `json:"overwrite"`
	Data          map[string]any `json:"data"`
	FailurePolicy map[string]any `json:"failurePolicy"`
}

// ScheduleEvery schedules (or reschedules: overwrite) the recurring job name, delivered to the app
// at POST /job/<name> every interval. A tick that fails is dropped: the next one comes anyway.
func (p *Peers) ScheduleEvery(ctx context.Context, name string, every time.Duration) error {
	job := jobRequest{Schedule: "@every " + every.String(), Overwrite: true, Data: map[string]any{}, FailurePolicy: map[string]any{"drop": map[string]any{}}}
	return p.post(ctx, "/v1.0/jobs/"+name, job, nil)
}

func (p *Peers) post(ctx context.Context, path string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.SidecarHTTP+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %d: %.200s", path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode the answer of %s: %w", path, err)
	}
	return nil
}
