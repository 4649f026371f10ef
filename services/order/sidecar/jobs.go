package sidecar

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/order/ordering"
)

// RegisterCallbacks serves what the sidecar calls the app for: the jobs this service scheduled.
// (Every inbound Dapr callback of a service, jobs and subscriptions, lives in its sidecar package.)
func RegisterCallbacks(r gin.IRouter, svc *ordering.Service, log *slog.Logger) {
	r.POST("/job/:name", func(c *gin.Context) { expiryJob(c, svc, log) })
}

// expiryJob is where the scheduler delivers the payment timeout of an order, or of a batch of
// them (see Peers.ScheduleExpiry), at least once. A failure answers 503, and the job's failure
// policy fires it again: the whole batch, which the orders already expired take as a no-op.
func expiryJob(c *gin.Context, svc *ordering.Service, log *slog.Logger) {
	name := c.Param("name")
	var d struct {
		ExpiryData
		ExpiryBatch
	}
	if !strings.HasPrefix(name, ExpiryJobPrefix) || json.NewDecoder(c.Request.Body).Decode(&d) != nil {
		log.Warn("ignoring an unknown or malformed job", "job", name)
		c.Status(http.StatusOK) // a retry would not make it any better
		return
	}
	orders := d.Orders
	if d.OrderID != "" {
		orders = append(orders, d.ExpiryData)
	}
	if len(orders) == 0 {
		log.Warn("ignoring an expiry job that names no order", "job", name)
	}
	var failed []string
	for _, o := range orders {
		if o.OrderID == "" {
			log.Warn("ignoring a malformed order of an expiry job", "job", name)
			continue
		}
		if err := svc.Expire(c, o.Order()); err != nil {
			log.Error("expiry failed; the scheduler will fire it again", "order", o.OrderID, "job", name, "err", err)
			failed = append(failed, o.OrderID)
		}
	}
	if len(failed) > 0 {
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", "expiry of "+strings.Join(failed, ", ")+" failed")
		return
	}
	c.Status(http.StatusOK)
}
