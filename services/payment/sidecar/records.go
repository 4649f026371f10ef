package sidecar

import (
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/payment/paying"
)

// intentRecord is an intent's stored JSON form: the contract with any other implementation
// reading this store, changed only with a migration.
type intentRecord struct {
	CustomerID   string    `json:"customer_id"`
	AmountCents  int64     `json:"amount_cents"`
	Status       string    `json:"status"`
	TxnID        string    `json:"txn_id,omitempty"`
	PayToken     string    `json:"pay_token,omitempty"`
	Version      int64     `json:"version"`
	Reason       string    `json:"reason,omitempty"`
	RefundDue    bool      `json:"refund_due,omitempty"`
	RefundReason string    `json:"refund_reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Outbox is the intent's events not yet published: written with the change they announce.
	Outbox []event.Payment `json:"outbox,omitempty"`
}

func toIntentRecord(in paying.Intent) intentRecord {
	return intentRecord{CustomerID: in.CustomerID, AmountCents: in.AmountCents, Status: string(in.Status), TxnID: in.TxnID,
		PayToken: in.PayToken, Version: in.Version, Reason: in.Reason, RefundDue: in.RefundDue, RefundReason: in.RefundReason,
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, Outbox: in.Outbox}
}

func (r intentRecord) domain(orderID string) paying.Intent {
	return paying.Intent{OrderID: orderID, CustomerID: r.CustomerID, AmountCents: r.AmountCents, Status: paying.Status(r.Status),
		TxnID: r.TxnID, PayToken: r.PayToken, Version: r.Version, Reason: r.Reason, RefundDue: r.RefundDue, RefundReason: r.RefundReason,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Outbox: r.Outbox}
}

// reportRecord is the reconciler's last report.
type reportRecord struct {
	StartedAt    time.Time `json:"started_at"`
	FinishedAt   time.Time `json:"finished_at"`
	Listed       int       `json:"listed"`
	Polled       int       `json:"polled"`
	Settled      int       `json:"settled"`
	Resumed      int       `json:"resumed"`
	Refunded     int       `json:"refunded"`
	Abandoned    int       `json:"abandoned"`
	Unlisted     int       `json:"unlisted"`
	Errors       int       `json:"errors"`
	ErrorSamples []string  `json:"error_samples,omitempty"`
}
