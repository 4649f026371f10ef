package queue_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/kitchen/queue"
	"github.com/canteen/canteen/services/kitchen/queue/queuetest"
)

// load is what a StoreLoad announces, without its time.
type load struct {
	Busy, Over bool
	Minutes    int64
	Seq        int64
}

func loads(mem *queuetest.Memory) []load {
	var out []load
	for _, e := range mem.Loads {
		out = append(out, load{e.Busy, e.OverCapacity, e.WaitSeconds / 60, e.Seq})
	}
	return out
}

func TestTheStoreLoadIsAnnouncedOnlyWhenWhatCustomersSeeChanges(t *testing.T) {
	svc, mem, _ := newService(t)
	_, err := svc.SetCapacity(ctx, "s1", queue.Capacity{Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []load{{Minutes: 4, Seq: 1}}, loads(mem), "the first change announces the store's load")

	for i := range 3 {
		_, err := admit(svc, paid("s1", fmt.Sprint("o", i), "2026-11-25.lunch"))
		require.NoError(t, err)
	}
	// 1 ticket: 8 min; 2: at the limit, 12 -> 15 min; 3: 16 -> 20 min.
	assert.Equal(t, []load{{Minutes: 4, Seq: 1}, {Minutes: 8, Seq: 2}, {Over: true, Minutes: 15, Seq: 3}, {Over: true, Minutes: 20, Seq: 4}}, loads(mem))

	_, err = svc.Move(ctx, "s1", "o0", queue.Accept, "")
	require.NoError(t, err)
	_, err = svc.Ack(ctx, "s1", 1)
	require.NoError(t, err)
	assert.Len(t, mem.Loads, 4, "accepting a ticket or a POS ack changes nothing customers see")

	_, err = svc.SetCapacity(ctx, "s1", queue.Capacity{Limit: 2, Busy: true})
	require.NoError(t, err)
	_, err = svc.Move(ctx, "s1", "o1", queue.Reject, "out of rice")
	require.NoError(t, err)
	_, err = svc.Move(ctx, "s1", "o2", queue.Reject, "out of rice")
	require.NoError(t, err)
	_, err = svc.SetCapacity(ctx, "s1", queue.Capacity{Limit: 2})
	require.NoError(t, err)
	// Busy doubles the estimate: 3 tickets in the kitchen, 32 -> 35 min; then 2 (still at the
	// limit), 24 -> 25; then 1, under the limit, 16 -> 20; busy off, 8.
	assert.Equal(t, []load{{Busy: true, Over: true, Minutes: 35, Seq: 5}, {Busy: true, Over: true, Minutes: 25, Seq: 6},
		{Busy: true, Minutes: 20, Seq: 7}, {Minutes: 8, Seq: 8}}, loads(mem)[4:], "busy on, fewer tickets, under the limit again, busy off")
}

func TestARushAnnouncesTheLoadEveryFewAdmissionsNotEveryOne(t *testing.T) {
	svc, mem, _ := newService(t)
	for i := range 200 {
		_, err := admit(svc, paid("s1", fmt.Sprint("o", i), "2026-11-25.lunch"))
		require.NoError(t, err)
	}
	assert.Less(t, len(mem.Loads), 40, "200 admissions")
	for i := 1; i < len(mem.Loads); i++ {
		assert.Greater(t, mem.Loads[i].WaitSeconds, mem.Loads[i-1].WaitSeconds)
		assert.Equal(t, mem.Loads[i-1].Seq+1, mem.Loads[i].Seq)
	}
}

func TestAnUnpublishedLoadIsSavedAndOnlyTheLatestGoesOutOnTheReminder(t *testing.T) {
	svc, mem, c := newService(t)
	mem.PublishErr = queuetest.ErrDown
	_, err := svc.SetCapacity(ctx, "s1", queue.Capacity{Busy: true})
	require.NoError(t, err, "the change is saved; its announcement waits")
	c.now = c.now.Add(time.Minute)
	_, err = svc.SetCapacity(ctx, "s1", queue.Capacity{Limit: 5, Busy: true})
	require.NoError(t, err)
	_, err = admit(svc, paid("s1", "o1", "2026-11-25.lunch"))
	require.NoError(t, err)
	q, err := mem.Load(ctx, "s1")
	require.NoError(t, err)
	assert.True(t, q.Load.Unsent, "saved with the change before any publish")
	assert.True(t, q.Ticking, "the reminder publishes it")

	mem.PublishErr = nil
	require.NoError(t, svc.Tick(ctx, "s1"))
	require.Len(t, mem.Loads, 1, "an older unsent announcement is worthless once a newer one exists")
	assert.Equal(t, event.StoreLoad{Type: event.StoreLoadChanged, StoreID: "s1", Busy: true, WaitSeconds: 20 * 60, Seq: 2, At: c.now}, mem.Loads[0])
	// Published, it leaves the saved queue with the store's next write: here the next tick's.
	require.NoError(t, svc.Tick(ctx, "s1"))
	assert.Len(t, mem.Loads, 1, "published once")
	q, err = mem.Load(ctx, "s1")
	require.NoError(t, err)
	assert.False(t, q.Load.Unsent)
}
