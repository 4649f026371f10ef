// Package feed is the notification service's domain: per-order and per-store streams of status
// events, appended once each (at-least-once delivery deduplicated on order and type), numbered by a
// per-stream sequence, kept in small pages, and read back from any id so that a client that
// reconnects, or reconnects after a restart of this service, misses nothing.
//
// How new events reach open streams: the subscription handler wakes the streams of this replica
// through an in-process Notifier at once; every open stream also re-reads its persisted head
// periodically (a second by default), so events taken by another replica reach this replica's
// clients within that period. The persisted stream, not the notifier, is the truth: a missed wake-up
// only delays an event until the next re-read.
package feed

import (
	"errors"
	"fmt"
	"time"
)

// Event is one status change as a stream shows it. ID is its sequence number in its stream (1, 2,
// ...); Data is the payload as it was published, shown to clients unchanged.
type Event struct {
	ID         int64
	Type       string
	OrderID    string
	StoreID    string
	CustomerID string // order events name the order's customer; ticket events do not
	At         time.Time
	Data       []byte
	// InStore is set on an order stream's event once it is in its store's stream too: a duplicate
	// delivery then costs one read, and the store stream never shows it twice, however old.
	InStore bool
}

// Stream names one stream: an order's or a store's.
type Stream struct {
	Kind string // KindOrder or KindStore
	ID   string
}

// Stream kinds.
const (
	KindOrder = "order"
	KindStore = "store"
)

// OrderStream and StoreStream name the two streams an event goes to.
func OrderStream(orderID string) Stream { return Stream{Kind: KindOrder, ID: orderID} }

// StoreStream is the stream of a store's staff.
func StoreStream(storeID string) Stream { return Stream{Kind: KindStore, ID: storeID} }

func (s Stream) String() string { return s.Kind + ":" + s.ID }

// ErrNotFound: no such stream, or not the caller's to see.
var ErrNotFound = errors.New("no such stream")

// ErrMalformed: an event without the order and store it belongs to; a redelivery cannot mend it.
var ErrMalformed = errors.New("malformed event")

// Validate refuses an event that names no order, store or type.
func (e Event) Validate() error {
	switch {
	case e.OrderID == "":
		return fmt.Errorf("%w: no order_id", ErrMalformed)
	case e.StoreID == "":
		return fmt.Errorf("%w: no store_id", ErrMalformed)
	case e.Type == "":
		return fmt.Errorf("%w: no type", ErrMalformed)
	}
	return nil
}

// same tells a redelivery: an order enters each state at most once (event.Order's contract), and
// a ticket event type is taken to mean the same.
func (e Event) same(o Event) bool { return e.OrderID == o.OrderID && e.Type == o.Type }
