package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Scenario is one ramp through the public API and what it found.
type Scenario struct {
	Name   string
	About  string // what was set up and sent, for the report
	Unit   string // what one request is ("checkout", "attempt", "browse")
	Target time.Duration
	Steps  []Step
	// StepOps is what every app sidecar did during each step, by app id.
	StepOps []map[string]Ops
	// StepOthers is the CPU seconds of the other processes (scheduler, stores, the load
	// generator) during each step, by name.
	StepOthers []map[string]float64
	// StepNotes adds a column to the ramp table (checkout: event latency per step).
	StepNoteHeader string
	StepNotes      []string
	Audit          []Check
	Notes          []string
	// Closed, when not nil, is the scenario's own request as a closed loop at the baselines'
	// concurrency, to read against them like with like.
	Closed *Capacity
}

// Check is one line of an audit: an invariant and whether it held.
type Check struct {
	What   string
	OK     bool
	Detail string
}

// check builds a Check with a formatted detail.
func check(what string, ok bool, format string, args ...any) Check {
	return Check{What: what, OK: ok, Detail: fmt.Sprintf(format, args...)}
}

// Failed lists the audit checks that did not hold.
func (s *Scenario) Failed() []string {
	var out []string
	for _, c := range s.Audit {
		if !c.OK {
			out = append(out, fmt.Sprintf("%s: %s (%s)", s.Name, c.What, c.Detail))
		}
	}
	return out
}

// runRamp runs r with a metrics snapshot of every app sidecar around each step, and fills the
// scenario's steps and per-step sidecar operations.
// after, when not nil, runs after each snapshot.
func (s *Scenario) runRamp(ctx context.Context, r Ramp, sc *sidecars, after func()) {
	var snaps []map[string]Metrics
	r.Between = func() {
		// What a step set off after its answers (events published and delivered) lands in it,
		// not in the next one.
		time.Sleep(250 * time.Millisecond)
		snaps = append(snaps, sc.scrape(ctx))
		if after != nil {
			after()
		}
	}
	r.Target = s.Target
	fmt.Fprintf(progress, "== %s: %s\n", s.Name, s.About)
	s.Steps = r.Run(ctx, progress)
	for i := 1; i < len(snaps); i++ {
		s.StepOps = append(s.StepOps, sc.opsBetween(snaps[i-1], snaps[i]))
		s.StepOthers = append(s.StepOthers, sc.othersBetween(snaps[i-1], snaps[i]))
	}
}

// OpsPerRequest is the sidecar operations of the steps offered at most the knee's rate (or of the
// first step when no step was sustained: the least loaded), summed over the apps, and the number
// of requests they served. Rest steps are left out.
func (s *Scenario) OpsPerRequest() (map[string]Ops, int) {
	sum := map[string]Ops{}
	requests := 0
	for _, i := range s.kneeSteps() {
		requests += s.Steps[i].Sent
		for app, o := range s.StepOps[i] {
			sum[app] = sum[app].Add(o)
		}
	}
	return sum, requests
}

// kneeSteps are the steps OpsPerRequest counts.
func (s *Scenario) kneeSteps() []int {
	last := max(Knee(s.Steps), 0)
	var out []int
	for i := 0; i < len(s.StepOps) && i < len(s.Steps); i++ {
		if !s.Steps[i].Rest && s.Steps[i].Offered <= s.Steps[last].Offered {
			out = append(out, i)
		}
	}
	return out
}

// OthersPerRequest is the CPU seconds of the other processes over the steps OpsPerRequest
// counts, by name, and the number of requests they served.
func (s *Scenario) OthersPerRequest() (map[string]float64, int) {
	sum := map[string]float64{}
	requests := 0
	for _, i := range s.kneeSteps() {
		if i >= len(s.StepOthers) {
			continue
		}
		requests += s.Steps[i].Sent
		for name, v := range s.StepOthers[i] {
			sum[name] += v
		}
	}
	return sum, requests
}

// stepN is the N of one step: the sidecar operations of every app per request sent.
func (s *Scenario) stepN(i int) float64 {
	if i >= len(s.StepOps) || s.Steps[i].Sent == 0 {
		return 0
	}
	var total float64
	for _, o := range s.StepOps[i] {
		total += o.N()
	}
	return total / float64(s.Steps[i].Sent)
}

// stepNText is stepN for the report, "-" when the step's sidecars could not be read.
func (s *Scenario) stepNText(i int) string {
	if i >= len(s.StepOps) {
		return "-"
	}
	return fmt.Sprintf("%.2f", s.stepN(i))
}

// kinds formats outcome counts as "kind n, kind n" sorted by kind, "-" for none.
func kinds(m map[Outcome]int) string {
	var parts []string
	for k, n := range m {
		name := string(k)
		if name == "" {
			name = "ok"
		}
		parts = append(parts, fmt.Sprintf("%s %d", name, n))
	}
	if len(parts) == 0 {
		return "-"
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
