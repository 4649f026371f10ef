// Package paysimapi is paysim's contract with merchants (the payment service, tests): the paths,
// request and response bodies, statuses and error codes of its REST API, the notifications it
// POSTs to a payment's notify_url, their header names and signature, and the names of its signing
// keys in the paysecrets store. The JSON is the wire format and stays language-neutral: a field's
// tag and a code's text are never renamed (callers in any language depend on them); add, do not
// change. services/paysim/openapi.yaml documents the API.
package paysimapi

import (
	"net/url"
	"time"
)

// Method paths, relative to /v1.0/invoke/paysim/method/.
const (
	// PathPayments: POST a CreatePaymentRequest, 201 with a Payment (200 with the same Payment
	// when the merchant order already has one of the same amount); GET with the query parameter
	// QueryMerchantOrderID answers the order's Payment (see PaymentByOrderPath).
	PathPayments = "v1/payments"
	// PathFaults: GET the global Faults, PUT to replace them. Answered even while Down.
	PathFaults = "v1/faults"
	// QueryMerchantOrderID is GET PathPayments' query parameter.
	QueryMerchantOrderID = "merchant_order_id"
)

// PaymentPath answers GET with the Payment.
func PaymentPath(txnID string) string { return PathPayments + "/" + url.PathEscape(txnID) }

// PaymentByOrderPath answers GET with the Payment of a merchant order.
func PaymentByOrderPath(merchantOrderID string) string {
	return PathPayments + "?" + url.Values{QueryMerchantOrderID: {merchantOrderID}}.Encode()
}

// PayPath takes a PayRequest and answers 200 with the Payment.
func PayPath(txnID string) string { return PaymentPath(txnID) + "/pay" }

// RefundsPath takes a RefundRequest and answers 200 with a Refund.
func RefundsPath(txnID string) string { return PaymentPath(txnID) + "/refunds" }

// PaymentFaultsPath takes Faults (Down false) for one payment and answers 200 with them.
func PaymentFaultsPath(txnID string) string { return PaymentPath(txnID) + "/faults" }

// CreatePaymentRequest asks for the payment of a merchant order; NotifyURL is an absolute http(s)
// URL that receives the payment's Notifications.
type CreatePaymentRequest struct {
	MerchantOrderID string `json:"merchant_order_id"`
	AmountCents     int64  `json:"amount_cents"`
	NotifyURL       string `json:"notify_url"`
	Description     string `json:"description,omitempty"`
}

// Status is where a payment is.
type Status string

// Statuses. pending, then succeeded or failed by pay; succeeded, then refunded by a full refund.
const (
	Pending   Status = "pending"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Refunded  Status = "refunded"
)

// Payment is a payment as paysim answers it. Version starts at 1 and grows by one at every status
// change. PayToken, the payer's credential, is only in the answer to a create.
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

// PayRequest pays a pending payment.
type PayRequest struct {
	PayToken string `json:"pay_token"`
}

// RefundRequest gives back AmountCents of a succeeded payment; it is idempotent by RefundID.
type RefundRequest struct {
	RefundID    string `json:"refund_id"`
	AmountCents int64  `json:"amount_cents"`
}

// RefundSucceeded is the only status of a Refund: paysim refunds at once.
const RefundSucceeded = "succeeded"

// Refund is the answer to a refund, and to its repeats.
type Refund struct {
	RefundID    string `json:"refund_id"`
	TxnID       string `json:"txn_id"`
	AmountCents int64  `json:"amount_cents"`
	Status      string `json:"status"`
}

// Faults are the fault switches. A PUT replaces them all (an absent field is off). Per payment
// they replace the global ones for that payment; Down is global only.
type Faults struct {
	Decline    bool  `json:"decline"`      // pay answers failed
	DelayMS    int64 `json:"delay_ms"`     // notification delay; 0 is the default (NOTIFY_DELAY)
	Duplicates int   `json:"duplicates"`   // every notification is delivered 1+duplicates times
	Lose       bool  `json:"lose"`         // notifications are never sent
	OutOfOrder bool  `json:"out_of_order"` // copies and a stale copy of every earlier version, shuffled, at once
	Down       bool  `json:"down"`         // every v1/ endpoint but v1/faults answers 503 unavailable
}

// Code is a paysim refusal: the "code" of the apierr envelope it answers with. Callers map these,
// never the message, to their own errors; the shared ones (invalid_argument, not_found,
// unavailable, ...) are apierr's.
type Code string

// paysim's own codes.
const (
	// CodeOrderConflict (409): the merchant order already has a payment of another amount.
	CodeOrderConflict Code = "order_conflict"
	// CodeInvalidToken (403): the pay token is not the payment's.
	CodeInvalidToken Code = "invalid_token"
	// CodeNotPaid (409): a refund of a payment that is not succeeded.
	CodeNotPaid Code = "not_paid"
	// CodeRefundExceeds (409): the refund is more than is left to refund (or one refund too many).
	CodeRefundExceeds Code = "refund_exceeds"
	// CodeRefundConflict (409): the refund id was used before with another amount.
	CodeRefundConflict Code = "refund_conflict"
)
