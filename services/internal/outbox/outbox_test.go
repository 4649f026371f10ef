package outbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/occ"
)

type ev struct {
	typ string
	at  time.Time
}

func (e ev) EventType() string    { return e.typ }
func (e ev) EventTime() time.Time { return e.at }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// The call's own events go out at once, another writer's only once orphaned; the first failure
// stops the relay (the record's events stay in order) and only what went out is cleared.
func TestRelayPublishesOwnAndOrphanedInOrderAndClearsWhatWentOut(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	pending := []ev{
		{"old", now.Add(-OrphanAfter - time.Second)}, // its writer died
		{"young", now.Add(-time.Second)},             // its writer is still at it
		{"mine", now},
		{"after-failure", now},
	}
	var published []string
	var cleared map[string]bool
	publish := func(_ context.Context, e ev) error {
		if e.typ == "after-failure" {
			return errors.New("broker down")
		}
		published = append(published, e.typ)
		return nil
	}
	Relay(context.Background(), quiet, now, "r1", pending, []string{"mine", "after-failure"}, publish,
		func(_ context.Context, sent map[string]bool) error { cleared = sent; return nil })
	assert.Equal(t, []string{"old", "mine"}, published)
	assert.Equal(t, map[string]bool{"old": true, "mine": true}, cleared)
	assert.Equal(t, []ev{pending[1], pending[3]}, Unsent(pending, cleared), "what the record keeps")

	cleared = nil
	Relay(context.Background(), quiet, now, "r1", pending[1:2], nil, publish,
		func(_ context.Context, sent map[string]bool) error { cleared = sent; return nil })
	assert.Nil(t, cleared, "nothing published, nothing to clear")
}

// Clear drops the sent events from the stored record with its token, reads again on a conflict,
// and writes nothing when none of them is left.
func TestClearDropsWhatWasSentFromAFreshRead(t *testing.T) {
	type rec struct{ box []ev }
	stored, version := rec{box: []ev{{typ: "a"}, {typ: "b"}, {typ: "c"}}}, 1
	saves, conflicts := 0, 1
	clear := Clear(
		func(context.Context) (rec, int, error) { return stored, version, nil },
		func(r *rec) *[]ev { return &r.box },
		func(_ context.Context, r rec, v int) error {
			saves++
			if conflicts > 0 { // another writer got in between
				conflicts--
				version++
				return occ.ErrConflict
			}
			if v != version {
				return occ.ErrConflict
			}
			stored, version = r, version+1
			return nil
		})
	require.NoError(t, clear(context.Background(), map[string]bool{"a": true, "c": true}))
	assert.Equal(t, []ev{{typ: "b"}}, stored.box)
	assert.Equal(t, 2, saves, "one conflict, then the save from a fresh read")
	require.NoError(t, clear(context.Background(), map[string]bool{"a": true}))
	assert.Equal(t, 2, saves, "nothing left to drop: no write")
}
