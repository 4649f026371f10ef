// Package paysimapi is the call contract of paysim, the stand-in payment provider (app-id
// paysim): method paths, request and response bodies, error codes, notification headers and the
// signature. PROVISIONAL copy written by the payment work from payment-contracts.md, holding only
// what payment uses, until the paysim work's own package is merged; the two are to be reconciled
// then (the wire format below is the contract's and must not differ).
package paysimapi

import (
	"net/url"
	"time"
)

// Method paths, relative to /v1.0/invoke/<paysim app id>/method/.
const (
	// PathPayments takes a CreateRequest (POST): 201 with a Payment, 200 with the same Payment for
	// a repeated merchant_order_id and amount, 409 CodeOrderConflict for another amount.
	PathPayments = "v1/payments"
)

// PaymentPath reads one payment by its transaction id (GET): 200 Payment, 404 not_found.
func PaymentPath(txnID string) string { return PathPayments + "/" + url.PathEscape(txnID) }

// PaymentByOrderPath reads the payment of a merchant order id (GET): 200 Payment, 404 not_found.
func PaymentByOrderPath(merchantOrderID string) string {
	return PathPayments + "?merchant_order_id=" + url.QueryEscape(merchantOrderID)
}

// RefundsPath takes a RefundRequest (POST): 200 Refund; idempotent by refund_id; 409
// CodeNotPaid when the payment is not succeeded, 409 CodeRefundExceeds past the amount.
func RefundsPath(txnID string) string { return PaymentPath(txnID) + "/refunds" }

// CreateRequest creates a payment for a merchant's order.
type CreateRequest struct {
	MerchantOrderID string `json:"merchant_order_id"`
	AmountCents     int64  `json:"amount_cents"`
	NotifyURL       string `json:"notify_url"`
	Description     string `json:"description,omitempty"`
}

// Status is where a payment is at the provider.
type Status string

// Payment statuses; a payment's version grows by one at every change of status.
const (
	Pending   Status = "pending"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Refunded  Status = "refunded"
)

// Payment is the provider's payment; PayToken only in the create answer.
type Payment struct {
	TxnID           string    `json:"txn_id"`
	MerchantOrderID string    `json:"merchant_order_id"`
	AmountCents     int64     `json:"amount_cents"`
	Status          Status    `json:"status"`
	RefundedCents   int64     `json:"refunded_cents"`
	Version         int64     `json:"version"`
	PayToken        string    `json:"pay_token,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// RefundRequest refunds part or all of a succeeded payment, idempotently by RefundID.
type RefundRequest struct {
	RefundID    string `json:"refund_id"`
	AmountCents int64  `json:"amount_cents"`
}

// Refund is the provider's answer to a refund.
type Refund struct {
	RefundID    string `json:"refund_id"`
	TxnID       string `json:"txn_id"`
	AmountCents int64  `json:"amount_cents"`
	Status      string `json:"status"`
}

// Notification is the body the provider POSTs to a payment's notify_url at every change of its
// status (and again, with the same notification_id, when an answer was not AnswerSuccess).
type Notification struct {
	NotificationID  string    `json:"notification_id"`
	TxnID           string    `json:"txn_id"`
	MerchantOrderID string    `json:"merchant_order_id"`
	AmountCents     int64     `json:"amount_cents"`
	Status          Status    `json:"status"`
	Version         int64     `json:"version"`
	At              time.Time `json:"at"`
}

// NotificationAnswer is the merchant's 2xx answer that stops the provider's retries.
type NotificationAnswer struct {
	Code string `json:"code"`
}

// AnswerSuccess is NotificationAnswer.Code for a notification taken.
const AnswerSuccess = "SUCCESS"

// Code is a paysim refusal: the "code" of the apierr envelope it answers with.
type Code string

// Paysim's own codes (not_found and unavailable are apierr's).
const (
	CodeOrderConflict Code = "order_conflict"
	CodeInvalidToken  Code = "invalid_token"
	CodeNotPaid       Code = "not_paid"
	CodeRefundExceeds Code = "refund_exceeds"
)
