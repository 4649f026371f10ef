package invoke_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScheduleEveryPostsARecurringJobThatDropsAFailedTick(t *testing.T) {
	var s sidecar
	c := s.serve(t, http.StatusNoContent, "")
	require.NoError(t, c.ScheduleEvery(context.Background(), "reconcile-x", 5*time.Second))
	assert.Equal(t, "POST /v1.0/jobs/reconcile-x", s.method+" "+s.path)
	assert.JSONEq(t, `{"schedule":"@every 5s","overwrite":true,"data":{},"failurePolicy":{"drop":{}}}`, s.body)
}

func TestScheduleAfterPostsAOneShotJobWithAnExplicitRetryPolicy(t *testing.T) {
	var s sidecar
	c := s.serve(t, http.StatusNoContent, "")
	require.NoError(t, c.ScheduleAfter(context.Background(), "accept-1-o1", 3*time.Second, 5))
	assert.Equal(t, "POST /v1.0/jobs/accept-1-o1", s.method+" "+s.path)
	assert.JSONEq(t, `{"dueTime":"3s","overwrite":true,"data":{},"failurePolicy":{"constant":{"interval":"1s","maxRetries":5}}}`, s.body)
}

// A sidecar not up yet refuses; KeepScheduling tries again until it takes the job.
func TestKeepSchedulingRetriesUntilTheSidecarTakesTheJob(t *testing.T) {
	var s sidecar
	c := s.serve(t, http.StatusInternalServerError, `{"errorCode":"ERR_SCHEDULER","message":"not connected"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	c.KeepScheduling(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), "reconcile-x", time.Second)
	assert.Greater(t, s.calls.Load(), int64(1), "tried again after the refusal, until its context ended")

	var up sidecar
	c = up.serve(t, http.StatusNoContent, "")
	c.KeepScheduling(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), "reconcile-x", time.Second)
	assert.EqualValues(t, 1, up.calls.Load(), "once taken, done")
}
