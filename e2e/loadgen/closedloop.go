package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Capacity is what a closed loop of a fixed number of connections measured: the most the target
// answers at that concurrency, and the latency it answers with while saturated.
type Capacity struct {
	Name     string
	Conns    int
	Requests int
	Rate     float64 // answers per second
	Latency  Latency // from send to answer
	Errors   map[Outcome]int
}

// ClosedLoop has conns workers send requests back to back for d and measures the rate and
// latency; it is how the raw baselines are taken ("same concurrency" as PERFORMANCE.md's figures),
// where an open loop would only measure the generator. do is called with a request number.
func ClosedLoop(ctx context.Context, name string, conns int, d time.Duration, progress io.Writer, do func(ctx context.Context, i int) Outcome) Capacity {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		lats []time.Duration
		errs = map[Outcome]int{}
		next int
	)
	start := time.Now()
	end := start.Add(d)
	for range conns {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil && time.Now().Before(end) {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				t0 := time.Now()
				out := do(ctx, i)
				mine = append(mine, time.Since(t0))
				if out != "" {
					mu.Lock()
					errs[out]++
					mu.Unlock()
				}
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	c := Capacity{Name: name, Conns: conns, Requests: len(lats), Latency: Summarize(lats), Errors: errs}
	ok := len(lats)
	for _, n := range errs {
		ok -= n
	}
	c.Rate = float64(ok) / elapsed.Seconds()
	fmt.Fprintf(progress, "  closed loop %-40s %7.0f/s  p50 %9s  p99 %9s  errors %v\n", name, c.Rate, ms(c.Latency.P50), ms(c.Latency.P99), kinds(errs))
	return c
}
