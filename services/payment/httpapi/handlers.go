package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/orderapi"
)

// The customer is named by X-Customer-Id, as on the order API (the gateway will set it from the
// verified JWT).
const customerHeader = orderapi.CustomerHeader

// create takes the payment of an order: 201 when this request created it, 200 with the same
// payment for a repeat.
func (h *handler) create(c *gin.Context) {
	var req createRequest
	if !apierr.Decode(c, &req) {
		return
	}
	in, created, err := h.svc.Create(c, req.OrderID, c.GetHeader(customerHeader))
	if err != nil {
		h.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, toPaymentResponse(in))
}

func (h *handler) get(c *gin.Context) {
	if !apierr.PathIDs(c, "order_id") {
		return
	}
	in, err := h.svc.Get(c, c.Param("order_id"), c.GetHeader(customerHeader))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPaymentResponse(in))
}
