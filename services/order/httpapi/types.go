package httpapi

import (
	"time"

	"github.com/canteen/canteen/services/order/ordering"
)

type checkoutRequest struct {
	StoreID string `json:"store_id"`
	Period  string `json:"period"`
	Items   []struct {
		DishID   string `json:"dish_id"`
		Quantity int64  `json:"quantity"`
	} `json:"items"`
	Delivery *deliveryTo `json:"delivery,omitempty"`
}

type deliveryTo struct {
	Zone     string `json:"zone"`
	Building string `json:"building"`
}

type itemResponse struct {
	DishID     string `json:"dish_id"`
	Quantity   int64  `json:"quantity"`
	PriceCents int64  `json:"price_cents"`
}

type orderResponse struct {
	ID         string         `json:"id"`
	CustomerID string         `json:"customer_id"`
	StoreID    string         `json:"store_id"`
	Period     string         `json:"period"`
	Items      []itemResponse `json:"items"`
	TotalCents int64          `json:"total_cents"`
	Status     string         `json:"status"`
	TxnID      string         `json:"txn_id,omitempty"`
	Reason     string         `json:"reason,omitempty"`
	RefundDue  bool           `json:"refund_due,omitempty"`
	Delivery   *deliveryTo    `json:"delivery,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	// Warnings come only in the answer of the checkout that created the order.
	Warnings []warningJSON `json:"warnings,omitempty"`
}

// warningJSON is something the customer should know before paying.
type warningJSON struct {
	Code        string `json:"code"`
	Message     string `json:"message"`
	WaitMinutes int64  `json:"wait_minutes,omitempty"`
}

type listResponse struct {
	Orders []orderResponse `json:"orders"`
}

func (r checkoutRequest) domain(customer, key string) ordering.CheckoutRequest {
	out := ordering.CheckoutRequest{CustomerID: customer, IdempotencyKey: key, StoreID: r.StoreID, Period: r.Period}
	if r.Delivery != nil {
		out.Delivery = (*ordering.Delivery)(r.Delivery)
	}
	for _, it := range r.Items {
		out.Items = append(out.Items, ordering.ItemRequest{DishID: it.DishID, Quantity: it.Quantity})
	}
	return out
}

func toOrderResponse(o ordering.Order) orderResponse {
	out := orderResponse{ID: o.ID, CustomerID: o.CustomerID, StoreID: o.StoreID, Period: o.Period, TotalCents: o.TotalCents,
		Status: string(o.Status), TxnID: o.TxnID, Reason: o.Reason, RefundDue: o.RefundDue, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Items: make([]itemResponse, 0, len(o.Items))}
	for _, it := range o.Items {
		out.Items = append(out.Items, itemResponse(it))
	}
	if o.Delivery != nil {
		out.Delivery = (*deliveryTo)(o.Delivery)
	}
	for _, w := range o.Warnings {
		out.Warnings = append(out.Warnings, warningJSON{Code: string(w.Code), Message: w.Message, WaitMinutes: w.WaitMinutes})
	}
	return out
}

func toListResponse(orders []ordering.Order) listResponse {
	out := listResponse{Orders: make([]orderResponse, 0, len(orders))}
	for _, o := range orders {
		out.Orders = append(out.Orders, toOrderResponse(o))
	}
	return out
}
