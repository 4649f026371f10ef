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

// expiryJob is where the scheduler delivers an order's payment timeout, at least once. A failure
// answers 503, and the job's failure policy fires it again.
func expiryJob(c *gin.Context, svc *ordering.Service, log *slog.Logger) {
	name := c.Param("name")
	var d ExpiryData
	if !strings.HasPrefix(name, ExpiryJobPrefix) || json.NewDecoder(c.Request.Body).Decode(&d) != nil || d.OrderID == "" {
		log.Warn("ignoring an unknown or malformed job", "job", name)
		c.Status(http.StatusOK) // a retry would not make it any better
		return
	}
	if err := svc.Expire(c, d.Order()); err != nil {
		log.Error("expiry failed; the scheduler will fire it again", "order", d.OrderID, "err", err)
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", "expiry of "+d.OrderID+" failed")
		return
	}
	c.Status(http.StatusOK)
}
