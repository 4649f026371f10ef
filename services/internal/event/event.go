// Package event is the vocabulary Canteen's services share over pub/sub: the pub/sub component,
// topic names and payloads. It is a wire contract: any service, in any language, that reads or
// writes these JSON shapes takes part. Add fields; never rename or remove one.
package event

import (
	"strconv"
	"time"
)

// PubSub is the name of the pub/sub component every profile defines.
const PubSub = "pubsub"

// Topics. Every subscription has a dead-letter topic named Topic + DeadLetterSuffix.
const (
	// TopicOrders carries order lifecycle events, written by the order service's state-store outbox
	// in the same transaction as the order's state change; every type but order.created (see
	// TopicOf).
	TopicOrders = "orders"
	// TopicOrdersCreated carries order.created alone, from the same outbox. It is the busiest
	// order event (one per checkout) and only the status streams read it: on the lifecycle topic
	// it was delivered to every lifecycle subscriber, which ignored it (measured: about 1.3 ms of
	// sidecar and app CPU per subscriber per checkout, a fifth of a checkout's). A subscriber that
	// wants an order's whole story subscribes to both and orders the events by their at.
	TopicOrdersCreated = "orders-created"
	// TopicStock carries stock availability changes from inventory.
	TopicStock = "stock"
	// TopicPayments carries payment outcomes from the payment service, written by the payment
	// intent's own outbox in the same write as the intent's change.
	TopicPayments = "payments"
	// TopicTickets carries store queue tickets from the kitchen service, published by the store's
	// actor after the change is saved (kept in the actor's outbox until published).
	TopicTickets = "tickets"
	// TopicDeliveries carries delivery jobs' changes from the delivery service, kept in the
	// job's own outbox (written with the change) until published.
	TopicDeliveries = "deliveries"
	// TopicStores carries a store's load from the kitchen service (busy, over capacity, the wait
	// estimate), kept in the store's queue actor's state until published.
	TopicStores      = "stores"
	DeadLetterSuffix = "-deadletter"
)

// TopicOf is the topic an order event of type t is published on.
func TopicOf(t string) string {
	if t == OrderCreated {
		return TopicOrdersCreated
	}
	return TopicOrders
}

// Order event types (the Type field of Order).
const (
	OrderCreated   = "order.created"
	OrderCancelled = "order.cancelled"
	OrderExpired   = "order.expired"
	OrderPaid      = "order.paid"
	// OrderAccepted, OrderReady and OrderCompleted follow the order's ticket in its store's queue
	// (the kitchen's ticket.accepted, ticket.ready and ticket.picked_up).
	OrderAccepted  = "order.accepted"
	OrderReady     = "order.ready"
	OrderCompleted = "order.completed"
	// OrderRefundDue: the order holds money it will not serve (paid, then cancelled before the
	// store accepted it; or paid after it had expired or been released). The payment service
	// refunds the order's payment and inventory returns whatever the order had sold.
	OrderRefundDue = "order.refund_due"
)

// Payment event types (the Type field of Payment).
const (
	PaymentSucceeded = "payment.succeeded"
	PaymentFailed    = "payment.failed"
	PaymentRefunded  = "payment.refunded"
)

// Stock event types (the Type field of Stock).
const (
	StockDepleted    = "stock.depleted"
	StockReplenished = "stock.replenished"
)

// Ticket event types (the Type field of Ticket).
const (
	TicketQueued    = "ticket.queued"
	TicketAccepted  = "ticket.accepted"
	TicketPreparing = "ticket.preparing"
	TicketReady     = "ticket.ready"
	TicketPickedUp  = "ticket.picked_up"
	// TicketRejected: the store will not make a paid order; the payment service refunds it.
	TicketRejected = "ticket.rejected"
	// TicketOverdue is an alert, not a state: a queued ticket waited too long to be accepted.
	TicketOverdue = "ticket.overdue"
)

// StoreLoadChanged is the one type of StoreLoad: what customers should be told about a store's
// kitchen changed.
const StoreLoadChanged = "store.load_changed"

// Delivery job event types (the Type field of DeliveryJob).
const (
	// DeliveryAssigned: a rider is offered the job and must accept it in time; a job is assigned
	// again (Attempt + 1) to another rider when the first does not.
	DeliveryAssigned  = "delivery.assigned"
	DeliveryAccepted  = "delivery.accepted"
	DeliveryPickedUp  = "delivery.picked_up"
	DeliveryDelivered = "delivery.delivered"
)

// Order is an order's state after a change. Consumers deduplicate on (OrderID, Type): an order
// enters each state at most once.
type Order struct {
	Type       string `json:"type"`
	OrderID    string `json:"order_id"`
	CustomerID string `json:"customer_id"`
	StoreID    string `json:"store_id"`
	Period     string `json:"period"`
	Status     string `json:"status"`
	Items      []Item `json:"items"`
	TotalCents int64  `json:"total_cents"`
	// TxnID is the payment provider's transaction id of the payment that paid the order, once
	// one did: an order.cancelled with it was a paid order's (its refund_due follows).
	TxnID string `json:"txn_id,omitempty"`
	// Reason says why the order ended or is owed a refund, in words for people.
	Reason string `json:"reason,omitempty"`
	// Delivery is where a rider takes the order; nil for an order the customer picks up.
	Delivery *Delivery `json:"delivery,omitempty"`
	At       time.Time `json:"at"`
}

// Delivery is where a delivery order goes: a building of a campus zone (riders work a zone).
type Delivery struct {
	Zone     string `json:"zone"`
	Building string `json:"building"`
}

// Item is one line of an order.
type Item struct {
	DishID     string `json:"dish_id"`
	Quantity   int64  `json:"quantity"`
	PriceCents int64  `json:"price_cents"`
}

// EventType and EventTime name an event in its record's outbox (services/internal/outbox).
func (e Order) EventType() string { return e.Type }

// EventTime is when the change the event announces was written.
func (e Order) EventTime() time.Time { return e.At }

// EventType names the event in its intent's outbox (services/internal/outbox).
func (e Payment) EventType() string { return e.Type }

// EventTime is when the change the event announces was written.
func (e Payment) EventTime() time.Time { return e.At }

// Payment is an order's payment after a change. Consumers deduplicate on (OrderID, Type): a
// payment reaches each of these states at most once. AmountCents is integer cents, the order's
// total when the payment was created. Reason says why, for a failure or a refund ("" otherwise).
type Payment struct {
	Type        string    `json:"type"`
	OrderID     string    `json:"order_id"`
	CustomerID  string    `json:"customer_id"`
	TxnID       string    `json:"txn_id"`
	AmountCents int64     `json:"amount_cents"`
	Status      string    `json:"status"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
}

// Stock says a dish's availability in a sale period crossed zero (depleted) or rose from zero
// (replenished). Available is the count when the event was written; consumers apply the latest.
type Stock struct {
	Type      string    `json:"type"`
	StoreID   string    `json:"store_id"`
	DishID    string    `json:"dish_id"`
	Period    string    `json:"period"`
	Available int64     `json:"available"`
	At        time.Time `json:"at"`
}

// Ticket is a paid order's ticket in its store's queue after a change. Consumers deduplicate on
// (OrderID, Type): a ticket enters each state at most once, though an event may be delivered
// (and, after a failed publish, published) more than once. TotalCents is the order's total, so
// that a rejection can be refunded without asking the order service.
type Ticket struct {
	Type       string    `json:"type"`
	OrderID    string    `json:"order_id"`
	StoreID    string    `json:"store_id"`
	CustomerID string    `json:"customer_id"`
	Period     string    `json:"period"`
	Code       string    `json:"code"`
	Status     string    `json:"status"`
	TotalCents int64     `json:"total_cents"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
}

// ID is the ticket event's CloudEvent id: the order and the change, so that a republished event
// carries the id of the first.
func (e Ticket) ID() string { return e.OrderID + "/" + e.Type }

// DeliveryJob is a delivery order's job after a change. Consumers deduplicate on (OrderID, Type,
// Attempt): a job is assigned once per attempt, and enters every other state at most once.
// RiderID is the rider the job is with; Attempt counts its assignments (1 for the first rider).
type DeliveryJob struct {
	Type       string    `json:"type"`
	OrderID    string    `json:"order_id"`
	StoreID    string    `json:"store_id"`
	CustomerID string    `json:"customer_id"`
	Zone       string    `json:"zone"`
	Building   string    `json:"building"`
	RiderID    string    `json:"rider_id"`
	Attempt    int       `json:"attempt"`
	Status     string    `json:"status"`
	At         time.Time `json:"at"`
}

// EventType names the event in its job's outbox (services/internal/outbox): a job is assigned
// once per attempt, so the attempt is part of the name.
func (e DeliveryJob) EventType() string { return e.Type + "#" + strconv.Itoa(e.Attempt) }

// EventTime is when the change the event announces was written.
func (e DeliveryJob) EventTime() time.Time { return e.At }

// StoreLoad is what a store's kitchen tells customers about its load, announced when any of it
// changes: Busy (staff said the kitchen is slower than usual), OverCapacity (it has as many open
// tickets as its limit: a new order still gets in, later) and WaitSeconds, the estimate for an
// order placed now, rounded so that a rush does not announce every ticket. Seq counts the store's
// announcements: a consumer keeps the highest and drops a lower or equal one, which is a late or
// repeated delivery.
type StoreLoad struct {
	Type         string    `json:"type"`
	StoreID      string    `json:"store_id"`
	Busy         bool      `json:"busy"`
	OverCapacity bool      `json:"over_capacity"`
	WaitSeconds  int64     `json:"wait_seconds"`
	Seq          int64     `json:"seq"`
	At           time.Time `json:"at"`
}
