package invoke

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// ScheduleEvery schedules (or reschedules: overwrite) the recurring Dapr job name, delivered to
// the app at POST /job/<name> every interval. A tick that fails is dropped: the next one comes
// anyway. Every replica calls it at start; overwrite keeps one job.
func (c *Client) ScheduleEvery(ctx context.Context, name string, every time.Duration) error {
	job := map[string]any{"schedule": "@every " + every.String(), "overwrite": true, "data": map[string]any{},
		"failurePolicy": map[string]any{"drop": map[string]any{}}}
	return c.Do(ctx, http.MethodPost, "/v1.0/jobs/"+name, job, nil)
}

// KeepScheduling calls ScheduleEvery until the sidecar takes the job (it starts after the app, and
// may restart), pausing up to 5 s between tries; it returns once scheduled or when ctx ends. Run
// it on its own goroutine at start.
func (c *Client) KeepScheduling(ctx context.Context, log *slog.Logger, name string, every time.Duration) {
	for pause := 100 * time.Millisecond; ; pause = min(2*pause, 5*time.Second) {
		err := c.ScheduleEvery(ctx, name, every)
		if err == nil {
			log.Info("recurring job scheduled", "job", name, "every", every.String())
			return
		}
		if pause == 5*time.Second {
			log.Warn("recurring job not scheduled yet; retrying", "job", name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
	}
}

// ScheduleAfter schedules the one-shot Dapr job name, delivered to the app at POST /job/<name>
// once after the given wait (overwrite: scheduling it again replaces it). A delivery the app
// fails is retried every second, up to retries times (an explicit policy rather than Dapr's
// default); the scheduler deletes the job once it has fired.
func (c *Client) ScheduleAfter(ctx context.Context, name string, after time.Duration, retries int) error {
	job := map[string]any{"dueTime": after.String(), "overwrite": true, "data": map[string]any{},
		"failurePolicy": map[string]any{"constant": map[string]any{"interval": "1s", "maxRetries": retries}}}
	return c.Do(ctx, http.MethodPost, "/v1.0/jobs/"+name, job, nil)
}
