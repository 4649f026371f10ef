package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/internal/apierr"
)

func (h *handler) putZone(c *gin.Context) {
	var req zoneRequest
	if !apierr.PathIDs(c, "zone_id") || !apierr.Decode(c, &req) {
		return
	}
	z, err := h.svc.PutZone(c, c.Param("zone_id"), req.Name)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, zoneResponse{ZoneID: z.ID, Name: z.Name})
}

func (h *handler) putRider(c *gin.Context) {
	var req riderRequest
	if !apierr.PathIDs(c, "rider_id") || !apierr.Decode(c, &req) {
		return
	}
	r, err := h.svc.PutRider(c, c.Param("rider_id"), req.Zone, req.Capacity)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRiderResponse(r))
}

func (h *handler) rider(c *gin.Context) {
	if !apierr.PathIDs(c, "rider_id") {
		return
	}
	r, err := h.svc.Rider(c, c.Param("rider_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRiderResponse(r))
}

func (h *handler) duty(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !apierr.PathIDs(c, "rider_id") {
			return
		}
		r, err := h.svc.SetDuty(c, c.Param("rider_id"), on)
		if err != nil {
			h.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, toRiderResponse(r))
	}
}

func (h *handler) job(c *gin.Context) {
	if !apierr.PathIDs(c, "order_id") {
		return
	}
	j, err := h.svc.Job(c, c.Param("order_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toJobResponse(j))
}

// move is a rider's move on its job; repeating the move the job last made answers it unchanged.
func (h *handler) move(c *gin.Context) {
	if !apierr.PathIDs(c, "order_id") {
		return
	}
	a, err := dispatch.ParseAction(c.Param("action"))
	if err != nil {
		h.fail(c, err)
		return
	}
	j, err := h.svc.Move(c, c.Param("order_id"), c.GetHeader(riderHeader), a)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toJobResponse(j))
}
