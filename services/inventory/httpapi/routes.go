// Package httpapi is inventory's REST API, called through Dapr service invocation
// (/v1.0/invoke/inventory/method/...) and its operators' endpoints: request and response
// types, converters to the stock domain, and the one place where domain errors become statuses.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/stockapi"
	"github.com/canteen/canteen/services/inventory/stock"
)

type handler struct {
	svc *stock.Service
	log *slog.Logger
}

// Register adds inventory's routes to r (its Dapr callbacks are the sidecar package's).
func Register(r gin.IRouter, svc *stock.Service, log *slog.Logger) {
	h := &handler{svc: svc, log: log}
	r.POST("/stock/restock", h.restock)
	r.GET("/stock/:store/:dish/:period", h.view)
	r.POST("/reservations", h.reserve)
	r.POST("/reservations/:order/release", h.release)
	r.POST("/reservations/:order/confirm", h.confirm)
}

// fail answers inventory's own errors, by type, with stockapi's codes; lines, when given, name the
// item at fault. Everything else ends in apierr.Fail.
func (h *handler) fail(c *gin.Context, err error, lines []stock.Line) {
	var (
		inv     *stock.InvalidError
		soldOut *stock.SoldOutError
		unknown *stock.UnknownStockError
	)
	switch {
	case errors.As(err, &inv):
		apierr.Invalid(c, inv.Field, inv.Error())
	case errors.As(err, &soldOut):
		apierr.Write(c, http.StatusConflict, string(stockapi.CodeSoldOut), itemField(lines, soldOut.Item), soldOut.Error())
	case errors.As(err, &unknown):
		apierr.Write(c, http.StatusNotFound, string(stockapi.CodeUnknownStock), itemField(lines, unknown.Item), unknown.Error())
	case errors.Is(err, stock.ErrLinesMismatch):
		apierr.Write(c, http.StatusConflict, string(stockapi.CodeReservationMismatch), "items", err.Error())
	case errors.Is(err, stock.ErrReleased):
		apierr.Write(c, http.StatusConflict, string(stockapi.CodeReleased), "", "the order's reservation was released (cancelled or expired)")
	case errors.Is(err, stock.ErrConfirmed):
		apierr.Write(c, http.StatusConflict, string(stockapi.CodeConfirmed), "", "the order's stock is sold and cannot be released")
	case errors.Is(err, stock.ErrNotFound):
		apierr.NotFound(c, "", err.Error())
	case errors.Is(err, stock.ErrIncomplete):
		apierr.Unavailable(c, "the order's reservation is recorded but a hold of it could not be taken yet; try again")
	default:
		apierr.Fail(c, h.log, err)
	}
}

// itemField names the request line holding it, e.g. "items[1]".
func itemField(lines []stock.Line, it stock.Item) string {
	for i, l := range lines {
		if l.Item == it {
			return stockapi.LineField(i)
		}
	}
	return "items"
}
