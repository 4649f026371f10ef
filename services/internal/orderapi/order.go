package orderapi

import "net/url"

// OrderPath reads one of a customer's orders (GET, with header CustomerHeader naming the
// customer); another customer's order, or none, answers 404 not_found.
func OrderPath(id string) string { return "orders/" + url.PathEscape(id) }

// CustomerHeader names the calling customer on the order API.
const CustomerHeader = "X-Customer-Id"

// Order is the part of the order service's order answer (services/order/openapi.yaml, Order) a
// caller needs to take a payment for it. Decoding is not strict: the answer has more fields.
type Order struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	Status     string `json:"status"`
	TotalCents int64  `json:"total_cents"`
}
