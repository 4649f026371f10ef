package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/order/ordering"
	"github.com/canteen/canteen/services/order/sidecar"
)

// The customer is named by X-Customer-Id, which the gateway sets from the verified JWT; clients
// calling the order service directly (as the tests do) set it themselves until the gateway lands.
const customerHeader = "X-Customer-Id"

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

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
	o, err := h.svc.Get(c, c.Param("id"), c.GetHeader(customerHeader))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrderResponse(o))
}

func (h *handler) cancel(c *gin.Context) {
	o, err := h.svc.Cancel(c, c.Param("id"), c.GetHeader(customerHeader))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrderResponse(o))
}

func (h *handler) customerOrders(c *gin.Context) {
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
	date := c.Query("date")
	if !datePattern.MatchString(date) {
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, "date", "date is required as YYYY-MM-DD")
		return
	}
	orders, err := h.svc.List(c, ordering.Query{StoreID: c.Param("store"), Date: date})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toListResponse(orders))
}

// expiryJob is where the scheduler delivers an order's payment timeout, at least once.
func (h *handler) expiryJob(c *gin.Context) {
	name := c.Param("name")
	var d sidecar.ExpiryData
	if !strings.HasPrefix(name, sidecar.ExpiryJobPrefix) || json.NewDecoder(c.Request.Body).Decode(&d) != nil || d.OrderID == "" {
		h.log.Warn("ignoring an unknown or malformed job", "job", name)
		c.Status(http.StatusOK) // a retry would not make it any better
		return
	}
	if err := h.svc.Expire(c, d.Order()); err != nil {
		h.log.Error("expiry failed; the scheduler will retry", "order", d.OrderID, "err", err)
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", fmt.Sprint("expiry of ", d.OrderID, " failed"))
		return
	}
	c.Status(http.StatusOK)
}
