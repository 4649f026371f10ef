// Package httpapi is the kitchen's REST API, called through Dapr service invocation
// (/v1.0/invoke/kitchen/method/...): store staff move tickets, set capacity and watch the queue;
// the store's POS pulls changed tickets with a cursor and acknowledges them. Request and
// response types, converters, and the one place where domain errors become HTTP statuses.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// CodeIllegalMove (409): the ticket's status does not allow the move (picking up a queued one).
const CodeIllegalMove = "illegal_move"

// Queues is the stores' queues: the store actors through the sidecar in the service, the
// queue.Service itself in tests.
type Queues interface {
	Move(ctx context.Context, storeID, orderID string, a queue.Action, reason string) (queue.Ticket, error)
	Ticket(ctx context.Context, storeID, orderID string) (queue.Ticket, error)
	View(ctx context.Context, storeID string) (queue.View, error)
	SetCapacity(ctx context.Context, storeID string, c queue.Capacity) (queue.View, error)
	Changes(ctx context.Context, storeID string, since *int64) (queue.Page, error)
	Ack(ctx context.Context, storeID string, cursor int64) (queue.Page, error)
}

type handler struct {
	queues Queues
	log    *slog.Logger
}

// Register adds the kitchen routes to r (the actor's routes are actorhost's, the subscription's
// the sidecar package's).
func Register(r gin.IRouter, queues Queues, log *slog.Logger) {
	h := &handler{queues: queues, log: log}
	r.GET("/stores/:store_id/queue", h.view)
	r.PUT("/stores/:store_id/capacity", h.setCapacity)
	r.GET("/stores/:store_id/tickets", h.changes)
	r.POST("/stores/:store_id/tickets/ack", h.ack)
	r.GET("/stores/:store_id/tickets/:order_id", h.ticket)
	r.POST("/stores/:store_id/tickets/:order_id/:action", h.move)
}

// fail answers the queue domain's own errors, by type; everything else (the sidecar, the actor's
// placement or its store) ends in apierr.Fail. Every kitchen request may be repeated as it is.
func (h *handler) fail(c *gin.Context, err error) {
	var (
		inv *queue.InvalidError
		tr  *queue.TransitionError
	)
	switch {
	case errors.As(err, &inv):
		apierr.Invalid(c, inv.Field, inv.Error())
	case errors.As(err, &tr):
		apierr.Write(c, http.StatusConflict, CodeIllegalMove, "action", tr.Error())
	case errors.Is(err, queue.ErrNotFound):
		apierr.NotFound(c, "order_id", "no such ticket in this store")
	default:
		apierr.Fail(c, h.log, err)
	}
}
