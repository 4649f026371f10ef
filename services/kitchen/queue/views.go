package queue

import (
	"context"
	"time"
)

// View is a store's queue as staff and customers see it.
type View struct {
	StoreID  string
	Capacity Capacity
	// Working counts queued, accepted and preparing tickets; OverCapacity is Working >= Limit.
	Working      int
	OverCapacity bool
	// Wait is the estimate for a ticket admitted now.
	Wait    time.Duration
	Tickets []Ticket
}

// Page is the POS's pull: the tickets changed after its cursor, and the cursor to ask from next.
type Page struct {
	Tickets []Ticket
	Cursor  int64
}

func (s *Service) view(q Queue) View {
	work := q.working()
	return View{StoreID: q.StoreID, Capacity: q.Capacity, Working: work, OverCapacity: q.overCapacity(work),
		Wait: q.wait(work+1, s.cfg.TicketTime), Tickets: q.open()}
}

// View is the store's queue: open tickets, capacity, busy flag and the wait estimate.
func (s *Service) View(ctx context.Context, storeID string) (View, error) {
	q, err := s.repo.Load(ctx, storeID)
	if err != nil {
		return View{}, err
	}
	return s.view(q), nil
}

// SetCapacity sets the store's limit and busy flag.
func (s *Service) SetCapacity(ctx context.Context, storeID string, c Capacity) (View, error) {
	if c.Limit < 0 || c.Limit > 10000 {
		return View{}, &InvalidError{Field: "limit", Reason: "must be 0 (no limit) to 10000"}
	}
	var v View
	err := s.update(ctx, storeID, func(q *Queue) (bool, error) {
		changed := q.Capacity != c
		q.Capacity = c
		v = s.view(*q)
		return changed, nil
	})
	return v, err
}

// Ticket is one of the store's tickets, open or completed.
func (s *Service) Ticket(ctx context.Context, storeID, orderID string) (Ticket, error) {
	q, err := s.repo.Load(ctx, storeID)
	if err != nil {
		return Ticket{}, err
	}
	if t, ok := q.Open[orderID]; ok {
		return t, nil
	}
	return s.archived(ctx, storeID, orderID)
}

// Changes is the POS's pull: tickets changed after since, or after the last acknowledged cursor
// when since is nil, so that what the POS has not acknowledged is offered again.
func (s *Service) Changes(ctx context.Context, storeID string, since *int64) (Page, error) {
	q, err := s.repo.Load(ctx, storeID)
	if err != nil {
		return Page{}, err
	}
	from := q.Acked
	if since != nil {
		if *since < 0 || *since > q.Seq {
			return Page{}, &InvalidError{Field: "since", Reason: "must be a cursor this queue gave (0 to the latest)"}
		}
		from = *since
	}
	return Page{Tickets: q.since(from), Cursor: q.Seq}, nil
}

// Ack records that the POS has everything up to cursor.
func (s *Service) Ack(ctx context.Context, storeID string, cursor int64) (Page, error) {
	var p Page
	err := s.update(ctx, storeID, func(q *Queue) (bool, error) {
		moved, err := q.ack(cursor)
		p = Page{Tickets: q.since(q.Acked), Cursor: q.Seq}
		return moved, err
	})
	return p, err
}
