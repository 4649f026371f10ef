package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Outcome classifies one request: "" for success, otherwise a short kind ("sold_out", "409",
// "timeout", ...) reported in the error breakdown. Expected refusals are outcomes, not failures.
type Outcome string

// Result is what one constant-rate run measured.
type Result struct {
	Name      string
	Sent      int
	Elapsed   time.Duration
	Latencies []time.Duration // of completed requests, any outcome
	Outcomes  map[Outcome]int
	Late      int // arrivals not started on time because MaxInFlight requests were still running
}

// Run sends requests at a constant arrival rate for the given count, whatever the latency: a slow
// system shows up as latency and late arrivals, not as a quietly lower offered load (coordinated
// omission). do is called with the request's index.
func Run(ctx context.Context, name string, rate float64, count, maxInFlight int, progress io.Writer, do func(ctx context.Context, i int) Outcome) Result {
	res := Result{Name: name, Outcomes: map[Outcome]int{}}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan struct{}, maxInFlight)
		done int
	)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	stopProgress := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				mu.Lock()
				fmt.Fprintf(progress, "  %-28s %6.1fs  sent %d/%d  done %d  late %d\n", name, time.Since(start).Seconds(), res.Sent, count, done, res.Late)
				mu.Unlock()
			}
		}
	}()
	for i := 0; i < count && ctx.Err() == nil; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case sem <- struct{}{}:
		default:
			mu.Lock()
			res.Late++
			mu.Unlock()
			sem <- struct{}{}
		}
		mu.Lock()
		res.Sent++
		mu.Unlock()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			t0 := time.Now()
			out := do(ctx, i)
			lat := time.Since(t0)
			<-sem
			mu.Lock()
			res.Latencies = append(res.Latencies, lat)
			res.Outcomes[out]++
			done++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	close(stopProgress)
	res.Elapsed = time.Since(start)
	return res
}

// Throughput is completed requests per second of the run.
func (r Result) Throughput() float64 { return float64(len(r.Latencies)) / r.Elapsed.Seconds() }

// Percentile returns the p-th latency percentile (0 < p <= 100).
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(r.Latencies)
	slices.Sort(l)
	i := int(float64(len(l))*p/100+0.5) - 1
	return l[max(0, min(i, len(l)-1))]
}

// Report writes one result as a Markdown table row.
func (r Result) Report(w io.Writer) {
	var kinds []string
	for k, n := range r.Outcomes {
		name := string(k)
		if name == "" {
			name = "ok"
		}
		kinds = append(kinds, fmt.Sprintf("%s %d", name, n))
	}
	slices.Sort(kinds)
	fmt.Fprintf(w, "| %s | %d | %.0f/s | %s | %s | %s | %s | %d | %v |\n", r.Name, r.Sent, r.Throughput(),
		ms(r.Percentile(50)), ms(r.Percentile(95)), ms(r.Percentile(99)), ms(r.Percentile(100)), r.Late, kinds)
}

// ReportHeader is the header of the Report table.
const ReportHeader = "| scenario | requests | throughput | p50 | p95 | p99 | max | late | outcomes |\n|---|---|---|---|---|---|---|---|---|\n"

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
