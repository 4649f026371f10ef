package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// Ramp steps a constant arrival rate up to find the knee: each step offers Start*Factor^k requests
// per second for Step (or for MinRequests requests, if that is longer), lets its requests finish,
// and is judged against Target. It ends after StopAfter failed steps in a row, MaxSteps, or when
// Supply requests were sent; then Refine more steps narrow the knee down between the highest
// sustained rate and the lowest missed one above it (a x1.5 ramp alone can put the knee up to a
// third below the rate the system sustains).
type Ramp struct {
	Name   string
	Start  float64
	Factor float64
	Step   time.Duration
	// MinRequests lengthens a step at a low rate so that its p99 rests on enough answers.
	MinRequests int
	MaxSteps    int
	StopAfter   int
	Refine      int
	Target      time.Duration // p99 a sustained step stays within
	MaxInFlight int
	// Supply is how many requests there are to send in all (a flash sale's buyers), 0 for no
	// limit. With SendAll, what the ramp left unsent goes out at the last offered rate as a rest
	// step, so that every buyer comes.
	Supply  int
	SendAll bool
	// Expected says which outcomes are answers the scenario expects besides success (a flash
	// sale's sold_out); the others are errors.
	Expected map[Outcome]bool
	// Do sends request i (counted across steps, from 0).
	Do func(ctx context.Context, i int) Outcome
	// Between runs before the first step, between steps and after the last (metrics snapshots).
	Between func()
	// Warmup, when positive, sends at Start for this long before the first step, unreported:
	// connections, caches and the Go runtime of every process warm up outside the figures.
	Warmup time.Duration
}

// Run runs the ramp and returns its steps; progress gets a line per step.
func (r Ramp) Run(ctx context.Context, progress io.Writer) []Step {
	var steps []Step
	next, fails := 0, 0
	rate := r.Start
	if n := int(math.Round(rate * r.Warmup.Seconds())); n > 0 && (r.Supply == 0 || n < r.Supply) {
		r.runStep(ctx, rate, next, n, progress, "warmup")
		next += n
	}
	if r.Between != nil {
		r.Between()
	}
	for k := 0; k < r.MaxSteps && ctx.Err() == nil; k++ {
		n, short := r.size(rate, next)
		if n <= 0 {
			break
		}
		s := r.runStep(ctx, rate, next, n, progress, fmt.Sprintf("step %d", k+1))
		s.Rest = short
		next += n
		steps = append(steps, s)
		if r.Between != nil {
			r.Between()
		}
		if s.Pass {
			fails = 0
		} else if fails++; fails >= r.StopAfter {
			break
		}
		rate *= r.Factor
	}
	for k := 0; k < r.Refine && ctx.Err() == nil; k++ {
		rate, ok := refinement(steps)
		n, short := r.size(rate, next)
		if !ok || n <= 0 {
			break
		}
		settle() // the backlog of a missed step drains before the next is judged
		s := r.runStep(ctx, rate, next, n, progress, fmt.Sprintf("step %d", len(steps)+1))
		s.Rest = short
		steps = append(steps, s)
		next += n
		if r.Between != nil {
			r.Between()
		}
	}
	if r.SendAll && r.Supply > next && ctx.Err() == nil && len(steps) > 0 {
		last := steps[len(steps)-1].Offered
		s := r.runStep(ctx, last, next, r.Supply-next, progress, "rest")
		s.Rest = true
		steps = append(steps, s)
		if r.Between != nil {
			r.Between()
		}
	}
	return steps
}

// size is how many requests a step at rate sends, next having been sent before it, and whether
// the supply cut it short: the last buyers of a flash sale, fewer than a step's worth, go out as a
// rest step, since a burst of a fraction of a step can be absorbed by queues a whole step would
// fill, and so says nothing of the rate being sustained.
func (r Ramp) size(rate float64, next int) (n int, short bool) {
	n = max(int(math.Round(rate*r.Step.Seconds())), r.MinRequests)
	if r.Supply > 0 && r.Supply-next < n {
		return r.Supply - next, true
	}
	return n, false
}

// The pause before a refining step, after the missed steps that ended the ramp: at least
// settleMin, then until the machine's CPU is less than calmBusy busy over half a second (the
// backlog the overload left behind, such as events still being delivered, has drained), at most
// settleMax.
const (
	settleMin = time.Second
	settleMax = 6 * time.Second
	calmBusy  = 0.4
)

func settle() {
	time.Sleep(settleMin)
	for end := time.Now().Add(settleMax - settleMin); time.Now().Before(end); {
		before := readCPU()
		time.Sleep(500 * time.Millisecond)
		if busyShare(before, readCPU()) < calmBusy {
			return
		}
	}
}

// refinement is the rate of the next refining step: the geometric mean of the highest sustained
// rate and the lowest missed rate above it; false when there is no such pair (nothing sustained,
// nothing missed above the knee) or they are within 5% of each other.
func refinement(steps []Step) (float64, bool) {
	k := Knee(steps)
	if k < 0 {
		return 0, false
	}
	lo, hi := steps[k].Offered, 0.0
	for _, s := range steps {
		if !s.Pass && !s.Rest && s.Offered > lo && (hi == 0 || s.Offered < hi) {
			hi = s.Offered
		}
	}
	if hi == 0 || hi < lo*1.05 {
		return 0, false
	}
	return math.Sqrt(lo * hi), true
}

// runStep sends n requests, numbered from first, at rate per second, and waits for their answers.
// A request's latency runs from the time it was scheduled, so time spent waiting for one of
// MaxInFlight slots counts (no coordinated omission).
func (r Ramp) runStep(ctx context.Context, rate float64, first, n int, progress io.Writer, label string) Step {
	var (
		mu         sync.Mutex
		wg         sync.WaitGroup
		sem        = make(chan struct{}, r.MaxInFlight)
		lats       = make([]time.Duration, 0, n)
		outcomes   = map[Outcome]int{}
		firstDone  time.Time
		lastDone   time.Time
		late, sent int
	)
	interval := time.Duration(float64(time.Second) / rate)
	start, cpu0 := time.Now(), readCPU()
	// A step the system cannot keep up with runs long: say so every 5 s.
	stopTicks := make(chan struct{})
	defer close(stopTicks)
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopTicks:
				return
			case <-t.C:
				mu.Lock()
				fmt.Fprintf(progress, "  %-10s %-6s ... %.0fs, %d of %d answered\n", r.Name, label, time.Since(start).Seconds(), len(lats), n)
				mu.Unlock()
			}
		}
	}()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case sem <- struct{}{}:
		default:
			late++
			sem <- struct{}{}
		}
		sent++
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out := r.Do(ctx, i)
			done := time.Now()
			<-sem
			mu.Lock()
			defer mu.Unlock()
			lats = append(lats, done.Sub(at))
			outcomes[out]++
			if firstDone.IsZero() {
				firstDone = done
			}
			lastDone = done
		}(first + i)
	}
	wg.Wait()
	s := Step{Offered: rate, Sent: sent, Late: late, Latency: Summarize(lats), Outcomes: outcomes, Errors: map[Outcome]int{}, CPU: busyShare(cpu0, readCPU())}
	answered := 0
	for o, c := range outcomes {
		if o == "" || r.Expected[o] {
			answered += c
		} else {
			s.Errors[o] = c
		}
	}
	scheduled := time.Duration(float64(n) * float64(interval))
	s.Achieved = AchievedRate(answered, scheduled, firstDone, lastDone)
	s.Pass = Judge(rate, s.Achieved, s.Latency.P99, r.Target)
	verdict := "sustained"
	if !s.Pass {
		verdict = "NOT sustained"
	}
	fmt.Fprintf(progress, "  %-10s %-6s offered %7.0f/s  sent %6d  achieved %7.0f/s  p50 %9s  p99 %9s  late %5d  cpu %3.0f%%  errors %v  %s\n",
		r.Name, label, rate, sent, s.Achieved, ms(s.Latency.P50), ms(s.Latency.P99), late, 100*s.CPU, kinds(s.Errors), verdict)
	return s
}
