package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/orderapi"
)

// statuses answers the status of many orders at once, for inventory's reconciler (a service, not
// a customer: no customer header). Orders that do not exist are absent from the answer.
func (h *handler) statuses(c *gin.Context) {
	var req orderapi.StatusesRequest
	if !apierr.Decode(c, &req) {
		return
	}
	orders, err := h.svc.Statuses(c, req.OrderIDs)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := orderapi.StatusesResponse{Orders: make(map[string]orderapi.OrderStatus, len(orders))}
	for id, o := range orders {
		out.Orders[id] = orderapi.OrderStatus{Status: string(o.Status), CreatedAt: o.CreatedAt}
	}
	c.JSON(http.StatusOK, out)
}
