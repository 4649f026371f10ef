package sidecar

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAnAcceptTimerNamesItsAttemptAndOrder(t *testing.T) {
	for _, c := range []struct {
		name, order string
		attempt     int
		ok          bool
	}{
		{"accept-2-3f2a-41c9", "3f2a-41c9", 2, true},
		{"accept-0-o1", "", 0, false},
		{"accept-x-o1", "", 0, false},
		{"accept-1-", "", 0, false},
		{SweepJob, "", 0, false},
	} {
		order, attempt, ok := parseTimer(c.name)
		assert.Equal(t, c.ok, ok, c.name)
		assert.Equal(t, c.order, order, c.name)
		assert.Equal(t, c.attempt, attempt, c.name)
	}
}
