// Package httpapi is the notification service's API, called through Dapr service invocation
// (/v1.0/invoke/notification/method/...): Server-Sent Events streams of an order's status for its
// customer and of a store's orders for its staff, resumable with Last-Event-ID; the parsing of
// its inputs and the one place where domain errors become HTTP statuses.
package httpapi

import (
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/notification/feed"
)

// The customer is named by X-Customer-Id, which the gateway sets from the verified JWT, as on the
// order API.
const customerHeader = "X-Customer-Id"

// Config shapes every stream.
type Config struct {
	// Heartbeat is the period of the ": ping" comment that keeps an idle connection open through
	// proxies and load balancers that close silent ones (commonly after 30 to 60 s).
	Heartbeat time.Duration
	// Poll is the period of a stream's re-read of the store, which brings the events another
	// replica took (this replica's own wake a stream at once).
	Poll time.Duration
	// Buffer is how many frames a connection may have waiting for a slow client; past it the
	// connection is closed and the client resumes with Last-Event-ID, so a stalled client holds
	// at most Buffer frames of memory.
	Buffer int
	// Done closes when the service shuts down: open streams end then, rather than holding the
	// graceful shutdown for its whole grace period.
	Done <-chan struct{}
}

type handler struct {
	svc    *feed.Service
	notify *feed.Notifier
	cfg    Config
	log    *slog.Logger
}

// Register adds the stream routes to r (the subscriptions are the sidecar package's).
func Register(r gin.IRouter, svc *feed.Service, notify *feed.Notifier, cfg Config, log *slog.Logger) {
	h := &handler{svc: svc, notify: notify, cfg: cfg, log: log}
	r.GET("/orders/:order_id/events", h.orderEvents)
	r.GET("/stores/:store_id/events", h.storeEvents)
}

func (h *handler) orderEvents(c *gin.Context) {
	if !apierr.PathIDs(c, "order_id") {
		return
	}
	last, ok := lastEventID(c)
	if !ok {
		return
	}
	if err := h.svc.Customer(c, c.Param("order_id"), c.GetHeader(customerHeader)); err != nil {
		h.fail(c, err)
		return
	}
	h.stream(c, feed.OrderStream(c.Param("order_id")), last)
}

// storeEvents serves a store's staff; who is staff of the store is the gateway's to check (its
// JWT names the store), as the customer is.
func (h *handler) storeEvents(c *gin.Context) {
	if !apierr.PathIDs(c, "store_id") {
		return
	}
	last, ok := lastEventID(c)
	if !ok {
		return
	}
	h.stream(c, feed.StoreStream(c.Param("store_id")), last)
}

// lastEventID is where a stream resumes: the Last-Event-ID header a reconnecting EventSource
// sends, else the last_event_id query parameter (a browser cannot set headers on its first
// connect), else 0, the start. It must be a stream id: a decimal number.
func lastEventID(c *gin.Context) (int64, bool) {
	field, v := "Last-Event-ID", c.GetHeader("Last-Event-ID")
	if v == "" {
		field, v = "last_event_id", c.Query("last_event_id")
	}
	if v == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 || len(v) > 19 {
		apierr.Invalid(c, field, field+" must be the id of an event of this stream, a whole number from 0")
		return 0, false
	}
	return id, true
}

// fail answers feed's own errors, by type; anything else (the store down) ends in apierr.Fail.
func (h *handler) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, feed.ErrNotFound):
		apierr.NotFound(c, "order_id", "no such order")
	default:
		apierr.Fail(c, h.log, err)
	}
}
