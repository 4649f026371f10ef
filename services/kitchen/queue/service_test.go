package queue_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/kitchen/queue"
	"github.com/canteen/canteen/services/kitchen/queue/queuetest"
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newService(t *testing.T) (*queue.Service, *queuetest.Memory, *clock) {
	t.Helper()
	mem := queuetest.NewMemory()
	c := &clock{now: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)}
	cfg := queue.Config{TicketTime: 4 * time.Minute, AcceptAlertAfter: 5 * time.Minute, MaxDone: 3}
	return queue.NewService(mem, mem, mem, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), c.Now), mem, c
}

func paid(store, order, period string) event.Order {
	return event.Order{Type: event.OrderPaid, OrderID: order, CustomerID: "c1", StoreID: store, Period: period, Status: "paid",
		Items: []event.Item{{DishID: "rice", Quantity: 1, PriceCents: 900}}, TotalCents: 900}
}

var ctx = context.Background()

// admit admits one order, alone in its batch.
func admit(svc *queue.Service, o event.Order) (queue.Ticket, error) {
	got, err := svc.Admit(ctx, o.StoreID, []event.Order{o})
	if err != nil {
		return queue.Ticket{}, err
	}
	return got[0].Ticket, got[0].Err
}

func TestAdmittingAnOrderTwiceGivesTheSameTicketAndOneEvent(t *testing.T) {
	svc, mem, _ := newService(t)
	first, err := admit(svc, paid("s1", "o1", "2026-11-25.lunch"))
	require.NoError(t, err)
	assert.Equal(t, "A001", first.Code)
	assert.Equal(t, queue.Queued, first.Status)
	again, err := admit(svc, paid("s1", "o1", "2026-11-25.lunch"))
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Equal(t, []string{event.TicketQueued}, mem.Events("o1"))
	assert.True(t, mem.Ticking["s1"], "a queued ticket is watched by the reminder")
}

func TestAnOrderAdmittedAgainAfterPickupIsNotReadmitted(t *testing.T) {
	svc, mem, _ := newService(t)
	_, err := admit(svc, paid("s1", "o1", "2026-11-25.lunch"))
	require.NoError(t, err)
	for _, a := range []queue.Action{queue.Accept, queue.Start, queue.Finish, queue.Pickup} {
		_, err := svc.Move(ctx, "s1", "o1", a, "")
		require.NoError(t, err, a)
	}
	_, err = svc.Ack(ctx, "s1", 5) // the POS has it all: the ticket leaves the hot state
	require.NoError(t, err)
	q, err := mem.Load(ctx, "s1")
	require.NoError(t, err)
	assert.Empty(t, q.Open)
	assert.Empty(t, q.Done)

	again, err := admit(svc, paid("s1", "o1", "2026-11-25.lunch"))
	require.NoError(t, err)
	assert.Equal(t, queue.PickedUp, again.Status, "read from the archive")
	assert.Equal(t, "A001", again.Code)
	assert.Equal(t, []string{event.TicketQueued, event.TicketAccepted, event.TicketPreparing, event.TicketReady, event.TicketPickedUp}, mem.Events("o1"))
}

func TestCodesFollowEachStoreAndSaleDay(t *testing.T) {
	svc, _, _ := newService(t)
	code := func(store, order, period string) string {
		tk, err := admit(svc, paid(store, order, period))
		require.NoError(t, err)
		return tk.Code
	}
	assert.Equal(t, "A001", code("s1", "o1", "2026-11-25.lunch"))
	assert.Equal(t, "A002", code("s1", "o2", "2026-11-25.dinner"), "one sequence per day, across periods")
	assert.Equal(t, "A001", code("s1", "o3", "2026-11-26.lunch"), "a new day starts again")
	assert.Equal(t, "A001", code("s2", "o4", "2026-11-25.lunch"), "each store has its own")
	assert.Equal(t, "A003", code("s1", "o5", "2026-11-25.lunch"))
}

func TestBadOrdersAreRefusedAndChangeNothing(t *testing.T) {
	svc, mem, _ := newService(t)
	for _, o := range []event.Order{paid("s1", "o1", "lunch"), paid("s1", "", "2026-11-25.lunch")} {
		_, err := admit(svc, o)
		var inv *queue.InvalidError
		assert.ErrorAs(t, err, &inv)
	}
	assert.Zero(t, mem.Saves)
}

func TestIllegalMovesAndUnknownTicketsAreRefused(t *testing.T) {
	svc, _, _ := newService(t)
	_, err := admit(svc, paid("s1", "o1", "2026-11-25.lunch"))
	require.NoError(t, err)
	_, err = svc.Move(ctx, "s1", "o1", queue.Pickup, "")
	var te *queue.TransitionError
	assert.ErrorAs(t, err, &te)
	_, err = svc.Move(ctx, "s2", "o1", queue.Accept, "")
	assert.ErrorIs(t, err, queue.ErrNotFound, "another store's ticket")
	rej, err := svc.Move(ctx, "s1", "o1", queue.Reject, "out of rice")
	require.NoError(t, err)
	assert.Equal(t, "out of rice", rej.Reason)
	_, err = svc.Move(ctx, "s1", "o1", queue.Accept, "")
	assert.ErrorAs(t, err, &te, "a rejected ticket moves no more")
	same, err := svc.Move(ctx, "s1", "o1", queue.Reject, "again")
	require.NoError(t, err)
	assert.Equal(t, "out of rice", same.Reason, "a repeated reject answers the first")
}

func TestOverCapacityOrdersGetInWithAnHonestEstimate(t *testing.T) {
	svc, _, c := newService(t)
	_, err := svc.SetCapacity(ctx, "s1", queue.Capacity{Limit: 2})
	require.NoError(t, err)
	var last queue.Ticket
	for i := range 3 {
		last, err = admit(svc, paid("s1", fmt.Sprint("o", i), "2026-11-25.lunch"))
		require.NoError(t, err)
	}
	assert.True(t, last.OverCapacity)
	assert.Equal(t, c.now.Add(12*time.Minute), last.EstimatedReadyAt, "third in line, 4 minutes each")
	v, err := svc.SetCapacity(ctx, "s1", queue.Capacity{Limit: 2, Busy: true})
	require.NoError(t, err)
	assert.Equal(t, 3, v.Working)
	assert.True(t, v.OverCapacity)
	assert.Equal(t, 32*time.Minute, v.Wait, "the next would be fourth, at 8 minutes each while busy")
	assert.Len(t, v.Tickets, 3)
	_, err = svc.SetCapacity(ctx, "s1", queue.Capacity{Limit: -1})
	var inv *queue.InvalidError
	assert.ErrorAs(t, err, &inv)
}

func TestThePOSIsOfferedWhatItHasNotAcknowledged(t *testing.T) {
	svc, _, _ := newService(t)
	for _, o := range []string{"o1", "o2"} {
		_, err := admit(svc, paid("s1", o, "2026-11-25.lunch"))
		require.NoError(t, err)
	}
	page, err := svc.Changes(ctx, "s1", nil)
	require.NoError(t, err)
	require.Len(t, page.Tickets, 2)
	assert.EqualValues(t, 2, page.Cursor)

	_, err = svc.Move(ctx, "s1", "o1", queue.Reject, "")
	require.NoError(t, err)
	again, err := svc.Changes(ctx, "s1", nil)
	require.NoError(t, err)
	assert.Len(t, again.Tickets, 2, "nothing acknowledged: all offered again")

	_, err = svc.Ack(ctx, "s1", page.Cursor)
	require.NoError(t, err)
	after, err := svc.Changes(ctx, "s1", nil)
	require.NoError(t, err)
	require.Len(t, after.Tickets, 1)
	assert.Equal(t, queue.Rejected, after.Tickets[0].Status)
	assert.EqualValues(t, 3, after.Cursor)

	since := int64(3)
	none, err := svc.Changes(ctx, "s1", &since)
	require.NoError(t, err)
	assert.Empty(t, none.Tickets)
	for _, bad := range []int64{-1, 4} {
		_, err = svc.Ack(ctx, "s1", bad)
		var inv *queue.InvalidError
		assert.ErrorAs(t, err, &inv, "ack %d", bad)
		_, err = svc.Changes(ctx, "s1", &bad)
		assert.ErrorAs(t, err, &inv, "since %d", bad)
	}
	_, err = svc.Ack(ctx, "s1", 1)
	require.NoError(t, err, "a late ack changes nothing")
}

func TestEventsThatFailToPublishAreKeptAndPublishedByTheReminder(t *testing.T) {
	svc, mem, _ := newService(t)
	mem.PublishErr = queuetest.ErrDown
	_, err := admit(svc, paid("s1", "o1", "2026-11-25.lunch"))
	require.NoError(t, err, "the ticket is admitted; its event waits")
	_, err = svc.Move(ctx, "s1", "o1", queue.Accept, "")
	require.NoError(t, err)
	q, err := mem.Load(ctx, "s1")
	require.NoError(t, err)
	assert.Len(t, q.Outbox, 2)

	mem.PublishErr = nil
	require.NoError(t, svc.Tick(ctx, "s1"))
	assert.Equal(t, []string{event.TicketQueued, event.TicketAccepted}, mem.Events("o1"), "in order")
	// The published events leave the saved outbox with the store's next write: here the next
	// tick's, which then has nothing left to watch and stops the reminder.
	require.NoError(t, svc.Tick(ctx, "s1"))
	assert.Equal(t, []string{event.TicketQueued, event.TicketAccepted}, mem.Events("o1"), "none published twice")
	q, err = mem.Load(ctx, "s1")
	require.NoError(t, err)
	assert.Empty(t, q.Outbox)
	assert.False(t, q.Ticking, "nothing left to watch: the reminder stops")
	assert.False(t, mem.Ticking["s1"])
}

// A batch of admissions is one change of the queue: one save and one publish for all, a repeated
// order in the batch or from an earlier one is the same ticket, and an order of another store is
// refused alone.
func TestABatchOfAdmissionsIsOneWrite(t *testing.T) {
	svc, mem, _ := newService(t)
	_, err := admit(svc, paid("s1", "o0", "2026-11-25.lunch"))
	require.NoError(t, err)
	saves := mem.Saves
	got, err := svc.Admit(ctx, "s1", []event.Order{paid("s1", "o1", "2026-11-25.lunch"), paid("s1", "o2", "2026-11-25.lunch"),
		paid("s1", "o1", "2026-11-25.lunch"), paid("s2", "o3", "2026-11-25.lunch"), paid("s1", "o0", "2026-11-25.lunch")})
	require.NoError(t, err)
	assert.Equal(t, 1, mem.Saves-saves)
	assert.Equal(t, []string{"A002", "A003", "A002", "", "A001"}, []string{got[0].Ticket.Code, got[1].Ticket.Code, got[2].Ticket.Code, got[3].Ticket.Code, got[4].Ticket.Code})
	var inv *queue.InvalidError
	assert.ErrorAs(t, got[3].Err, &inv)
	assert.Equal(t, []string{event.TicketQueued}, mem.Events("o1"))
}

// Two hosts running one store's actor for a moment (placement moving it) both save from the
// version they loaded: the second meets a conflict, loads again and admits its order after the
// first's, so neither ticket is lost and no code is given twice.
func TestAnAdmissionRacingAnotherHostsIsRedoneNotLost(t *testing.T) {
	mem := queuetest.NewMemory()
	now := func() time.Time { return time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC) }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	racing := &racer{Memory: mem}
	hostA := queue.NewService(racing, mem, mem, queue.Config{}, log, now)
	hostB := queue.NewService(mem, mem, mem, queue.Config{}, log, now)
	racing.before = func() { _, err := admit(hostB, paid("s1", "oB", "2026-11-25.lunch")); require.NoError(t, err) }
	a, err := admit(hostA, paid("s1", "oA", "2026-11-25.lunch"))
	require.NoError(t, err)
	q, err := mem.Load(ctx, "s1")
	require.NoError(t, err)
	assert.Len(t, q.Open, 2, "both tickets kept")
	assert.Equal(t, "A001", q.Open["oB"].Code)
	assert.Equal(t, "A002", a.Code)
}

// racer lets another host save between this host's first load and its save.
type racer struct {
	*queuetest.Memory
	before func()
}

func (r *racer) Save(ctx context.Context, q queue.Queue) error {
	if r.before != nil {
		r.before()
		r.before = nil
	}
	return r.Memory.Save(ctx, q)
}

func TestAQueuedTicketWaitingTooLongRaisesOneOverdueAlert(t *testing.T) {
	svc, mem, c := newService(t)
	_, err := admit(svc, paid("s1", "o1", "2026-11-25.lunch"))
	require.NoError(t, err)
	c.now = c.now.Add(4 * time.Minute)
	require.NoError(t, svc.Tick(ctx, "s1"))
	assert.Equal(t, []string{event.TicketQueued}, mem.Events("o1"))
	c.now = c.now.Add(2 * time.Minute)
	require.NoError(t, svc.Tick(ctx, "s1"))
	require.NoError(t, svc.Tick(ctx, "s1"))
	assert.Equal(t, []string{event.TicketQueued, event.TicketOverdue}, mem.Events("o1"))
}

func TestCompletedTicketsLeaveTheHotState(t *testing.T) {
	svc, mem, _ := newService(t)
	for i := range 6 {
		o := fmt.Sprint("o", i)
		_, err := admit(svc, paid("s1", o, "2026-11-25.lunch"))
		require.NoError(t, err)
		_, err = svc.Move(ctx, "s1", o, queue.Reject, "closing")
		require.NoError(t, err)
	}
	q, err := mem.Load(ctx, "s1")
	require.NoError(t, err)
	assert.Empty(t, q.Open)
	assert.Len(t, q.Done, 3, "MaxDone bounds what an unacknowledging POS leaves behind")
	tk, err := svc.Ticket(ctx, "s1", "o0")
	require.NoError(t, err)
	assert.Equal(t, queue.Rejected, tk.Status, "still readable from the archive")
	assert.Len(t, tk.Items, 1)
}
