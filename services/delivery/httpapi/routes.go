// Package httpapi is the delivery service's REST API, called through Dapr service invocation
// (/v1.0/invoke/delivery/method/...): zones and riders are set up, riders go on and off duty
// and move their jobs; request and response types, converters, and the one place where domain
// errors become HTTP statuses.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/internal/apierr"
)

// Error codes of the delivery service's own refusals.
const (
	// CodeIllegalMove (409): the job's status does not allow the move (delivering an unaccepted job).
	CodeIllegalMove = "illegal_move"
	// CodeReassigned (409): the rider let the job go unaccepted and it went to another rider.
	CodeReassigned = "reassigned"
	// CodeNotYourJob (403): the job is another rider's. The job's existence is not a secret from
	// riders (its id is the order's), and 403 tells a rider's app to drop it rather than retry.
	CodeNotYourJob = "not_your_job"
	// CodeRiderBusy (409): a rider with open jobs cannot change zone.
	CodeRiderBusy = "rider_busy"
)

// riderHeader names the rider making a move (the gateway will set it from the verified JWT).
const riderHeader = "X-Rider-Id"

type handler struct {
	svc *dispatch.Service
	log *slog.Logger
}

// Register adds the delivery routes to r (its Dapr callbacks are the sidecar package's).
func Register(r gin.IRouter, svc *dispatch.Service, log *slog.Logger) {
	h := &handler{svc: svc, log: log}
	r.PUT("/zones/:zone_id", h.putZone)
	r.PUT("/riders/:rider_id", h.putRider)
	r.GET("/riders/:rider_id", h.rider)
	r.POST("/riders/:rider_id/on-duty", h.duty(true))
	r.POST("/riders/:rider_id/off-duty", h.duty(false))
	r.GET("/jobs/:order_id", h.job)
	r.POST("/jobs/:order_id/:action", h.move)
}

// fail answers the dispatch domain's own errors, by type; everything else (contention, the
// store down) ends in apierr.Fail. Every delivery request may be repeated as it is.
func (h *handler) fail(c *gin.Context, err error) {
	var (
		inv *dispatch.InvalidError
		tr  *dispatch.TransitionError
	)
	switch {
	case errors.As(err, &inv):
		apierr.Invalid(c, inv.Field, inv.Error())
	case errors.As(err, &tr):
		apierr.Write(c, http.StatusConflict, CodeIllegalMove, "action", tr.Error())
	case errors.Is(err, dispatch.ErrReassigned):
		apierr.Write(c, http.StatusConflict, CodeReassigned, riderHeader, err.Error())
	case errors.Is(err, dispatch.ErrNotYours):
		apierr.Write(c, http.StatusForbidden, CodeNotYourJob, riderHeader, err.Error())
	case errors.Is(err, dispatch.ErrRiderBusy):
		apierr.Write(c, http.StatusConflict, CodeRiderBusy, "zone", err.Error())
	case errors.Is(err, dispatch.ErrUnknownRider):
		apierr.NotFound(c, riderHeader, "no such rider")
	case errors.Is(err, dispatch.ErrUnknownZone):
		apierr.NotFound(c, "zone", "no such zone")
	case errors.Is(err, dispatch.ErrNotFound):
		apierr.NotFound(c, "", "not found")
	default:
		apierr.Fail(c, h.log, err)
	}
}
