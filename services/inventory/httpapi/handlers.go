package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/stockapi"
	"github.com/canteen/canteen/services/inventory/stock"
)

func (h *handler) restock(c *gin.Context) {
	var req restockRequest
	if !apierr.Decode(c, &req) {
		return
	}
	v, err := h.svc.Restock(c, stock.Item{StoreID: req.StoreID, DishID: req.DishID, Period: req.Period}, req.Quantity, req.RestockID, req.Buckets)
	if err != nil {
		h.fail(c, err, nil)
		return
	}
	c.JSON(http.StatusOK, toStockResponse(v))
}

func (h *handler) view(c *gin.Context) {
	if !apierr.PathIDs(c, "store", "dish") {
		return
	}
	it := stock.Item{StoreID: c.Param("store"), DishID: c.Param("dish"), Period: c.Param("period")}
	var inv *stock.InvalidError
	if err := stock.ValidateItem("item", it); errors.As(err, &inv) {
		apierr.Invalid(c, "period", "path parameter period "+inv.Reason) // the ids passed: only the period is left
		return
	}
	v, err := h.svc.View(c, it)
	if err != nil {
		h.fail(c, err, nil)
		return
	}
	c.JSON(http.StatusOK, toStockResponse(v))
}

func (h *handler) reserve(c *gin.Context) {
	var req stockapi.ReserveRequest
	if !apierr.Decode(c, &req) {
		return
	}
	lines := toLines(req.Items)
	st, err := h.svc.Reserve(c, req.OrderID, lines)
	if err != nil {
		h.fail(c, err, lines)
		return
	}
	c.JSON(http.StatusCreated, stockapi.ReservationResponse{OrderID: req.OrderID, Status: stockapi.Status(st)})
}

func (h *handler) release(c *gin.Context) {
	var req stockapi.LinesRequest
	if !apierr.PathIDs(c, "order") || !apierr.Decode(c, &req) {
		return
	}
	order := c.Param("order")
	if err := h.svc.Release(c, order, toLines(req.Items)); err != nil {
		h.fail(c, err, nil)
		return
	}
	c.JSON(http.StatusOK, stockapi.ReservationResponse{OrderID: order, Status: stockapi.Released})
}

// confirm takes the same body as release for symmetry, but the reservation record's own lines are
// what gets sold: an order is confirmed exactly as it was reserved. The body may be empty.
func (h *handler) confirm(c *gin.Context) {
	if !apierr.PathIDs(c, "order") || !decodeOptional(c, &stockapi.LinesRequest{}) {
		return
	}
	order := c.Param("order")
	if err := h.svc.Confirm(c, order); err != nil {
		h.fail(c, err, nil)
		return
	}
	c.JSON(http.StatusOK, stockapi.ReservationResponse{OrderID: order, Status: stockapi.Confirmed})
}

// decodeOptional is apierr.Decode for a body that may also be absent or blank.
func decodeOptional(c *gin.Context, dst any) bool {
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, apierr.MaxBody+1))
	if err != nil {
		apierr.Write(c, http.StatusBadRequest, apierr.CodeMalformed, "", "unreadable request body")
		return false
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return true
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	return apierr.Decode(c, dst)
}
