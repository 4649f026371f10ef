package group

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// While one commit of a key is in progress, every request for that key waits and goes in the
// next commit (at most Max at a time), each answered with its own result.
func TestRequestsArrivingDuringACommitShareTheNextOne(t *testing.T) {
	release := make(chan struct{})
	var (
		mu      sync.Mutex
		batches [][]int
	)
	c := &Committer[string, int, int]{Max: 4, Commit: func(_ context.Context, _ string, ins []int) ([]int, error) {
		mu.Lock()
		batches = append(batches, append([]int(nil), ins...))
		first := len(batches) == 1
		mu.Unlock()
		if first {
			<-release
		}
		outs := make([]int, len(ins))
		for i, in := range ins {
			outs[i] = in * 10
		}
		return outs, nil
	}}
	results := make([]int, 7)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); results[0], _ = c.Do(t.Context(), "s", 0) }()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(batches) == 1 })
	for i := 1; i < 7; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], _ = c.Do(t.Context(), "s", i) }()
	}
	waitFor(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.waiting["s"]) == 6 })
	close(release)
	wg.Wait()

	assert.Equal(t, []int{0, 10, 20, 30, 40, 50, 60}, results)
	assert.Len(t, batches, 3, "the first alone, then the six that waited, four and two")
	assert.Equal(t, []int{0}, batches[0])
	assert.Len(t, batches[1], 4)
	assert.Len(t, batches[2], 2)
}

// A failed commit fails every request of its batch; the key is free for the next.
func TestAFailedCommitFailsItsBatchOnly(t *testing.T) {
	fail := errors.New("store down")
	calls := 0
	c := &Committer[string, int, int]{Commit: func(_ context.Context, _ string, ins []int) ([]int, error) {
		calls++
		if calls == 1 {
			return nil, fail
		}
		return ins, nil
	}}
	_, err := c.Do(t.Context(), "s", 1)
	assert.ErrorIs(t, err, fail)
	got, err := c.Do(t.Context(), "s", 2)
	assert.NoError(t, err)
	assert.Equal(t, 2, got)
}

// A commit that answers the wrong number of results is an error, not a silent misanswer.
func TestACommitMustAnswerEveryRequest(t *testing.T) {
	c := &Committer[string, int, int]{Commit: func(context.Context, string, []int) ([]int, error) { return nil, nil }}
	_, err := c.Do(t.Context(), "s", 1)
	assert.Error(t, err)
}

// Keys commit independently: a key held in a commit does not hold another.
func TestKeysCommitIndependently(t *testing.T) {
	hold := make(chan struct{})
	c := &Committer[string, int, int]{Commit: func(_ context.Context, key string, ins []int) ([]int, error) {
		if key == "slow" {
			<-hold
		}
		return ins, nil
	}}
	go func() { _, _ = c.Do(context.Background(), "slow", 1) }()
	got, err := c.Do(t.Context(), "fast", 2)
	assert.NoError(t, err)
	assert.Equal(t, 2, got)
	close(hold)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}
