package dispatch

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTheRosterGivesEachWaitingJobToTheLeastLoadedOnDutyRiderWithRoom(t *testing.T) {
	for _, c := range []struct {
		name    string
		seats   map[string]Seat
		waiting []Wait
		want    []Assignment
		left    int
	}{
		{"fewest open jobs wins", map[string]Seat{"a": {Capacity: 3, OnDuty: true, Jobs: []string{"x", "y"}}, "b": {Capacity: 3, OnDuty: true, Jobs: []string{"z"}}},
			[]Wait{{OrderID: "o1"}}, []Assignment{{"o1", "b"}}, 0},
		{"a tie goes to the smallest rider id", map[string]Seat{"b": {Capacity: 3, OnDuty: true}, "a": {Capacity: 3, OnDuty: true}},
			[]Wait{{OrderID: "o1"}, {OrderID: "o2"}, {OrderID: "o3"}}, []Assignment{{"o1", "a"}, {"o2", "b"}, {"o3", "a"}}, 0},
		{"never over capacity: the rest waits", map[string]Seat{"a": {Capacity: 1, OnDuty: true}, "b": {Capacity: 1, OnDuty: true, Jobs: []string{"x"}}},
			[]Wait{{OrderID: "o1"}, {OrderID: "o2"}}, []Assignment{{"o1", "a"}}, 1},
		{"off duty riders get nothing", map[string]Seat{"a": {Capacity: 5}}, []Wait{{OrderID: "o1"}}, nil, 1},
		{"an avoided rider only when no other is free", map[string]Seat{"a": {Capacity: 2, OnDuty: true}, "b": {Capacity: 2, OnDuty: true, Jobs: []string{"x"}}},
			[]Wait{{OrderID: "o1", Avoid: []string{"a"}}, {OrderID: "o2", Avoid: []string{"a", "b"}}}, []Assignment{{"o1", "b"}, {"o2", "a"}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := Roster{Seats: c.seats, Waiting: c.waiting}
			assert.Equal(t, c.want, r.assign())
			assert.Len(t, r.Waiting, c.left)
			for id, s := range r.Seats {
				assert.LessOrEqual(t, len(s.Jobs), s.Capacity, "rider %s", id)
			}
		})
	}
}

func TestARosterHoldsAJobOnceAndReleasesItFromSeatAndLine(t *testing.T) {
	r := Roster{Seats: map[string]Seat{"a": {Capacity: 2, OnDuty: true}}}
	assert.True(t, r.enqueue("o1", nil))
	assert.False(t, r.enqueue("o1", nil), "already waiting")
	r.assign()
	assert.False(t, r.enqueue("o1", nil), "already held")
	holder, ok := r.Holder("o1")
	assert.True(t, ok)
	assert.Equal(t, "a", holder)
	assert.True(t, r.release("o1"))
	assert.False(t, r.release("o1"))
	assert.Empty(t, r.Seats["a"].Jobs)
}
