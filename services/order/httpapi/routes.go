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
	"github.com/canteen/canteen/services/internal/orderapi"
	"github.com/canteen/canteen/services/order/ordering"
)

// Error codes of the order service's own refusals.
const (
	CodeSoldOut           = "sold_out"
	CodeStoreBusy         = "store_busy"
	CodeKeyReused         = "idempotency_key_reused"
	CodeIllegalTransition = "illegal_transition"
	CodeExpired           = "expired"
	CodeStockSold         = "stock_sold"
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
	r.POST("/"+orderapi.PathStatuses, h.statuses)
	r.GET("/customers/:customer/orders", h.customerOrders)
	r.GET("/stores/:store/orders", h.storeOrders)
}

// fail answers the ordering domain's own errors, by type; everything else (contention, a store or
// a peer that is down) ends in apierr.Fail. A retry of a checkout is safe with the same
// Idempotency-Key.
func (h *handler) fail(c *gin.Context, err error) {
	var (
		inv       *ordering.InvalidError
		notOnMenu *ordering.NotOnMenuError
		soldOut   *ordering.SoldOutError
		illegal   *ordering.IllegalTransitionError
	)
	switch {
	case errors.Is(err, ordering.ErrUnknownStore):
		apierr.NotFound(c, "store_id", "store_id names no store")
	case errors.As(err, &notOnMenu):
		apierr.Write(c, http.StatusUnprocessableEntity, apierr.CodeInvalid, notOnMenu.Field, notOnMenu.Error())
	case errors.As(err, &inv):
		apierr.Invalid(c, inv.Field, inv.Error())
	case errors.As(err, &soldOut):
		apierr.Write(c, http.StatusConflict, CodeSoldOut, "", soldOut.Error())
	case errors.As(err, &illegal):
		apierr.Write(c, http.StatusConflict, CodeIllegalTransition, "status", illegal.Error())
	case errors.Is(err, ordering.ErrNotFound):
		apierr.NotFound(c, "", "no such order")
	case errors.Is(err, ordering.ErrKeyReused):
		apierr.Write(c, http.StatusUnprocessableEntity, CodeKeyReused, "Idempotency-Key", err.Error())
	case errors.Is(err, ordering.ErrStoreBusy):
		apierr.Write(c, http.StatusConflict, CodeStoreBusy, "store_id", err.Error())
	case errors.Is(err, ordering.ErrStockSold):
		apierr.Write(c, http.StatusConflict, CodeStockSold, "status", err.Error())
	case errors.Is(err, ordering.ErrExpired):
		apierr.Write(c, http.StatusConflict, CodeExpired, "Idempotency-Key", err.Error())
	default:
		apierr.Fail(c, h.log, err)
	}
}
