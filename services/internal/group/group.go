// Package group commits concurrent requests for one key together (group commit). The first
// request for a key to arrive becomes its writer: it commits every request waiting for that key
// in one call, batch after batch, until none waits; requests for other keys go on in parallel.
// Under a rush on one key (a flash sale's store) the cost of a write is then shared by the whole
// batch instead of paid, and fought over, by every request; at a trickle a batch is one request
// and nothing waits for company.
package group

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Committer groups requests by key. Commit is given a batch of one key's requests, in order of
// arrival, and answers each (outs[i] for ins[i]) or fails the whole batch.
type Committer[K comparable, In, Out any] struct {
	Commit func(ctx context.Context, key K, ins []In) ([]Out, error)
	// Max bounds a batch (0: no bound); the rest wait for the next one.
	Max int
	// Timeout bounds each Commit call, which runs on for the requests of callers other than the
	// one whose goroutine runs it, so it cannot take that caller's context.
	Timeout time.Duration

	mu      sync.Mutex
	waiting map[K][]*request[In, Out]
	writing map[K]bool
}

type request[In, Out any] struct {
	in   In
	out  Out
	err  error
	done chan struct{}
}

// Do commits in with whatever else is waiting for key, and answers its share of the result.
func (c *Committer[K, In, Out]) Do(ctx context.Context, key K, in In) (Out, error) {
	r := &request[In, Out]{in: in, done: make(chan struct{})}
	c.mu.Lock()
	if c.waiting == nil {
		c.waiting, c.writing = map[K][]*request[In, Out]{}, map[K]bool{}
	}
	c.waiting[key] = append(c.waiting[key], r)
	lead := !c.writing[key]
	c.writing[key] = true
	c.mu.Unlock()
	if lead {
		c.write(key)
	}
	select {
	case <-r.done:
		return r.out, r.err
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
}

// write commits key's waiting requests, batch after batch, until none waits.
func (c *Committer[K, In, Out]) write(key K) {
	for {
		c.mu.Lock()
		batch := c.waiting[key]
		if len(batch) == 0 {
			delete(c.waiting, key)
			delete(c.writing, key)
			c.mu.Unlock()
			return
		}
		if c.Max > 0 && len(batch) > c.Max {
			batch, c.waiting[key] = batch[:c.Max], batch[c.Max:]
		} else {
			delete(c.waiting, key)
		}
		c.mu.Unlock()
		c.commit(key, batch)
	}
}

func (c *Committer[K, In, Out]) commit(key K, batch []*request[In, Out]) {
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if c.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
	}
	defer cancel()
	ins := make([]In, len(batch))
	for i, r := range batch {
		ins[i] = r.in
	}
	outs, err := c.Commit(ctx, key, ins)
	if err == nil && len(outs) != len(ins) {
		err = fmt.Errorf("group commit answered %d of %d requests", len(outs), len(ins))
	}
	for i, r := range batch {
		if err != nil {
			r.err = err
		} else {
			r.out = outs[i]
		}
		close(r.done)
	}
}
