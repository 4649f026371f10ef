package dispatch_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/delivery/dispatch/dispatchtest"
	"github.com/canteen/canteen/services/internal/event"
)

var ctx = context.Background()

type fixture struct {
	svc    *dispatch.Service
	mem    *dispatchtest.Memory
	timers *dispatchtest.Timers
}

// newFixture is the service over the memory store with zone north and on-duty riders of the
// given capacity each.
func newFixture(t *testing.T, capacity int, riders ...string) fixture {
	t.Helper()
	f := fixture{mem: dispatchtest.NewMemory(), timers: &dispatchtest.Timers{}}
	f.svc = dispatch.NewService(dispatch.Deps{Repository: f.mem, Publisher: f.mem, Timers: f.timers,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, dispatch.Config{})
	_, err := f.svc.PutZone(ctx, "north", "North campus")
	require.NoError(t, err)
	for _, r := range riders {
		_, err := f.svc.PutRider(ctx, r, "north", capacity)
		require.NoError(t, err)
		_, err = f.svc.SetDuty(ctx, r, true)
		require.NoError(t, err)
	}
	return f
}

func (f fixture) paidAndReady(t *testing.T, id string) {
	t.Helper()
	require.NoError(t, f.svc.Paid(ctx, dispatch.Paid{OrderID: id, StoreID: "s1", CustomerID: "c1", Zone: "north", Building: "b7"}))
	require.NoError(t, f.svc.Ready(ctx, id))
}

func (f fixture) job(t *testing.T, id string) dispatch.Job {
	t.Helper()
	j, err := f.svc.Job(ctx, id)
	require.NoError(t, err)
	return j
}

func TestAReadyPaidJobGoesToTheLeastLoadedRiderAndIsAnnounced(t *testing.T) {
	f := newFixture(t, 3, "r1", "r2")
	f.paidAndReady(t, "o1")
	f.paidAndReady(t, "o2")
	assert.Equal(t, "r1", f.job(t, "o1").RiderID)
	assert.Equal(t, "r2", f.job(t, "o2").RiderID, "r1 has one job, r2 none")
	assert.Len(t, f.timers.Scheduled(), 2, "one accept timer per assignment")
	evs := f.mem.Events()
	require.Len(t, evs, 2)
	assert.Equal(t, event.DeliveryAssigned, evs[0].Type)
	assert.Empty(t, f.job(t, "o1").Outbox, "published events are cleared from the job")

	require.NoError(t, f.svc.Paid(ctx, dispatch.Paid{OrderID: "o1", StoreID: "s1", CustomerID: "c1", Zone: "north", Building: "b7"}))
	require.NoError(t, f.svc.Ready(ctx, "o1"))
	assert.Len(t, f.mem.Events(), 2, "repeated events change nothing")
}

func TestAJobWaitsForARiderWithRoomAndGoesOutWhenOneIsFreed(t *testing.T) {
	f := newFixture(t, 1, "r1")
	f.paidAndReady(t, "o1")
	f.paidAndReady(t, "o2")
	assert.Equal(t, dispatch.Waiting, f.job(t, "o2").Status)
	for _, a := range []dispatch.Action{dispatch.Accept, dispatch.PickUp, dispatch.Deliver} {
		_, err := f.svc.Move(ctx, "o1", "r1", a)
		require.NoError(t, err)
	}
	assert.Equal(t, "r1", f.job(t, "o2").RiderID, "the rider freed by a delivery gets the waiting job")
}

func TestARiderComingOnDutyGetsWaitingJobsAndOneGoingOffKeepsItsJobs(t *testing.T) {
	f := newFixture(t, 3)
	f.paidAndReady(t, "o1")
	assert.Equal(t, dispatch.Waiting, f.job(t, "o1").Status)
	_, err := f.svc.PutRider(ctx, "r1", "north", 0)
	require.NoError(t, err)
	r, err := f.svc.SetDuty(ctx, "r1", true)
	require.NoError(t, err)
	assert.Equal(t, dispatch.DefaultCapacity, r.Capacity)
	require.Len(t, r.Jobs, 1)
	r, err = f.svc.SetDuty(ctx, "r1", false)
	require.NoError(t, err)
	assert.Len(t, r.Jobs, 1, "off duty keeps accepted jobs")
	f.paidAndReady(t, "o2")
	assert.Equal(t, dispatch.Waiting, f.job(t, "o2").Status, "no new job off duty")
	_, err = f.svc.Move(ctx, "o1", "r1", dispatch.Accept)
	require.NoError(t, err, "an off-duty rider still works its jobs")
}

func TestAnUnacceptedJobGoesToAnotherRiderAndTheFirstIsFreed(t *testing.T) {
	f := newFixture(t, 1, "r1", "r2")
	f.paidAndReady(t, "o1")
	require.Equal(t, "r1", f.job(t, "o1").RiderID)
	require.NoError(t, f.svc.AcceptExpired(ctx, "o1", 1))
	j := f.job(t, "o1")
	assert.Equal(t, "r2", j.RiderID)
	assert.Equal(t, 2, j.Attempt)
	r1, err := f.svc.Rider(ctx, "r1")
	require.NoError(t, err)
	assert.Empty(t, r1.Jobs, "the first rider's load is freed")
	_, err = f.svc.Move(ctx, "o1", "r1", dispatch.Accept)
	assert.ErrorIs(t, err, dispatch.ErrReassigned)
	require.NoError(t, f.svc.AcceptExpired(ctx, "o1", 1), "a repeated timer changes nothing")
	assert.Equal(t, "r2", f.job(t, "o1").RiderID)
	_, err = f.svc.Move(ctx, "o1", "r2", dispatch.Accept)
	require.NoError(t, err)
	require.NoError(t, f.svc.AcceptExpired(ctx, "o1", 2), "the timer of an accepted assignment changes nothing")
	assert.Equal(t, dispatch.Accepted, f.job(t, "o1").Status)
}

func TestACancelledJobFreesItsRider(t *testing.T) {
	f := newFixture(t, 1, "r1")
	f.paidAndReady(t, "o1")
	f.paidAndReady(t, "o2")
	require.NoError(t, f.svc.Cancel(ctx, "o1", "rejected by the store"))
	assert.Equal(t, dispatch.Cancelled, f.job(t, "o1").Status)
	assert.Equal(t, "r1", f.job(t, "o2").RiderID)
	require.NoError(t, f.svc.Cancel(ctx, "o9", "order cancelled"))
	require.NoError(t, f.svc.Paid(ctx, dispatch.Paid{OrderID: "o9", Zone: "north"}))
	assert.Equal(t, dispatch.Cancelled, f.job(t, "o9").Status, "cancelled before paid stays cancelled")
}

func TestMovesOfUnknownRidersOtherRidersAndBadInputAreRefused(t *testing.T) {
	f := newFixture(t, 1, "r1", "r2")
	f.paidAndReady(t, "o1")
	var inv *dispatch.InvalidError
	for _, c := range []struct {
		order, rider string
		want         error
	}{{"o1", "nobody", dispatch.ErrUnknownRider}, {"o1", "r2", dispatch.ErrNotYours}, {"o404", "r1", dispatch.ErrNotFound}} {
		_, err := f.svc.Move(ctx, c.order, c.rider, dispatch.Accept)
		assert.ErrorIs(t, err, c.want, "%+v", c)
	}
	_, err := f.svc.Move(ctx, "o1", "", dispatch.Accept)
	assert.ErrorAs(t, err, &inv)
	_, err = f.svc.PutRider(ctx, "r3", "south", 1)
	assert.ErrorIs(t, err, dispatch.ErrUnknownZone)
	_, err = f.svc.PutRider(ctx, "r3", "north", -1)
	assert.ErrorAs(t, err, &inv)
	_, err = f.svc.PutRider(ctx, "r1", "south", 1)
	assert.Error(t, err)
	_, err = f.svc.PutZone(ctx, "south", "South")
	require.NoError(t, err)
	_, err = f.svc.PutRider(ctx, "r1", "south", 1)
	assert.ErrorIs(t, err, dispatch.ErrRiderBusy, "r1 holds o1")
}

// Many ready jobs at once, more than the riders can hold: no rider over capacity, no job held
// twice, and exactly capacity x riders assigned, the rest waiting.
func TestConcurrentDispatchesKeepEveryRiderWithinCapacityAndEveryJobWithOneRider(t *testing.T) {
	riders := make([]string, 5)
	for i := range riders {
		riders[i] = fmt.Sprintf("r%d", i)
	}
	f := newFixture(t, 4, riders...)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			id := fmt.Sprintf("o%d", i)
			assert.NoError(t, f.svc.Paid(ctx, dispatch.Paid{OrderID: id, StoreID: "s1", CustomerID: "c1", Zone: "north", Building: "b7"}))
			assert.NoError(t, f.svc.Ready(ctx, id))
		})
	}
	wg.Wait()
	holders := map[string]string{}
	for _, r := range riders {
		v, err := f.svc.Rider(ctx, r)
		require.NoError(t, err)
		assert.Len(t, v.Jobs, 4, "rider %s", r)
		for _, j := range v.Jobs {
			assert.Empty(t, holders[j.OrderID], "job %s held twice", j.OrderID)
			holders[j.OrderID] = r
			assert.Equal(t, r, j.RiderID)
		}
	}
	assert.Len(t, holders, 20)
	waiting := 0
	for i := range 30 {
		if f.job(t, fmt.Sprintf("o%d", i)).Status == dispatch.Waiting {
			waiting++
		}
	}
	assert.Equal(t, 10, waiting)
}
