package sidecar

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/payment/paying"
)

// ReconcileJob names the reconciler's recurring Dapr job (delivered to POST /job/<name>).
const ReconcileJob = "reconcile-payments"

// RegisterCallbacks serves what the sidecar calls the app for besides subscriptions: the
// reconciler's job. (Every inbound Dapr callback of a service lives in its sidecar package.)
func RegisterCallbacks(r gin.IRouter, rec *paying.Reconciler, log *slog.Logger) {
	r.POST("/job/:name", func(c *gin.Context) { reconcileJob(c, rec, log) })
}

// reconcileJob is where the scheduler delivers the reconciler's tick, at least once. A tick that
// finds a sweep running on this replica is skipped, and one whose sweep failed is not retried:
// the next tick is the retry, so the answer is 200 either way.
func reconcileJob(c *gin.Context, rec *paying.Reconciler, log *slog.Logger) {
	if name := c.Param("name"); name != ReconcileJob {
		log.Warn("ignoring an unknown job", "job", name)
		c.Status(http.StatusOK)
		return
	}
	if rep, ran, err := rec.TrySweep(c); err != nil {
		log.Error("payment reconciliation failed; the next tick tries again", "err", err)
	} else if ran && rep.Errors > 0 {
		log.Warn("payment reconciliation met faults; the next tick tries again", "errors", rep.Errors, "samples", rep.ErrorSamples)
	}
	c.Status(http.StatusOK)
}
