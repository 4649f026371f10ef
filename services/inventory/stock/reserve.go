package stock

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/canteen/canteen/services/internal/occ"
)

// Reserve holds every line of an order, or none. It is idempotent and resumable by order id: a
// repeated call answers what the first one did, and a call after a crash completes the holds the
// crashed one began (a hold is keyed by order id, so nothing is ever held twice). Holds are taken
// first and the reservation record is created last; if that creation finds the order already
// released (a cancellation raced this call), the holds are undone, so a released order never
// keeps stock. Errors: *SoldOutError, ErrReleased, ErrUnknownStock, *InvalidError.
func (s *Service) Reserve(ctx context.Context, orderID string, lines []Line) error {
	if err := ValidateOrderID(orderID); err != nil {
		return err
	}
	lines, err := ValidateLines(lines)
	if err != nil {
		return err
	}
	if r, _, err := s.repo.Reservation(ctx, orderID); err == nil {
		return outcome(r)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	for _, l := range lines {
		if s.recentlySoldOut(l.Item) {
			return &SoldOutError{Item: l.Item}
		}
	}
	for _, l := range lines {
		err := s.hold(ctx, orderID, l)
		var soldOut *SoldOutError
		if errors.As(err, &soldOut) {
			if err := s.unholdAll(ctx, orderID, lines, false); err != nil {
				return err
			}
			return s.record(ctx, Reservation{OrderID: orderID, Status: SoldOut, Lines: []Line{{Item: soldOut.Item}}}, lines)
		}
		if err != nil {
			return err
		}
	}
	return s.record(ctx, Reservation{OrderID: orderID, Status: Reserved, Lines: lines}, lines)
}

// record creates the reservation record with r's outcome; if another call created it first, that
// outcome stands, and holds this call took are undone unless that outcome is a reservation.
func (s *Service) record(ctx context.Context, r Reservation, lines []Line) error {
	err := s.repo.CreateReservation(ctx, r)
	if errors.Is(err, occ.ErrConflict) {
		var cur Reservation
		if cur, _, err = s.repo.Reservation(ctx, r.OrderID); err != nil {
			return err
		}
		if cur.Status != Reserved && cur.Status != Confirmed {
			if err := s.unholdAll(ctx, r.OrderID, lines, false); err != nil {
				return err
			}
		}
		return outcome(cur)
	}
	if err != nil {
		return fmt.Errorf("record reservation of %s: %w", r.OrderID, err)
	}
	return outcome(r)
}

// outcome is the answer a reservation record gives to a repeated Reserve.
func outcome(r Reservation) error {
	switch r.Status {
	case Reserved, Confirmed:
		return nil
	case SoldOut:
		var it Item
		if len(r.Lines) > 0 {
			it = r.Lines[0].Item
		}
		return &SoldOutError{Item: it}
	default:
		return ErrReleased
	}
}

// hold makes the order hold l.Quantity units of l.Item, all in one bucket. The bucket is found by
// probing from one picked by the order id's hash: orders spread evenly over the buckets, while
// concurrent duplicates of one order probe the same keys and collide on their ETags. Units split
// over buckets so that none has the quantity count as sold out; hot dishes sell one or two units.
func (s *Service) hold(ctx context.Context, order string, l Line) error {
	n, err := s.bucketCount(ctx, l.Item)
	if err != nil {
		return err
	}
	home := int(fnv32(order) % uint32(n))
	return occ.Retry(ctx, func(ctx context.Context) error {
		bs, toks, err := s.repo.Buckets(ctx, l.Item, n)
		if err != nil {
			return err
		}
		if held := holding(bs, order); len(held) > 0 {
			return s.dedupe(ctx, l.Item, order, bs, toks, held)
		}
		v := view(l.Item, bs)
		if v.Available < l.Quantity {
			if v.Available == 0 && s.sawSoldOut(l.Item) {
				// With buckets the order that took the last unit may have read another bucket
				// before it emptied and so not known it was last: whoever first sees zero says so.
				s.stockChanged(ctx, l.Item, 1, 0)
			}
			return &SoldOutError{Item: l.Item}
		}
		for k := range n {
			i := (home + k) % n
			if bs[i].Available < l.Quantity {
				continue
			}
			b := cloneBucket(bs[i])
			b.hold(order, l.Quantity)
			if err := s.repo.PutBucket(ctx, l.Item, i, b, toks[i]); err != nil {
				return err
			}
			s.stockChanged(ctx, l.Item, v.Available, v.Available-l.Quantity)
			if n == 1 {
				return nil // one key: a duplicate could not have written anywhere else
			}
			// A duplicate may have raced into another bucket: read again and keep one hold.
			if bs, toks, err = s.repo.Buckets(ctx, l.Item, n); err != nil {
				return err
			}
			return s.dedupe(ctx, l.Item, order, bs, toks, holding(bs, order))
		}
		return &SoldOutError{Item: l.Item}
	})
}

// dedupe keeps an order's hold in the lowest bucket holding it and removes any other one (left by
// duplicates that raced), one write at a time: every contender decides the same from the same
// state, and one deciding from a stale state meets an ETag conflict.
func (s *Service) dedupe(ctx context.Context, it Item, order string, bs []Bucket, toks []Token, held []int) error {
	if len(held) == 1 {
		return nil
	}
	i := held[len(held)-1]
	b := cloneBucket(bs[i])
	b.unhold(order, false)
	if err := s.repo.PutBucket(ctx, it, i, b, toks[i]); err != nil {
		return err
	}
	return occ.ErrConflict // read again until one hold is left
}

// holding lists the buckets where the order holds units, in bucket order.
func holding(bs []Bucket, order string) []int {
	var out []int
	for i, b := range bs {
		if _, ok := b.Holds[order]; ok {
			out = append(out, i)
		}
	}
	return out
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// unholdAll removes the order's holds on every line, returning them to available, or to sold
// when sell is set. Idempotent: lines with no hold are left alone.
func (s *Service) unholdAll(ctx context.Context, order string, lines []Line, sell bool) error {
	for _, l := range lines {
		n, err := s.bucketCount(ctx, l.Item)
		if errors.Is(err, ErrUnknownStock) {
			continue
		}
		if err != nil {
			return err
		}
		err = occ.Retry(ctx, func(ctx context.Context) error {
			bs, toks, err := s.repo.Buckets(ctx, l.Item, n)
			if err != nil {
				return err
			}
			before := view(l.Item, bs).Available
			after := before
			for i, b := range bs {
				q := b.Holds[order]
				b = cloneBucket(b)
				if !b.unhold(order, sell) {
					continue
				}
				if err := s.repo.PutBucket(ctx, l.Item, i, b, toks[i]); err != nil {
					return err
				}
				if !sell {
					after += q
				}
			}
			s.stockChanged(ctx, l.Item, before, after)
			return nil
		})
		if err != nil {
			return fmt.Errorf("unhold %s of %s: %w", order, l.Item, err)
		}
	}
	return nil
}
