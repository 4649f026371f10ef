package dispatchtest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// RunRepositoryContract checks what dispatch relies on from any Repository: a job with its
// pending events and a roster read back as written; creates are create-only, also when many race;
// a stale token is refused, so of concurrent roster writes from one read exactly one takes; the
// rider directory and the zone list keep what was written. (Keys are fresh uuids: a real store
// keeps earlier runs' data.)
func RunRepositoryContract(t *testing.T, repo dispatch.Repository) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
	newJob := func() dispatch.Job {
		id := uuid.NewString()
		return dispatch.Job{OrderID: id, StoreID: "s1", CustomerID: "c1", Zone: "z-" + id[:8], Building: "b7", Status: dispatch.Assigned,
			Ready: true, RiderID: "r2", Attempt: 2, Previous: []string{"r1"}, AssignedAt: at, CreatedAt: at, UpdatedAt: at.Add(time.Second),
			Outbox: []event.DeliveryJob{{Type: event.DeliveryAssigned, OrderID: id, StoreID: "s1", CustomerID: "c1", Zone: "z", Building: "b7",
				RiderID: "r2", Attempt: 2, Status: "assigned", At: at}}}
	}
	newRoster := func() dispatch.Roster {
		return dispatch.Roster{Zone: "z-" + uuid.NewString(), Name: "North campus", Seats: map[string]dispatch.Seat{
			"r1": {Capacity: 3, OnDuty: true, Jobs: []string{"o1", "o2"}}, "r2": {Capacity: 1}},
			Waiting: []dispatch.Wait{{OrderID: "o3", Avoid: []string{"r2"}}}, Unsent: []string{"o0"}}
	}

	t.Run("absent records are ErrNotFound", func(t *testing.T) {
		_, _, err := repo.Job(ctx, uuid.NewString())
		assert.ErrorIs(t, err, dispatch.ErrNotFound)
		_, _, err = repo.Roster(ctx, uuid.NewString())
		assert.ErrorIs(t, err, dispatch.ErrNotFound)
		_, err = repo.RiderZone(ctx, uuid.NewString())
		assert.ErrorIs(t, err, dispatch.ErrNotFound)
	})

	t.Run("a job round-trips with its outbox; a stale token is refused", func(t *testing.T) {
		j := newJob()
		require.NoError(t, repo.CreateJob(ctx, j))
		got, tok, err := repo.Job(ctx, j.OrderID)
		require.NoError(t, err)
		assert.Equal(t, j, got)
		got.Status, got.Outbox = dispatch.Accepted, nil
		require.NoError(t, repo.SaveJob(ctx, got, tok))
		again, _, err := repo.Job(ctx, j.OrderID)
		require.NoError(t, err)
		assert.Equal(t, dispatch.Accepted, again.Status)
		assert.Empty(t, again.Outbox)
		assert.ErrorIs(t, repo.SaveJob(ctx, got, tok), occ.ErrConflict)
		many, err := repo.Jobs(ctx, []string{j.OrderID, uuid.NewString()})
		require.NoError(t, err)
		require.Len(t, many, 1)
		assert.Equal(t, again, many[j.OrderID])
	})

	t.Run("a placeholder job round-trips", func(t *testing.T) {
		j := dispatch.Job{OrderID: uuid.NewString(), Status: dispatch.Unpaid, Ready: true, CreatedAt: at, UpdatedAt: at}
		require.NoError(t, repo.CreateJob(ctx, j))
		got, _, err := repo.Job(ctx, j.OrderID)
		require.NoError(t, err)
		assert.Equal(t, j, got)
	})

	t.Run("of many concurrent job creates exactly one succeeds", func(t *testing.T) {
		j := newJob()
		exactlyOneOf(t, 16, func(int) error { return repo.CreateJob(ctx, j) })
	})

	t.Run("a roster round-trips; of concurrent writes from one read exactly one takes", func(t *testing.T) {
		r := newRoster()
		require.NoError(t, repo.CreateRoster(ctx, r))
		assert.ErrorIs(t, repo.CreateRoster(ctx, r), occ.ErrConflict)
		got, tok, err := repo.Roster(ctx, r.Zone)
		require.NoError(t, err)
		assert.Equal(t, r, got)
		exactlyOneOf(t, 8, func(i int) error {
			mine := got
			mine.Name = "writer " + string(rune('a'+i))
			return repo.SaveRoster(ctx, mine, tok)
		})
	})

	t.Run("the rider directory and the zone list keep what was written", func(t *testing.T) {
		rider, zone := uuid.NewString(), uuid.NewString()
		require.NoError(t, repo.SetRiderZone(ctx, rider, zone))
		got, err := repo.RiderZone(ctx, rider)
		require.NoError(t, err)
		assert.Equal(t, zone, got)
		zones := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
		var wg sync.WaitGroup
		for _, z := range zones {
			wg.Go(func() { assert.NoError(t, repo.AddZone(ctx, z)) })
		}
		wg.Wait()
		require.NoError(t, repo.AddZone(ctx, zones[0]))
		listed, err := repo.Zones(ctx)
		require.NoError(t, err)
		for _, z := range zones {
			n := 0
			for _, l := range listed {
				if l == z {
					n++
				}
			}
			assert.Equal(t, 1, n, "zone %s listed once", z)
		}
	})
}

// exactlyOneOf runs n writes at once and checks that exactly one took and every other met
// occ.ErrConflict (asserts, not requires, inside the goroutines).
func exactlyOneOf(t *testing.T, n int, write func(i int) error) {
	t.Helper()
	var ok, conflict atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := write(i)
			switch {
			case err == nil:
				ok.Add(1)
			case assert.ErrorIs(t, err, occ.ErrConflict):
				conflict.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, ok.Load())
	assert.EqualValues(t, n-1, conflict.Load())
}
