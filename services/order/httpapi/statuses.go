package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
)

type statusesRequest struct {
	OrderIDs []string `json:"order_ids"`
}

type orderStatusJSON struct {
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

type statusesResponse struct {
	Orders map[string]orderStatusJSON `json:"orders"`
}

// statuses answers the status of many orders at once, for inventory's reconciler (a service, not
// a customer: no customer header). Orders that do not exist are absent from the answer.
func (h *handler) statuses(c *gin.Context) {
	var req statusesRequest
	if !apierr.Decode(c, &req) {
		return
	}
	orders, err := h.svc.Statuses(c, req.OrderIDs)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := statusesResponse{Orders: make(map[string]orderStatusJSON, len(orders))}
	for id, o := range orders {
		out.Orders[id] = orderStatusJSON{Status: string(o.Status), CreatedAt: o.CreatedAt}
	}
	c.JSON(http.StatusOK, out)
}
