package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
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
	it := stock.Item{StoreID: c.Param("store"), DishID: c.Param("dish"), Period: c.Param("period")}
	if err := stock.ValidateItem("item", it); err != nil {
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, "", "no such stock item")
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
	var req reserveRequest
	if !apierr.Decode(c, &req) {
		return
	}
	lines := toLines(req.Items)
	if err := h.svc.Reserve(c, req.OrderID, lines); err != nil {
		h.fail(c, err, lines)
		return
	}
	c.JSON(http.StatusCreated, reservationResponse{OrderID: req.OrderID, Status: string(stock.Reserved)})
}

func (h *handler) release(c *gin.Context) {
	var req linesRequest
	if !apierr.Decode(c, &req) {
		return
	}
	order := c.Param("order")
	if err := h.svc.Release(c, order, toLines(req.Items)); err != nil {
		h.fail(c, err, nil)
		return
	}
	c.JSON(http.StatusOK, reservationResponse{OrderID: order, Status: string(stock.Released)})
}

func (h *handler) confirm(c *gin.Context) {
	order := c.Param("order")
	if err := h.svc.Confirm(c, order); err != nil {
		h.fail(c, err, nil)
		return
	}
	c.JSON(http.StatusOK, reservationResponse{OrderID: order, Status: string(stock.Confirmed)})
}
