package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/order/ordering"
)

// The customer is named by X-Customer-Id, which the gateway sets from the verified JWT; clients
// calling the order service directly (as the tests do) set it themselves until the gateway lands.
const customerHeader = "X-Customer-Id"

func (h *handler) checkout(c *gin.Context) {
	var req checkoutRequest
	if !apierr.Decode(c, &req) {
		return
	}
	o, created, err := h.svc.Checkout(c, req.domain(c.GetHeader(customerHeader), c.GetHeader("Idempotency-Key")))
	if err != nil {
		h.fail(c, err)
		return
	}
	status := http.StatusOK // a replay answers the order the first request created
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, toOrderResponse(o))
}

func (h *handler) get(c *gin.Context) {
	if !apierr.PathIDs(c, "id") {
		return
	}
	o, err := h.svc.Get(c, c.Param("id"), c.GetHeader(customerHeader))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrderResponse(o))
}

func (h *handler) cancel(c *gin.Context) {
	if !apierr.PathIDs(c, "id") {
		return
	}
	o, err := h.svc.Cancel(c, c.Param("id"), c.GetHeader(customerHeader))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrderResponse(o))
}

func (h *handler) customerOrders(c *gin.Context) {
	if !apierr.PathIDs(c, "customer") {
		return
	}
	customer := c.Param("customer")
	if customer != c.GetHeader(customerHeader) {
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, "", "no such customer")
		return
	}
	orders, err := h.svc.List(c, ordering.Query{CustomerID: customer, Limit: 50})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toListResponse(orders))
}

// storeOrders lists a store's orders of one day, for its staff. (Staff authentication comes with
// the gateway and identity services.)
func (h *handler) storeOrders(c *gin.Context) {
	if !apierr.PathIDs(c, "store") {
		return
	}
	date := c.Query("date")
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		apierr.Invalid(c, "date", "date is required as a calendar day, YYYY-MM-DD")
		return
	}
	orders, err := h.svc.List(c, ordering.Query{StoreID: c.Param("store"), Date: date})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toListResponse(orders))
}
