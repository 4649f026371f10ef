package main

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A target of 0 is missed by every step, whatever the timing, so the ramp's bookkeeping can be
// checked without any timing assertion.
func TestRampEndsAfterMissedStepsAndSendsEveryBuyer(t *testing.T) {
	var (
		mu   sync.Mutex
		seen = map[int]int{}
	)
	r := Ramp{Name: "test", Start: 1000, Factor: 2, Step: 10 * time.Millisecond, MaxSteps: 10, StopAfter: 2,
		Target: 0, MaxInFlight: 4, Supply: 100, SendAll: true, Expected: map[Outcome]bool{"409 sold_out": true},
		Do: func(_ context.Context, i int) Outcome {
			mu.Lock()
			seen[i]++
			mu.Unlock()
			switch {
			case i%10 == 0:
				return "503 unavailable"
			case i%2 == 0:
				return "409 sold_out"
			}
			return ""
		}}
	betweens := 0
	r.Between = func() { betweens++ }
	steps := r.Run(context.Background(), io.Discard)

	if assert.Len(t, steps, 3, "two missed steps, then the rest") {
		assert.Equal(t, []float64{1000, 2000, 2000}, []float64{steps[0].Offered, steps[1].Offered, steps[2].Offered}, "the rest goes at the last rate")
		assert.Equal(t, []int{10, 20, 70}, []int{steps[0].Sent, steps[1].Sent, steps[2].Sent})
		assert.True(t, steps[2].Rest)
		assert.Equal(t, map[Outcome]int{"503 unavailable": 1}, steps[0].Errors, "expected refusals are not errors")
		assert.Equal(t, 10, steps[0].Latency.Count)
	}
	assert.Len(t, seen, 100, "every buyer once")
	for i, n := range seen {
		assert.Equal(t, 1, n, "buyer %d", i)
	}
	assert.Equal(t, 4, betweens, "before the first step and after each")
	assert.Equal(t, -1, Knee(steps))
}

// The buyers run out in the middle of a step: those last few are a rest step, never the knee.
func TestAStepTheSupplyCutsShortIsARest(t *testing.T) {
	r := Ramp{Name: "test", Start: 1000, Factor: 2, Step: 10 * time.Millisecond, MaxSteps: 10, StopAfter: 10,
		Target: 0, MaxInFlight: 4, Supply: 25, SendAll: true, Do: func(context.Context, int) Outcome { return "" }}
	steps := r.Run(context.Background(), io.Discard)
	if assert.Len(t, steps, 2, "a whole step, then the 15 buyers left of the next one's 20") {
		assert.Equal(t, []int{10, 15}, []int{steps[0].Sent, steps[1].Sent})
		assert.False(t, steps[0].Rest)
		assert.True(t, steps[1].Rest)
	}
}

func TestRampStopsAtMaxStepsWithoutSupply(t *testing.T) {
	r := Ramp{Name: "test", Start: 500, Factor: 1.5, Step: 10 * time.Millisecond, MaxSteps: 3, StopAfter: 5,
		Target: 0, MaxInFlight: 4, Do: func(context.Context, int) Outcome { return "" }}
	steps := r.Run(context.Background(), io.Discard)
	if assert.Len(t, steps, 3) {
		assert.Equal(t, []int{5, 8, 11}, []int{steps[0].Sent, steps[1].Sent, steps[2].Sent}, "rate x step, rounded")
	}
}

func TestRampLengthensLowRateStepsToMinRequests(t *testing.T) {
	r := Ramp{Name: "test", Start: 1000, Factor: 2, Step: 5 * time.Millisecond, MinRequests: 8, MaxSteps: 2, StopAfter: 5,
		Target: 0, MaxInFlight: 4, Do: func(context.Context, int) Outcome { return "" }}
	steps := r.Run(context.Background(), io.Discard)
	if assert.Len(t, steps, 2) {
		assert.Equal(t, []int{8, 10}, []int{steps[0].Sent, steps[1].Sent}, "5 raised to 8; 10 already more")
	}
}
