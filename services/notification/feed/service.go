package feed

import (
	"context"
	"fmt"
	"time"

	"github.com/canteen/canteen/services/internal/group"
	"github.com/canteen/canteen/services/internal/occ"
)

// Token is the opaque version of a head as read (the store's ETag).
type Token string

// Repository keeps streams: one head per stream, written with its token, and sealed pages.
type Repository interface {
	// Head reads a stream's head: the zero Head and "" when the stream does not exist.
	Head(ctx context.Context, s Stream) (Head, Token, error)
	// SaveHead writes the head if it is unchanged since read with t ("" creates it only where it
	// does not exist); occ.ErrConflict otherwise.
	SaveHead(ctx context.Context, s Stream, h Head, t Token) error
	// SavePage writes a sealed page; writing the same page again is harmless.
	SavePage(ctx context.Context, s Stream, p Page) error
	// Page reads page n; false when it was never written or has expired.
	Page(ctx context.Context, s Stream, n int64) (Page, bool, error)
}

// KeepPages is how many sealed pages a read reaches back, besides the head: with PageSize 50,
// a client sees at most the last 200 or so events of a busy store's stream. Older pages are never
// read again and expire in the store (see the sidecar's page TTL).
const KeepPages = 3

// Service records events into streams and reads them back.
type Service struct {
	repo   Repository
	notify *Notifier
	// Appends to one stream on this replica are committed in groups: a flash sale delivers
	// hundreds of one store's events at once, and each racing for the store stream's head with
	// its ETag gave up after repeated conflicts and was redelivered again and again (seen in
	// e2e). Now the first append to arrive writes every one waiting for that stream in one
	// read and one write of the head, and the ETag decides only between replicas.
	appends *group.Committer[Stream, Event, Event]
}

// NewService returns the service over repo; notify wakes this replica's open streams.
func NewService(repo Repository, notify *Notifier) *Service {
	s := &Service{repo: repo, notify: notify}
	s.appends = &group.Committer[Stream, Event, Event]{Commit: s.appendAll, Timeout: 10 * time.Second}
	return s
}

// Record appends e to its order's stream and its store's stream, once each however often it is
// delivered, and wakes the open streams. ErrMalformed for an event naming no order or store.
func (s *Service) Record(ctx context.Context, e Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	os := OrderStream(e.OrderID)
	got, err := s.append(ctx, os, e)
	if err != nil {
		return fmt.Errorf("append %s to %s: %w", e.Type, os, err)
	}
	s.notify.Notify(os)
	if got.InStore {
		return nil
	}
	// A crash between the two appends leaves the mark unset: the redelivery appends to the store
	// stream again, where the recent events are checked too, and then sets the mark.
	ss := StoreStream(e.StoreID)
	if _, err := s.append(ctx, ss, e); err != nil {
		return fmt.Errorf("append %s to %s: %w", e.Type, ss, err)
	}
	s.notify.Notify(ss)
	return s.markInStore(ctx, os, e)
}

// append adds e to the stream unless the same event is there already; it returns the stored event.
func (s *Service) append(ctx context.Context, st Stream, e Event) (Event, error) {
	return s.appends.Do(ctx, st, e)
}

// appendAll appends to the stream those of evs it does not hold yet, in one write of its head
// (and of any page sealed on the way), and returns each event as the stream holds it.
func (s *Service) appendAll(ctx context.Context, st Stream, evs []Event) ([]Event, error) {
	got := make([]Event, len(evs))
	err := occ.Retry(ctx, func(ctx context.Context) error {
		h, tok, err := s.repo.Head(ctx, st)
		if err != nil {
			return err
		}
		// An event sealed into the last page a moment ago is still a duplicate: the window
		// checked is the head, the last page before this write, and the pages it seals.
		var recent []Event
		if h.first() > 1 {
			p, ok, err := s.repo.Page(ctx, st, pageOf(h.first()-1))
			if err != nil {
				return err
			}
			if ok {
				recent = p.Events
			}
		}
		var sealed []Page
		appended := false
		for i, e := range evs {
			if j := find(h.Events, e); j >= 0 {
				got[i] = h.Events[j]
				continue
			}
			if e, ok := findIn(recent, sealed, e); ok {
				got[i] = e
				continue
			}
			if st.Kind == KindOrder && h.Customer == "" {
				h.Customer = e.CustomerID
			}
			if p, ok := h.sealIfFull(); ok {
				sealed = append(sealed, p)
			}
			e.InStore = false
			got[i] = h.appendEvent(e)
			appended = true
		}
		if !appended {
			return nil // every one a duplicate: nothing to write
		}
		for _, p := range sealed {
			if err := s.repo.SavePage(ctx, st, p); err != nil {
				return err
			}
		}
		return s.repo.SaveHead(ctx, st, h, tok)
	})
	return got, err
}

// markInStore notes on the order stream's event that the store stream has it.
func (s *Service) markInStore(ctx context.Context, os Stream, e Event) error {
	return occ.Retry(ctx, func(ctx context.Context) error {
		h, tok, err := s.repo.Head(ctx, os)
		if err != nil {
			return err
		}
		i := find(h.Events, e)
		if i < 0 || h.Events[i].InStore {
			return nil // sealed meanwhile (a page is never rewritten), or marked by a concurrent copy
		}
		h.Events[i].InStore = true
		return s.repo.SaveHead(ctx, os, h, tok)
	})
}

// Customer tells whether customer may follow the order: ErrNotFound when the order is unknown
// here or is someone else's (the same answer, so ids cannot be probed).
func (s *Service) Customer(ctx context.Context, orderID, customer string) error {
	h, _, err := s.repo.Head(ctx, OrderStream(orderID))
	if err != nil {
		return err
	}
	if customer == "" || h.Customer != customer {
		return ErrNotFound
	}
	return nil
}

// Since returns the stream's events with ids above id, oldest first, as far back as the stream
// keeps them (the head and KeepPages pages): a client that was away longer resumes at the oldest
// kept event.
func (s *Service) Since(ctx context.Context, st Stream, id int64) ([]Event, error) {
	h, _, err := s.repo.Head(ctx, st)
	if err != nil || h.Next <= id+1 {
		return nil, err
	}
	first := h.first()
	if id+1 >= first {
		return after(h.Events, id), nil
	}
	var out []Event
	last := pageOf(first - 1)
	for n := max(pageOf(id+1), last-KeepPages+1, 0); n <= last; n++ {
		p, ok, err := s.repo.Page(ctx, st, n)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, after(p.Events, id)...)
		}
	}
	return append(out, after(h.Events, id)...), nil
}

// findIn finds e among the events of the page before a write and of the pages the write seals.
func findIn(before []Event, sealed []Page, e Event) (Event, bool) {
	if j := find(before, e); j >= 0 {
		return before[j], true
	}
	for _, p := range sealed {
		if j := find(p.Events, e); j >= 0 {
			return p.Events[j], true
		}
	}
	return Event{}, false
}
