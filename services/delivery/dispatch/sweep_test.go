package dispatch_test

import (
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/delivery/dispatch/dispatchtest"
)

// clock is a settable time for the sweep's "the accept window passed long ago".
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// What a crash between two writes leaves, the sweep repairs: an assignment the roster made but
// the job did not record is resumed, a rider still holding a cancelled job is freed, and an
// assignment whose accept timer was lost is expired and goes to another rider.
func TestTheSweepRepairsWhatACrashBetweenTwoWritesLeft(t *testing.T) {
	mem, timers, clk := dispatchtest.NewMemory(), &dispatchtest.Timers{}, &clock{t: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)}
	svc := dispatch.NewService(dispatch.Deps{Repository: mem, Publisher: mem, Timers: timers, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: clk.now}, dispatch.Config{AcceptWithin: time.Minute})
	_, err := svc.PutZone(ctx, "north", "North")
	require.NoError(t, err)
	for _, r := range []string{"r1", "r2"} {
		_, err := svc.PutRider(ctx, r, "north", 2)
		require.NoError(t, err)
		_, err = svc.SetDuty(ctx, r, true)
		require.NoError(t, err)
	}
	// o1: waiting in its record, held by r1 in the roster (the job's write was lost).
	// o2: cancelled in its record, still held by r2.
	require.NoError(t, mem.CreateJob(ctx, dispatch.Job{OrderID: "o1", Zone: "north", Status: dispatch.Waiting, Ready: true}))
	require.NoError(t, mem.CreateJob(ctx, dispatch.Job{OrderID: "o2", Zone: "north", Status: dispatch.Cancelled}))
	ro, tok, err := mem.Roster(ctx, "north")
	require.NoError(t, err)
	ro.Seats["r1"] = dispatch.Seat{Capacity: 2, OnDuty: true, Jobs: []string{"o1"}}
	ro.Seats["r2"] = dispatch.Seat{Capacity: 2, OnDuty: true, Jobs: []string{"o2"}}
	require.NoError(t, mem.SaveRoster(ctx, ro, tok))

	rep, err := svc.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Resumed)
	assert.Equal(t, 1, rep.Freed)
	j, err := svc.Job(ctx, "o1")
	require.NoError(t, err)
	assert.Equal(t, dispatch.Assigned, j.Status)
	assert.Equal(t, "r1", j.RiderID)
	r2, err := svc.Rider(ctx, "r2")
	require.NoError(t, err)
	assert.Empty(t, r2.Jobs)

	// r1 never accepts and its timer is lost: past twice the window, the sweep expires it.
	clk.add(3 * time.Minute)
	rep, err = svc.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Expired)
	j, err = svc.Job(ctx, "o1")
	require.NoError(t, err)
	assert.Equal(t, "r2", j.RiderID)
	assert.Equal(t, 2, j.Attempt)
}

// The delivered event of a job whose publish failed is not lost when the job leaves its rider:
// the zone lists it, and the sweep publishes it once the pub/sub is back.
func TestTheSweepPublishesTheEventsOfEndedJobsThatCouldNotBePublished(t *testing.T) {
	mem, clk := dispatchtest.NewMemory(), &clock{t: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)}
	svc := dispatch.NewService(dispatch.Deps{Repository: mem, Publisher: mem, Timers: &dispatchtest.Timers{},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clk.now}, dispatch.Config{})
	_, err := svc.PutZone(ctx, "north", "North")
	require.NoError(t, err)
	_, err = svc.PutRider(ctx, "r1", "north", 1)
	require.NoError(t, err)
	_, err = svc.SetDuty(ctx, "r1", true)
	require.NoError(t, err)
	require.NoError(t, svc.Paid(ctx, dispatch.Paid{OrderID: "o1", StoreID: "s1", CustomerID: "c1", Zone: "north", Building: "b7"}))
	require.NoError(t, svc.Ready(ctx, "o1"))
	for _, a := range []dispatch.Action{dispatch.Accept, dispatch.PickUp} {
		_, err := svc.Move(ctx, "o1", "r1", a)
		require.NoError(t, err)
	}
	mem.SetPublishDown(true)
	_, err = svc.Move(ctx, "o1", "r1", dispatch.Deliver)
	require.NoError(t, err, "the move is made; its event waits in the job")
	r1, err := svc.Rider(ctx, "r1")
	require.NoError(t, err)
	assert.Empty(t, r1.Jobs, "the rider is free")
	require.Len(t, mem.Events(), 3)

	mem.SetPublishDown(false)
	clk.add(time.Minute)
	rep, err := svc.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Relayed)
	evs := mem.Events()
	require.Len(t, evs, 4)
	assert.Equal(t, "delivery.delivered", evs[3].Type)
	rep, err = svc.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Relayed, "published once, then unlisted")
	assert.Len(t, mem.Events(), 4)
}
