// Package orderapi is the order service's contract with the services that call it through Dapr
// service invocation (today inventory's reconciler): paths and JSON bodies, as
// services/order/openapi.yaml documents them. Add fields; never rename or remove one.
package orderapi

import "time"

// PathStatuses answers the status of many orders at once (POST).
const PathStatuses = "orders/statuses"

// StatusesRequest names the orders asked about.
type StatusesRequest struct {
	OrderIDs []string `json:"order_ids"`
}

// StatusesResponse holds the orders among the ids that exist, by id; unknown ids are absent.
type StatusesResponse struct {
	Orders map[string]OrderStatus `json:"orders"`
}

// OrderStatus is one order's status and when it was placed.
type OrderStatus struct {
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Order statuses (services/order/ordering is their source).
const (
	PendingPayment = "pending_payment"
	Paid           = "paid"
	Accepted       = "accepted"
	Ready          = "ready"
	Completed      = "completed"
	Cancelled      = "cancelled"
	Expired        = "expired"
)
