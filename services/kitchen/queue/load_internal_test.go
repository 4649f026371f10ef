package queue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTheShownWaitIsRoundedUpToAStepOfAboutATenthOfIt(t *testing.T) {
	for _, c := range []struct{ in, want time.Duration }{
		{0, 0},
		{4 * time.Minute, 4 * time.Minute},
		{4*time.Minute + time.Second, 5 * time.Minute},
		{10 * time.Minute, 10 * time.Minute},
		{12 * time.Minute, 15 * time.Minute},
		{time.Hour, time.Hour},
		{64 * time.Minute, 75 * time.Minute},
		{3*time.Hour + time.Minute, 4 * time.Hour},
	} {
		assert.Equal(t, c.want, shownWait(c.in), "%s", c.in)
	}
}
