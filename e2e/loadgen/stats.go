package main

import (
	"fmt"
	"slices"
	"time"
)

// Outcome classifies one request: "" for a success, otherwise a short kind ("sold_out", "503",
// "transport-error", ...). Which kinds a scenario expects (a flash sale's sold_out) it says itself.
type Outcome string

// Percentile returns the p-th percentile (0 < p <= 100) of sorted latencies by the nearest-rank
// method: the smallest value with at least p% of the values at or below it. Zero for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// p*n/100 computed in integer hundredths of a percent, so that 99% of 100 is exactly rank 99.
	n := len(sorted)
	rank := (int(p*100+0.5)*n + 9999) / 10000
	return sorted[max(0, min(rank, n)-1)]
}

// Latency is the summary of one set of latencies.
type Latency struct {
	Count              int
	P50, P95, P99, Max time.Duration
}

// Summarize sorts a copy of the latencies and takes its percentiles.
func Summarize(l []time.Duration) Latency {
	s := slices.Clone(l)
	slices.Sort(s)
	return Latency{Count: len(s), P50: Percentile(s, 50), P95: Percentile(s, 95), P99: Percentile(s, 99), Max: Percentile(s, 100)}
}

// Step is one offered rate of a ramp and what it achieved.
type Step struct {
	Offered  float64 // requests per second offered
	Sent     int
	Late     int     // arrivals that found -max-in-flight requests running and waited for one
	Achieved float64 // answered as the scenario expects (successes and expected refusals) per second
	Latency  Latency // from each request's scheduled time to its answer, every outcome
	Outcomes map[Outcome]int
	Errors   map[Outcome]int // the outcomes the scenario does not expect, by kind
	CPU      float64         // share of the machine's CPU time busy during the step (every process, ours or not)
	Rest     bool            // the buyers left over (after the ramp stopped, or fewer than a step's worth): not a step of the knee
	Pass     bool            // p99 within the target and achieved >= MinAchieved of offered
}

// MinAchieved is the share of the offered rate a step must achieve to count as sustained.
const MinAchieved = 0.95

// Judge says whether a step is sustained: p99 within the target and achieved >= MinAchieved of
// offered.
func Judge(offered, achieved float64, p99, target time.Duration) bool {
	return p99 <= target && achieved >= MinAchieved*offered
}

// AchievedRate is the rate at which requests were answered as expected: their count over the
// longer of the step's scheduled duration and the span of its answers (first to last). A step the
// system keeps up with spans its schedule, shifted by the latency, and achieves what it offered;
// an overloaded one answers over a longer span and achieves its capacity.
func AchievedRate(answered int, scheduled time.Duration, first, last time.Time) float64 {
	span := max(scheduled, last.Sub(first))
	if answered == 0 || span <= 0 {
		return 0
	}
	return float64(answered) / span.Seconds()
}

// Knee returns the index of the highest-offered step that passed, not counting rest steps, or -1
// when none did.
func Knee(steps []Step) int {
	knee := -1
	for i, s := range steps {
		if s.Pass && !s.Rest && (knee < 0 || s.Offered > steps[knee].Offered) {
			knee = i
		}
	}
	return knee
}

// KneeText describes the knee of a ramp in words for the report.
func KneeText(steps []Step, target time.Duration) string {
	k := Knee(steps)
	if k < 0 {
		if len(steps) == 0 {
			return "no step ran"
		}
		return fmt.Sprintf("none: even the first step (%.0f/s offered) missed p99 <= %s or %.0f%% achieved", steps[0].Offered, ms(target), MinAchieved*100)
	}
	s := steps[k]
	return fmt.Sprintf("%.0f/s offered, %.0f/s achieved, p99 %s (step %d; target p99 <= %s, achieved >= %.0f%% of offered)",
		s.Offered, s.Achieved, ms(s.Latency.P99), k+1, ms(target), MinAchieved*100)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
