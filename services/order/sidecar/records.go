package sidecar

import (
	"time"

	"github.com/canteen/canteen/services/internal/event"

	"github.com/canteen/canteen/services/order/ordering"
)

// orderRecord is an order's stored JSON form: the contract with any other implementation
// reading this store, changed only with a migration.
type orderRecord struct {
	CustomerID  string       `json:"customer_id"`
	StoreID     string       `json:"store_id"`
	Period      string       `json:"period"`
	Items       []itemRecord `json:"items"`
	TotalCents  int64        `json:"total_cents"`
	Status      string       `json:"status"`
	RequestHash string       `json:"request_hash"`
	TxnID       string       `json:"txn_id,omitempty"`
	Reason      string       `json:"reason,omitempty"`
	RefundDue   bool         `json:"refund_due,omitempty"`
	Delivery    *deliveryTo  `json:"delivery,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	// Outbox is the order's events not yet published: written with the change they announce.
	Outbox []event.Order `json:"outbox,omitempty"`
}

type deliveryTo struct {
	Zone     string `json:"zone"`
	Building string `json:"building"`
}

type itemRecord struct {
	DishID     string `json:"dish_id"`
	Quantity   int64  `json:"quantity"`
	PriceCents int64  `json:"price_cents"`
}

func toOrderRecord(o ordering.Order) orderRecord {
	rec := orderRecord{CustomerID: o.CustomerID, StoreID: o.StoreID, Period: o.Period, TotalCents: o.TotalCents,
		Status: string(o.Status), RequestHash: o.RequestHash, TxnID: o.TxnID, Reason: o.Reason, RefundDue: o.RefundDue, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Outbox: o.Outbox}
	for _, it := range o.Items {
		rec.Items = append(rec.Items, itemRecord(it))
	}
	if o.Delivery != nil {
		rec.Delivery = (*deliveryTo)(o.Delivery)
	}
	return rec
}

func (r orderRecord) domain(id string) ordering.Order {
	o := ordering.Order{ID: id, CustomerID: r.CustomerID, StoreID: r.StoreID, Period: r.Period, TotalCents: r.TotalCents,
		Status: ordering.Status(r.Status), RequestHash: r.RequestHash, TxnID: r.TxnID, Reason: r.Reason, RefundDue: r.RefundDue, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Outbox: r.Outbox}
	for _, it := range r.Items {
		o.Items = append(o.Items, ordering.Item(it))
	}
	if r.Delivery != nil {
		o.Delivery = (*ordering.Delivery)(r.Delivery)
	}
	return o
}
