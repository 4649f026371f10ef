package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/payment/paying"
)

type ops struct {
	rec *paying.Reconciler
	h   *handler
}

// RegisterOps adds the reconciler's operator endpoints to r: GET /ops/reconcile answers the
// last sweep's report, POST /ops/reconcile runs a sweep now. (Its job callback is the sidecar's.)
func RegisterOps(r gin.IRouter, rec *paying.Reconciler, log *slog.Logger) {
	o := &ops{rec: rec, h: &handler{log: log}}
	r.GET("/ops/reconcile", o.lastReport)
	r.POST("/ops/reconcile", o.sweepNow)
}

func (o *ops) lastReport(c *gin.Context) {
	rep, err := o.rec.LastReport(c)
	if errors.Is(err, paying.ErrNotFound) {
		apierr.NotFound(c, "", "no sweep has run yet")
		return
	}
	if err != nil {
		o.h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toReportJSON(rep))
}

func (o *ops) sweepNow(c *gin.Context) {
	rep, err := o.rec.Sweep(c)
	if err != nil {
		o.h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toReportJSON(rep))
}

type reportJSON struct {
	StartedAt    time.Time `json:"started_at"`
	FinishedAt   time.Time `json:"finished_at"`
	Listed       int       `json:"listed"`
	Polled       int       `json:"polled"`
	Settled      int       `json:"settled"`
	Resumed      int       `json:"resumed"`
	Refunded     int       `json:"refunded"`
	Abandoned    int       `json:"abandoned"`
	Unlisted     int       `json:"unlisted"`
	Errors       int       `json:"errors"`
	ErrorSamples []string  `json:"error_samples"`
}

func toReportJSON(rep paying.Report) reportJSON {
	out := reportJSON(rep)
	if out.ErrorSamples == nil {
		out.ErrorSamples = []string{}
	}
	return out
}
