// Package httpapi is the order service's REST API, called through Dapr service invocation
// (/v1.0/invoke/order/method/...), and the callback of its expiry jobs: request and response types,
// converters, and the one place where domain errors become HTTP statuses.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/order/ordering"
)

// Error codes of the order service's own refusals.
const (
	CodeSoldOut           = "sold_out"
	CodeStoreBusy         = "store_busy"
	CodeKeyReused         = "idempotency_key_reused"
	CodeIllegalTransition = "illegal_transition"
	CodeExpired           = "expired"
)

type handler struct {
	svc *ordering.Service
	log *slog.Logger
}

// Register adds the order routes to r.
func Register(r gin.IRouter, svc *ordering.Service, log *slog.Logger) {
	h := &handler{svc: svc, log: log}
	r.POST("/orders", h.checkout)
	r.GET("/orders/:id", h.get)
	r.POST("/orders/:id/cancel", h.cancel)
	r.POST("/orders/statuses", h.statuses)
	r.GET("/customers/:customer/orders", h.customerOrders)
	r.GET("/stores/:store/orders", h.storeOrders)
	r.POST("/job/:name", h.expiryJob)
}

// fail answers err as the status it means. Only our faults, or our dependencies', are 5xx.
func (h *handler) fail(c *gin.Context, err error) {
	var (
		inv     *ordering.InvalidError
		soldOut *ordering.SoldOutError
		illegal *ordering.IllegalTransitionError
	)
	switch {
	case errors.As(err, &inv) && inv.Field == "store_id":
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, inv.Field, inv.Error())
	case errors.As(err, &inv) && inv.Reason == "is not on this store's menu":
		apierr.Write(c, http.StatusUnprocessableEntity, apierr.CodeInvalid, inv.Field, inv.Error())
	case errors.As(err, &inv):
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, inv.Field, inv.Error())
	case errors.As(err, &soldOut):
		apierr.Write(c, http.StatusConflict, CodeSoldOut, "", soldOut.Error())
	case errors.As(err, &illegal):
		apierr.Write(c, http.StatusConflict, CodeIllegalTransition, "status", illegal.Error())
	case errors.Is(err, ordering.ErrNotFound):
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, "", "no such order")
	case errors.Is(err, ordering.ErrKeyReused):
		apierr.Write(c, http.StatusUnprocessableEntity, CodeKeyReused, "Idempotency-Key", err.Error())
	case errors.Is(err, ordering.ErrStoreBusy):
		apierr.Write(c, http.StatusConflict, CodeStoreBusy, "store_id", err.Error())
	case errors.Is(err, ordering.ErrExpired):
		apierr.Write(c, http.StatusConflict, CodeExpired, "Idempotency-Key", err.Error())
	case errors.Is(err, occ.ErrExhausted):
		c.Header("Retry-After", "1")
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", "too many concurrent changes to this order; try again")
	default:
		h.log.Error("request failed", "path", c.FullPath(), "err", err)
		c.Header("Retry-After", "1")
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", "a service this order needs is unavailable; retry with the same Idempotency-Key")
	}
}
