package main

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func msd(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentileIsTheNearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = msd(i + 1)
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 99, 0},
		{"one value is every percentile", []time.Duration{msd(7)}, 50, msd(7)},
		{"one value, max", []time.Duration{msd(7)}, 100, msd(7)},
		{"p50 of 100", hundred, 50, msd(50)},
		{"p99 of 100 is the 99th, not the max", hundred, 99, msd(99)},
		{"p100 is the max", hundred, 100, msd(100)},
		{"p99.9 of 100 rounds up to the max", hundred, 99.9, msd(100)},
		{"p50 of 3 is the middle", []time.Duration{msd(1), msd(2), msd(3)}, 50, msd(2)},
		{"p95 of 10 is the 10th", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95, 10},
		{"p90 of 10 is the 9th", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Percentile(tc.sorted, tc.p))
		})
	}
}

func TestSummarizeSortsACopy(t *testing.T) {
	in := []time.Duration{msd(30), msd(10), msd(20)}
	s := Summarize(in)
	assert.Equal(t, Latency{Count: 3, P50: msd(20), P95: msd(30), P99: msd(30), Max: msd(30)}, s)
	assert.Equal(t, []time.Duration{msd(30), msd(10), msd(20)}, in, "the caller's slice is left as it was")
}

func TestAchievedRate(t *testing.T) {
	t0 := time.Now()
	cases := []struct {
		name      string
		answered  int
		scheduled time.Duration
		first     time.Time
		last      time.Time
		want      float64
	}{
		{"kept up: answers span the schedule, shifted", 300, 3 * time.Second, t0.Add(20 * time.Millisecond), t0.Add(2990 * time.Millisecond), 100},
		{"overloaded: answers take longer than the schedule", 300, 3 * time.Second, t0, t0.Add(6 * time.Second), 50},
		{"nothing answered", 0, 3 * time.Second, time.Time{}, time.Time{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, AchievedRate(tc.answered, tc.scheduled, tc.first, tc.last), 0.001)
		})
	}
}

func TestJudge(t *testing.T) {
	target := msd(250)
	cases := []struct {
		name     string
		offered  float64
		achieved float64
		p99      time.Duration
		want     bool
	}{
		{"within both", 100, 99, msd(100), true},
		{"p99 exactly at the target", 100, 100, msd(250), true},
		{"p99 over", 100, 100, msd(251), false},
		{"achieved exactly 95%", 100, 95, msd(10), true},
		{"achieved under 95%", 100, 94.9, msd(10), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Judge(tc.offered, tc.achieved, tc.p99, target))
		})
	}
}

func TestKneeIsTheHighestSustainedStep(t *testing.T) {
	step := func(offered float64, pass bool) Step { return Step{Offered: offered, Pass: pass} }
	rest := Step{Offered: 1000, Pass: true, Rest: true}
	cases := []struct {
		name  string
		steps []Step
		want  int
	}{
		{"no steps", nil, -1},
		{"none sustained", []Step{step(10, false), step(15, false)}, -1},
		{"all sustained: the last", []Step{step(10, true), step(15, true), step(22, true)}, 2},
		{"the step before the misses", []Step{step(10, true), step(15, true), step(22, false), step(33, false)}, 1},
		{"a missed step below a sustained one does not hide it", []Step{step(10, true), step(15, false), step(22, true), step(33, false), step(50, false)}, 2},
		{"a rest step is never the knee", []Step{step(10, true), step(15, false), step(22, false), rest}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Knee(tc.steps))
		})
	}
}

func TestKneeText(t *testing.T) {
	steps := []Step{{Offered: 20, Achieved: 20, Pass: true, Latency: Latency{P99: msd(40)}}, {Offered: 30, Achieved: 21}}
	assert.Contains(t, KneeText(steps, msd(250)), "20/s offered, 20/s achieved, p99 40.00 ms (step 1")
	assert.Contains(t, KneeText(steps[1:], msd(250)), "none: even the first step (30/s offered)")
}

func TestRefinementBisectsBetweenTheKneeAndTheMissAboveIt(t *testing.T) {
	step := func(offered float64, pass bool) Step { return Step{Offered: offered, Pass: pass} }
	cases := []struct {
		name  string
		steps []Step
		want  float64 // 0: no refining step
	}{
		{"nothing sustained", []Step{step(10, false), step(15, false)}, 0},
		{"nothing missed above the knee", []Step{step(10, true), step(15, true)}, 0},
		{"between the knee and the first miss", []Step{step(100, true), step(150, false), step(225, false)}, math.Sqrt(100 * 150)},
		{"a refined step that held moves the floor up", []Step{step(100, true), step(150, false), step(225, false), step(122, true)}, math.Sqrt(122 * 150)},
		{"one that missed brings the ceiling down", []Step{step(100, true), step(150, false), step(225, false), step(122, false)}, math.Sqrt(100 * 122)},
		{"a missed step below the knee is not a ceiling", []Step{step(50, false), step(100, true), step(150, false)}, math.Sqrt(100 * 150)},
		{"within 5%: narrow enough", []Step{step(100, true), step(104, false)}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := refinement(tc.steps)
			assert.Equal(t, tc.want != 0, ok)
			assert.InDelta(t, tc.want, got, 1e-9)
		})
	}
}

func TestOpsPerRequestCountsTheStepsUpToTheKneesRate(t *testing.T) {
	ops := func(gets float64) map[string]Ops {
		return map[string]Ops{"order": {State: map[string]float64{"get": gets}}}
	}
	s := &Scenario{
		// ramp 100, 150 (missed), 225 (missed), then a refining step at 122 that held: the knee.
		Steps:   []Step{{Offered: 100, Sent: 10, Pass: true}, {Offered: 150, Sent: 20}, {Offered: 225, Sent: 40}, {Offered: 122, Sent: 10, Pass: true}},
		StepOps: []map[string]Ops{ops(10), ops(1000), ops(1000), ops(30)},
	}
	sum, requests := s.OpsPerRequest()
	assert.Equal(t, 20, requests, "the overloaded steps above the knee are left out")
	assert.Equal(t, 40.0, sum["order"].State["get"])

	s.StepOthers = []map[string]float64{{"scheduler": 0.5}, {"scheduler": 9}, {"scheduler": 9}, {"scheduler": 1.5, "redis-server": 1}}
	others, requests := s.OthersPerRequest()
	assert.Equal(t, 20, requests)
	assert.Equal(t, map[string]float64{"scheduler": 2, "redis-server": 1}, others, "over the same steps")
}
