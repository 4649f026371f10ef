// Package provider is paysim's domain: a stand-in third-party payment provider (WeChat Pay /
// Alipay style) with payments, pay tokens, refunds, status versions, the fault switches tests turn
// on at run time, and the plan of the signed notifications it sends merchants. It knows nothing of
// Dapr, HTTP or JSON; storage and delivery come in through the Repository and Notifier ports.
package provider

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what a merchant may send; they bound a payment's stored record.
const (
	MaxAmountCents    = 100_000_000 // 1,000,000.00: far above any canteen order
	MaxMerchantIDLen  = 128
	MaxDescriptionLen = 256
	MaxURLLen         = 1024
	MaxRefundIDLen    = 128
	// MaxRefunds bounds the partial refunds of one payment, and so its record's size.
	MaxRefunds = 50
)

// Status is where a payment is.
type Status string

// Statuses. A payment starts pending; pay makes it succeeded or failed (both final for pay); a
// full refund makes a succeeded payment refunded.
const (
	Pending   Status = "pending"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Refunded  Status = "refunded"
)

// Change is one status a payment reached, with its version: the history that stale
// (out-of-order) notifications are copies of.
type Change struct {
	Version int64
	Status  Status
	At      time.Time
}

// Refund is money given back, identified by the merchant's refund id.
type Refund struct {
	ID          string
	AmountCents int64
	At          time.Time
}

// PaymentInput is what a merchant sends to create a payment.
type PaymentInput struct {
	MerchantOrderID string
	AmountCents     int64
	NotifyURL       string
	Description     string
}

// Payment is one merchant order's payment. Version starts at 1 and grows by one at every status
// change; History holds every status it had, oldest first.
type Payment struct {
	TxnID           string
	MerchantOrderID string
	AmountCents     int64
	Description     string
	NotifyURL       string
	PayToken        string
	Status          Status
	Version         int64
	RefundedCents   int64
	Refunds         []Refund
	History         []Change
	// Faults, when set, replace the global fault switches for this payment.
	Faults    *Faults
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TxnID is the transaction id of a merchant order's payment. It is derived from the merchant
// order id, so that creating a payment is one create-only write of one key (a repeat finds the
// first), and the lookup by merchant order id needs no index (the state API cannot query).
func TxnID(merchantOrderID string) string {
	sum := sha256.Sum256([]byte("paysim/txn/" + merchantOrderID))
	return "txn_" + hex.EncodeToString(sum[:16])
}

// Validate checks the input field by field and names the first field at fault.
func (in PaymentInput) Validate() error {
	if err := text("merchant_order_id", in.MerchantOrderID, MaxMerchantIDLen, true); err != nil {
		return err
	}
	if in.AmountCents < 1 || in.AmountCents > MaxAmountCents {
		return invalid("amount_cents", "must be between 1 and %d", MaxAmountCents)
	}
	if len(in.NotifyURL) > MaxURLLen {
		return invalid("notify_url", "is longer than %d characters", MaxURLLen)
	}
	u, err := url.Parse(in.NotifyURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("notify_url", "must be an absolute http(s) URL")
	}
	return text("description", in.Description, MaxDescriptionLen, false)
}

// NewPayment validates in and returns the first version of its payment, pending.
func NewPayment(in PaymentInput, payToken string, now time.Time) (Payment, error) {
	if err := in.Validate(); err != nil {
		return Payment{}, err
	}
	return Payment{
		TxnID: TxnID(in.MerchantOrderID), MerchantOrderID: in.MerchantOrderID, AmountCents: in.AmountCents,
		Description: in.Description, NotifyURL: in.NotifyURL, PayToken: payToken,
		Status: Pending, Version: 1, History: []Change{{Version: 1, Status: Pending, At: now}},
		CreatedAt: now, UpdatedAt: now,
	}, nil
}

// TokenMatches compares a presented pay token in constant time: it is the payer's credential.
func (p Payment) TokenMatches(token string) bool {
	return subtle.ConstantTimeCompare([]byte(p.PayToken), []byte(token)) == 1
}

// transition moves the payment to status as its next version.
func (p Payment) transition(s Status, now time.Time) Payment {
	p.Status, p.Version, p.UpdatedAt = s, p.Version+1, now
	p.History = append(append([]Change(nil), p.History...), Change{Version: p.Version, Status: s, At: now})
	return p
}

// Refund returns the refund with id, if the payment has one.
func (p Payment) Refund(id string) (Refund, bool) {
	for _, r := range p.Refunds {
		if r.ID == id {
			return r, true
		}
	}
	return Refund{}, false
}

// addRefund gives back amount under id; a refund of what is left makes the payment refunded.
func (p Payment) addRefund(id string, amount int64, now time.Time) (Payment, error) {
	switch {
	case p.Status != Succeeded:
		return Payment{}, ErrNotPaid
	case amount > p.AmountCents-p.RefundedCents:
		return Payment{}, &RefundExceedsError{Left: p.AmountCents - p.RefundedCents}
	case len(p.Refunds) >= MaxRefunds:
		return Payment{}, &RefundExceedsError{Left: p.AmountCents - p.RefundedCents, TooMany: true}
	}
	p.Refunds = append(append([]Refund(nil), p.Refunds...), Refund{ID: id, AmountCents: amount, At: now})
	p.RefundedCents += amount
	p.UpdatedAt = now
	if p.RefundedCents == p.AmountCents {
		p = p.transition(Refunded, now)
	}
	return p, nil
}

// text checks a free-text field: valid UTF-8, no control characters, at most max characters.
func text(field, v string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return invalid(field, "is required")
	case !utf8.ValidString(v):
		return invalid(field, "is not valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		return invalid(field, "is longer than %d characters", max)
	case strings.ContainsFunc(v, unicode.IsControl):
		return invalid(field, "contains control characters")
	}
	return nil
}
