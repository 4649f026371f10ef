// Package httpapi is the payment service's REST API, called through Dapr service invocation
// (/v1.0/invoke/payment/method/...): payments of orders, the provider's signed notifications,
// and the reconciler's operator endpoints; request and response types, converters, and the one
// place where domain errors become HTTP statuses.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/payment/paying"
)

// Error codes of the payment service's own refusals.
const (
	// CodePaymentUnavailable (503, with Retry-After): the provider cannot be reached now; the
	// payment is kept and the same request may be repeated.
	CodePaymentUnavailable = "payment_unavailable"
	// CodeOrderNotPayable (409): the order is not pending payment.
	CodeOrderNotPayable = "order_not_payable"
	// CodeAmountConflict (409): the provider holds a payment of another amount for the order.
	CodeAmountConflict = "amount_conflict"
	// CodeInvalidSignature (401): a notification without a valid signature of a known key.
	CodeInvalidSignature = "invalid_signature"
	// CodeNotificationMismatch (409): a notification whose amount or transaction disagrees with
	// the payment; nothing changed.
	CodeNotificationMismatch = "notification_mismatch"
)

// providerRetryAfter is the Retry-After of payment_unavailable: the provider's circuit breaker
// stays open 5 s (dapr/resources/resiliency.yaml), and a retry sooner would meet it still open.
const providerRetryAfter = "5"

// Keys gives the provider's signing keys by id: paying.ErrUnknownKey for an id it does not know.
type Keys interface {
	Key(ctx context.Context, id string) ([]byte, error)
}

type handler struct {
	svc  *paying.Service
	keys Keys
	log  *slog.Logger
}

// Register adds the payment routes to r (its Dapr callbacks are the sidecar package's).
func Register(r gin.IRouter, svc *paying.Service, keys Keys, log *slog.Logger) {
	h := &handler{svc: svc, keys: keys, log: log}
	r.POST("/payments", h.create)
	r.GET("/payments/:order_id", h.get)
	r.POST("/notifications", h.notification)
}

// fail answers the paying domain's own errors, by type; everything else (contention, the store or
// the order service down) ends in apierr.Fail. Every payment request may be repeated as it is.
func (h *handler) fail(c *gin.Context, err error) {
	var (
		inv        *paying.InvalidError
		notPayable *paying.NotPayableError
		mismatch   *paying.MismatchError
	)
	switch {
	case errors.As(err, &inv):
		apierr.Invalid(c, inv.Field, inv.Error())
	case errors.As(err, &notPayable):
		apierr.Write(c, http.StatusConflict, CodeOrderNotPayable, "order_id", notPayable.Error())
	case errors.Is(err, paying.ErrOrderNotFound):
		apierr.NotFound(c, "order_id", "no such order")
	case errors.Is(err, paying.ErrNotFound):
		apierr.NotFound(c, "", "no payment for this order")
	case errors.Is(err, paying.ErrProviderUnavailable):
		h.log.Warn("payment provider unavailable; the payment is kept and settles later", "path", c.FullPath(), "err", err)
		c.Header("Retry-After", providerRetryAfter)
		apierr.Write(c, http.StatusServiceUnavailable, CodePaymentUnavailable, "", "payment temporarily unavailable")
	case errors.Is(err, paying.ErrAmountConflict):
		h.log.Error("the provider holds a payment of another amount for this order", "err", err)
		apierr.Write(c, http.StatusConflict, CodeAmountConflict, "order_id", err.Error())
	case errors.As(err, &mismatch):
		h.log.Error("notification disagrees with the payment; nothing changed", "order", mismatch.OrderID, "field", mismatch.Field, "err", err)
		apierr.Write(c, http.StatusConflict, CodeNotificationMismatch, mismatch.Field, mismatch.Error())
	default:
		apierr.Fail(c, h.log, err)
	}
}
