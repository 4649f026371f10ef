// Package occ is optimistic concurrency control for state-store writes guarded by ETags: the one
// kind of retry that must live in application code, since Dapr's resiliency never retries an ETag
// conflict (the read that produced the ETag has to be redone).
package occ

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// ErrConflict is returned by a store when the ETag it was given is no longer current.
var ErrConflict = errors.New("concurrent update: the stored version changed")

// ErrExhausted means every attempt met a conflict; callers report it as a retryable 503.
var ErrExhausted = errors.New("too much contention: gave up after repeated conflicts")

// Attempts is how many times Retry runs a read-modify-write before giving up.
const Attempts = 12

// Retry runs fn until it returns something other than ErrConflict, at most Attempts times, sleeping
// a jittered, exponentially growing pause (up to 64 ms) between attempts so that contenders on a
// hot key spread out instead of colliding again in lock-step.
func Retry(ctx context.Context, fn func(ctx context.Context) error) error {
	pause := time.Millisecond
	for range Attempts {
		err := fn(ctx)
		if !errors.Is(err, ErrConflict) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause/2 + rand.N(pause)):
		}
		pause = min(2*pause, 64*time.Millisecond)
	}
	return ErrExhausted
}
