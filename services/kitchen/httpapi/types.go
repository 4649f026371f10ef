package httpapi

import (
	"time"

	"github.com/canteen/canteen/services/kitchen/queue"
)

type capacityRequest struct {
	Limit *int `json:"limit"`
	Busy  bool `json:"busy"`
}

type ackRequest struct {
	Cursor *int64 `json:"cursor"`
}

type moveRequest struct {
	Reason string `json:"reason"`
}

type itemResponse struct {
	DishID   string `json:"dish_id"`
	Quantity int64  `json:"quantity"`
}

type ticketResponse struct {
	OrderID          string         `json:"order_id"`
	StoreID          string         `json:"store_id"`
	CustomerID       string         `json:"customer_id"`
	Period           string         `json:"period"`
	Items            []itemResponse `json:"items"`
	TotalCents       int64          `json:"total_cents"`
	Code             string         `json:"code"`
	Status           string         `json:"status"`
	Reason           string         `json:"reason,omitempty"`
	Cursor           int64          `json:"cursor"`
	OverCapacity     bool           `json:"over_capacity"`
	EstimatedReadyAt time.Time      `json:"estimated_ready_at"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

type queueResponse struct {
	StoreID      string           `json:"store_id"`
	Limit        int              `json:"limit"`
	Busy         bool             `json:"busy"`
	Working      int              `json:"working"`
	OverCapacity bool             `json:"over_capacity"`
	WaitSeconds  int64            `json:"wait_seconds"`
	Tickets      []ticketResponse `json:"tickets"`
}

type pageResponse struct {
	Tickets []ticketResponse `json:"tickets"`
	Cursor  int64            `json:"cursor"`
}

func toTicketResponse(t queue.Ticket) ticketResponse {
	items := make([]itemResponse, len(t.Items))
	for i, it := range t.Items {
		items[i] = itemResponse{DishID: it.DishID, Quantity: it.Quantity}
	}
	return ticketResponse{OrderID: t.OrderID, StoreID: t.StoreID, CustomerID: t.CustomerID, Period: t.Period, Items: items,
		TotalCents: t.TotalCents, Code: t.Code, Status: string(t.Status), Reason: t.Reason, Cursor: t.Seq, OverCapacity: t.OverCapacity,
		EstimatedReadyAt: t.EstimatedReadyAt, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func toTicketResponses(ts []queue.Ticket) []ticketResponse {
	out := make([]ticketResponse, len(ts))
	for i, t := range ts {
		out[i] = toTicketResponse(t)
	}
	return out
}

func toQueueResponse(v queue.View) queueResponse {
	return queueResponse{StoreID: v.StoreID, Limit: v.Capacity.Limit, Busy: v.Capacity.Busy, Working: v.Working,
		OverCapacity: v.OverCapacity, WaitSeconds: int64(v.Wait / time.Second), Tickets: toTicketResponses(v.Tickets)}
}

func toPageResponse(p queue.Page) pageResponse {
	return pageResponse{Tickets: toTicketResponses(p.Tickets), Cursor: p.Cursor}
}
