// Package httpapi is inventory's REST API, called through Dapr service invocation
// (/v1.0/invoke/inventory/method/...), and its order-event subscription: request and response
// types, converters to the stock domain, and the one place where domain errors become statuses.
package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/inventory/stock"
)

// Error codes of inventory's own refusals.
const (
	CodeSoldOut      = "sold_out"
	CodeReleased     = "released"
	CodeConfirmed    = "confirmed"
	CodeUnknownStock = "unknown_stock"
	// CodeReservationMismatch: the order id was already reserved with other lines.
	CodeReservationMismatch = "reservation_mismatch"
)

type handler struct {
	svc *stock.Service
	log *slog.Logger
}

// Register adds inventory's routes and subscriptions to r.
func Register(r gin.IRouter, svc *stock.Service, log *slog.Logger) {
	h := &handler{svc: svc, log: log}
	r.POST("/stock/restock", h.restock)
	r.GET("/stock/:store/:dish/:period", h.view)
	r.POST("/reservations", h.reserve)
	r.POST("/reservations/:order/release", h.release)
	r.POST("/reservations/:order/confirm", h.confirm)
}

// fail answers err as the status it means; lines, when given, name the item at fault.
func (h *handler) fail(c *gin.Context, err error, lines []stock.Line) {
	var (
		inv     *stock.InvalidError
		soldOut *stock.SoldOutError
		unknown *stock.UnknownStockError
	)
	switch {
	case errors.As(err, &inv):
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, inv.Field, inv.Error())
	case errors.As(err, &soldOut):
		apierr.Write(c, http.StatusConflict, CodeSoldOut, itemField(lines, soldOut.Item), soldOut.Error())
	case errors.As(err, &unknown):
		apierr.Write(c, http.StatusNotFound, CodeUnknownStock, itemField(lines, unknown.Item), unknown.Error())
	case errors.Is(err, stock.ErrLinesMismatch):
		apierr.Write(c, http.StatusConflict, CodeReservationMismatch, "items", err.Error())
	case errors.Is(err, stock.ErrReleased):
		apierr.Write(c, http.StatusConflict, CodeReleased, "", "the order's reservation was released (cancelled or expired)")
	case errors.Is(err, stock.ErrConfirmed):
		apierr.Write(c, http.StatusConflict, CodeConfirmed, "", "the order's stock is sold and cannot be released")
	case errors.Is(err, stock.ErrNotFound):
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, "", err.Error())
	case errors.Is(err, occ.ErrExhausted):
		c.Header("Retry-After", "1")
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", "too much contention on this stock; try again")
	default:
		h.log.Error("request failed", "path", c.FullPath(), "err", err)
		c.Header("Retry-After", "1")
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", "the stock store is unavailable; try again")
	}
}

// itemField names the request line holding it, e.g. "items[1]".
func itemField(lines []stock.Line, it stock.Item) string {
	for i, l := range lines {
		if l.Item == it {
			return fmt.Sprintf("items[%d]", i)
		}
	}
	return "items"
}
