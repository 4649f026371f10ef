package outbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
