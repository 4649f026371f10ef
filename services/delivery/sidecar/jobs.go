package sidecar

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/internal/invoke"
)

// SweepJob names the sweep's recurring Dapr job (delivered to POST /job/<name>).
const SweepJob = "sweep-deliveries"

// acceptPrefix begins the name of every accept timer: accept-<attempt>-<order id>.
const acceptPrefix = "accept-"

// timerRetries is the accept timer's failure policy: a failed delivery (the store down) is
// retried every second this many times; past that, the sweep expires the assignment.
const timerRetries = 10

// Timers schedules accept timers as one-shot Dapr jobs (the scheduler keeps them across
// restarts of the app and its sidecar), one per assignment.
type Timers struct {
	Client *invoke.Client
}

var _ dispatch.Timers = (*Timers)(nil)

// AcceptBy schedules the accept timer of the job's assignment attempt.
func (t *Timers) AcceptBy(ctx context.Context, orderID string, attempt int, after time.Duration) error {
	return t.Client.ScheduleAfter(ctx, acceptPrefix+strconv.Itoa(attempt)+"-"+orderID, after, timerRetries)
}

// parseTimer reads an accept timer's name.
func parseTimer(name string) (orderID string, attempt int, ok bool) {
	rest, ok := strings.CutPrefix(name, acceptPrefix)
	if !ok {
		return "", 0, false
	}
	n, orderID, ok := strings.Cut(rest, "-")
	attempt, err := strconv.Atoi(n)
	if !ok || err != nil || attempt < 1 || orderID == "" {
		return "", 0, false
	}
	return orderID, attempt, true
}

// RegisterCallbacks serves the Dapr jobs delivered to the app: the accept timers and the sweep.
func RegisterCallbacks(r gin.IRouter, svc *dispatch.Service, log *slog.Logger) {
	r.POST("/job/:name", func(c *gin.Context) {
		name := c.Param("name")
		if name == SweepJob {
			// A failed sweep is not retried: the next tick is the retry.
			if rep, err := svc.Sweep(c); err != nil {
				log.Warn("delivery sweep met faults; the next tick tries again", "err", err, "report", rep)
			} else if rep.Assigned+rep.Resumed+rep.Freed+rep.Expired+rep.Relayed > 0 {
				log.Info("delivery sweep repaired", "report", rep)
			}
			c.Status(http.StatusOK)
			return
		}
		orderID, attempt, ok := parseTimer(name)
		if !ok {
			log.Warn("ignoring an unknown job", "job", name)
			c.Status(http.StatusOK)
			return
		}
		if err := svc.AcceptExpired(c, orderID, attempt); err != nil {
			// Failed: the timer's failure policy delivers it again.
			log.Error("accept timer failed; the scheduler retries it", "job", name, "err", err)
			c.Status(http.StatusInternalServerError)
			return
		}
		c.Status(http.StatusOK)
	})
}
