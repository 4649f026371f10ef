package dispatch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
)

var now = time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)

func assignedJob() Job {
	j := Job{OrderID: "o1", Status: Unpaid}
	j.pay(Paid{OrderID: "o1", StoreID: "s1", CustomerID: "c1", Zone: "north", Building: "b7"}, now)
	j.markReady(now)
	j.assign("r1", now)
	return j
}

func TestARiderTakesItsJobFromAcceptToDeliveredAndNoOtherMoveIsAllowed(t *testing.T) {
	j := assignedJob()
	var tr *TransitionError
	_, err := j.move("r1", Deliver, now)
	require.ErrorAs(t, err, &tr, "deliver before accept")
	for _, step := range []struct {
		a    Action
		want Status
		typ  string
	}{{Accept, Accepted, event.DeliveryAccepted}, {PickUp, PickedUp, event.DeliveryPickedUp}, {Deliver, Delivered, event.DeliveryDelivered}} {
		changed, err := j.move("r1", step.a, now)
		require.NoError(t, err)
		assert.True(t, changed)
		assert.Equal(t, step.want, j.Status)
		assert.Equal(t, step.typ, j.Outbox[len(j.Outbox)-1].Type)
		again, err := j.move("r1", step.a, now)
		require.NoError(t, err, "a repeat answers the job")
		assert.False(t, again)
	}
	_, err = j.move("r1", Accept, now)
	assert.ErrorAs(t, err, &tr)
	_, err = j.move("r2", PickUp, now)
	assert.ErrorIs(t, err, ErrNotYours)
	assert.False(t, j.cancel("too late", now), "a delivered job is not cancelled")
}

func TestAnExpiredAssignmentReturnsTheJobToTheLineAndALateAcceptIsRefused(t *testing.T) {
	j := assignedJob()
	assert.False(t, j.expire(2, now), "another assignment's timer changes nothing")
	require.True(t, j.expire(1, now))
	assert.Equal(t, Waiting, j.Status)
	assert.Equal(t, []string{"r1"}, j.Previous)
	assert.False(t, j.expire(1, now), "a repeated timer changes nothing")
	require.True(t, j.assign("r2", now))
	assert.Equal(t, 2, j.Attempt)
	_, err := j.move("r1", Accept, now)
	assert.ErrorIs(t, err, ErrReassigned)
	_, err = j.move("r2", Accept, now)
	require.NoError(t, err)
	assert.False(t, j.expire(2, now), "an accepted job is not taken back")
	assert.Equal(t, []string{event.DeliveryAssigned + "#1", event.DeliveryAssigned + "#2", event.DeliveryAccepted + "#2"},
		[]string{j.Outbox[0].EventType(), j.Outbox[1].EventType(), j.Outbox[2].EventType()})
}

func TestTheReadyMarkAndThePaymentMayComeInEitherOrder(t *testing.T) {
	p := Paid{OrderID: "o1", StoreID: "s1", CustomerID: "c1", Zone: "north", Building: "b7"}
	paidFirst := Job{OrderID: "o1", Status: Unpaid}
	assert.True(t, paidFirst.pay(p, now))
	assert.Equal(t, Pending, paidFirst.Status)
	assert.True(t, paidFirst.markReady(now))
	assert.Equal(t, Waiting, paidFirst.Status)

	readyFirst := Job{OrderID: "o1", Status: Unpaid}
	assert.True(t, readyFirst.markReady(now))
	assert.Equal(t, Unpaid, readyFirst.Status)
	assert.True(t, readyFirst.pay(p, now))
	assert.Equal(t, Waiting, readyFirst.Status)
	assert.False(t, readyFirst.pay(p, now), "a repeated order.paid changes nothing")

	cancelledFirst := Job{OrderID: "o1", Status: Unpaid}
	assert.True(t, cancelledFirst.cancel("rejected", now))
	assert.False(t, cancelledFirst.pay(p, now), "a cancelled order does not become a job")
	assert.Equal(t, Cancelled, cancelledFirst.Status)
}
