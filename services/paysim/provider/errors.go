package provider

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound: no payment has that transaction (or merchant order) id.
	ErrNotFound = errors.New("no such payment")
	// ErrDown: the provider is down by its fault switch; the caller may retry later.
	ErrDown = errors.New("the payment provider is down (fault switch)")
	// ErrOrderConflict: the merchant order id already has a payment of another amount.
	ErrOrderConflict = errors.New("the merchant order already has a payment of another amount")
	// ErrInvalidToken: the pay token is not the payment's.
	ErrInvalidToken = errors.New("the pay token is not this payment's")
	// ErrNotPaid: a refund of a payment that is not succeeded.
	ErrNotPaid = errors.New("the payment is not succeeded: nothing to refund")
	// ErrRefundConflict: the refund id was used before with another amount.
	ErrRefundConflict = errors.New("the refund id was used before with another amount")
)

// RefundExceedsError is a refund of more than is left of the payment, or one refund too many.
type RefundExceedsError struct {
	Left    int64 // cents not refunded yet
	TooMany bool  // the payment already has MaxRefunds refunds
}

func (e *RefundExceedsError) Error() string {
	if e.TooMany {
		return fmt.Sprintf("the payment already has %d refunds, the most it may have", MaxRefunds)
	}
	return fmt.Sprintf("the refund is more than the %d cents left to refund", e.Left)
}

// InvalidError is a refused input, naming the field at fault.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%s %s", e.Field, e.Reason) }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
