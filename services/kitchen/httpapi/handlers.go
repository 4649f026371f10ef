package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/kitchen/queue"
)

func (h *handler) view(c *gin.Context) {
	if !apierr.PathIDs(c, "store_id") {
		return
	}
	v, err := h.queues.View(c, c.Param("store_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toQueueResponse(v))
}

func (h *handler) setCapacity(c *gin.Context) {
	var req capacityRequest
	if !apierr.PathIDs(c, "store_id") || !apierr.Decode(c, &req) {
		return
	}
	if req.Limit == nil {
		apierr.Invalid(c, "limit", "limit is required (0: no limit)")
		return
	}
	v, err := h.queues.SetCapacity(c, c.Param("store_id"), queue.Capacity{Limit: *req.Limit, Busy: req.Busy})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toQueueResponse(v))
}

// changes is the POS's pull; without since, it starts after the last acknowledged cursor.
func (h *handler) changes(c *gin.Context) {
	if !apierr.PathIDs(c, "store_id") {
		return
	}
	var since *int64
	if s, ok := c.GetQuery("since"); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			apierr.Invalid(c, "since", "since must be a cursor (an integer) this API gave")
			return
		}
		since = &n
	}
	p, err := h.queues.Changes(c, c.Param("store_id"), since)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageResponse(p))
}

func (h *handler) ack(c *gin.Context) {
	var req ackRequest
	if !apierr.PathIDs(c, "store_id") || !apierr.Decode(c, &req) {
		return
	}
	if req.Cursor == nil {
		apierr.Invalid(c, "cursor", "cursor is required")
		return
	}
	p, err := h.queues.Ack(c, c.Param("store_id"), *req.Cursor)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageResponse(p))
}

func (h *handler) ticket(c *gin.Context) {
	if !apierr.PathIDs(c, "store_id", "order_id") {
		return
	}
	t, err := h.queues.Ticket(c, c.Param("store_id"), c.Param("order_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTicketResponse(t))
}

// move makes a staff move; only reject takes a body (an optional reason), the others none.
func (h *handler) move(c *gin.Context) {
	if !apierr.PathIDs(c, "store_id", "order_id") {
		return
	}
	a, err := queue.ParseAction(c.Param("action"))
	if err != nil {
		h.fail(c, err)
		return
	}
	var req moveRequest
	if !optionalBody(c, &req) {
		return
	}
	if len(req.Reason) > 500 {
		apierr.Invalid(c, "reason", "reason must be at most 500 characters")
		return
	}
	t, err := h.queues.Move(c, c.Param("store_id"), c.Param("order_id"), a, req.Reason)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTicketResponse(t))
}

// optionalBody decodes a body into dst strictly when there is one. Through Dapr invocation an
// empty body may come without a Content-Length, so emptiness is told by reading (at most one
// byte over apierr.MaxBody, which apierr.Decode then refuses as too large).
func optionalBody(c *gin.Context, dst any) bool {
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, apierr.MaxBody+1))
	if err != nil {
		apierr.Invalid(c, "", "unreadable body")
		return false
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return true
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	return apierr.Decode(c, dst)
}
