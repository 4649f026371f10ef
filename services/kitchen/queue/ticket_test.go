package queue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/event"
)

func TestTicketMovesFollowTheKitchensOrder(t *testing.T) {
	now := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
	all := []Action{Accept, Start, Finish, Pickup, Reject}
	allowed := map[Status]map[Action]Status{
		Queued:    {Accept: Accepted, Reject: Rejected},
		Accepted:  {Start: Preparing, Reject: Rejected},
		Preparing: {Finish: Ready},
		Ready:     {Pickup: PickedUp},
		PickedUp:  {},
		Rejected:  {},
	}
	repeat := map[Status]Action{Accepted: Accept, Preparing: Start, Ready: Finish, PickedUp: Pickup, Rejected: Reject}
	for from, ok := range allowed {
		for _, a := range all {
			t.Run(string(from)+"/"+string(a), func(t *testing.T) {
				next, emit, changed, err := Ticket{OrderID: "o1", Status: from}.move(a, "why", now)
				switch {
				case ok[a] != "":
					require.NoError(t, err)
					assert.True(t, changed)
					assert.Equal(t, ok[a], next.Status)
					assert.Equal(t, "ticket."+string(ok[a]), emit)
				case repeat[from] == a:
					require.NoError(t, err, "a repeated move answers the ticket")
					assert.False(t, changed)
					assert.Equal(t, from, next.Status)
				default:
					var te *TransitionError
					require.ErrorAs(t, err, &te)
					assert.Equal(t, from, te.From)
				}
			})
		}
	}
	assert.Equal(t, event.TicketPickedUp, moves[Pickup].emit)
}

func TestParseActionRefusesUnknownActions(t *testing.T) {
	a, err := ParseAction("ready")
	require.NoError(t, err)
	assert.Equal(t, Finish, a)
	_, err = ParseAction("cook")
	var inv *InvalidError
	assert.ErrorAs(t, err, &inv)
}
