// Package outbox relays the events a record keeps pending in itself. A service that must not lose
// an event writes it into the record it announces a change of, in the same single-key write with
// the record's ETag, so the event exists exactly when the change committed, on any state store
// (Dapr 1.18.2's own outbox holds every message about a second, is not atomic on Redis, and spins
// forever on a failed transaction: see the README). After the write, Relay publishes the pending
// events and clears them from the record. The order and the payment intent keep theirs this way.
package outbox

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/canteen/canteen/services/internal/occ"
)

// Timeout bounds a relay that goes on after its caller left: the change has committed, and its
// event should go out even if the client that asked for it hung up.
const Timeout = 10 * time.Second

// OrphanAfter is how long a pending event is left to the call that wrote it. Anyone else who
// finds it (a duplicate request, the next change, a sweep) publishes it only once it is older: its
// writer is then taken to have died. Without it, identical concurrent requests each published
// the winner's event once more (seen on the real sidecar).
const OrphanAfter = 5 * time.Second

// Event is a pending event: its type names it within its record (a record enters each state at
// most once), and its time is when the change it announces was written.
type Event interface {
	EventType() string
	EventTime() time.Time
}

// Relay publishes the pending events, oldest first: those of the types own (written by this
// call) and any orphaned (OrphanAfter). It stops at the first it cannot publish, keeping the
// record's events in order; that one stays pending and goes out with the record's next change, a
// repeated request or a sweep, so none is lost. Then clear removes the published types from the
// stored record (read, drop, save with its ETag). An event can still go out twice (a crash
// between publishing and clearing); subscribers deduplicate on (record id, type).
func Relay[E Event](ctx context.Context, log *slog.Logger, now time.Time, record string, pending []E, own []string,
	publish func(context.Context, E) error, clear func(ctx context.Context, sent map[string]bool) error) {
	if len(pending) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), Timeout)
	defer cancel()
	sent := map[string]bool{}
	for _, e := range pending {
		if !slices.Contains(own, e.EventType()) && now.Sub(e.EventTime()) < OrphanAfter {
			continue // its writer is publishing it
		}
		if err := publish(ctx, e); err != nil {
			log.Warn("event not published; it stays pending in its record", "record", record, "type", e.EventType(), "err", err)
			break
		}
		sent[e.EventType()] = true
	}
	if len(sent) == 0 {
		return
	}
	if err := clear(ctx, sent); err != nil {
		log.Warn("published events not cleared; they will be published again", "record", record, "err", err)
	}
}

// Clear is the clear function of Relay for a record kept under an ETag: it reads the record
// (load), drops the sent events from its outbox (the field events points to) and saves it with
// the token it was read with, again from a fresh read on a conflict; a record whose outbox holds
// none of them is not written.
func Clear[R any, E Event, T any](load func(context.Context) (R, T, error), events func(*R) *[]E, save func(context.Context, R, T) error) func(context.Context, map[string]bool) error {
	return func(ctx context.Context, sent map[string]bool) error {
		return occ.Retry(ctx, func(ctx context.Context) error {
			cur, tok, err := load(ctx)
			if err != nil {
				return err
			}
			box := events(&cur)
			kept := Unsent(*box, sent)
			if len(kept) == len(*box) {
				return nil
			}
			*box = kept
			return save(ctx, cur, tok)
		})
	}
}

// Unsent is events without those of the sent types: what a record keeps after a relay.
func Unsent[E Event](events []E, sent map[string]bool) []E {
	kept := make([]E, 0, len(events))
	for _, e := range events {
		if !sent[e.EventType()] {
			kept = append(kept, e)
		}
	}
	return kept
}
