package stock

import (
	"context"
	"errors"

	"github.com/canteen/canteen/services/internal/occ"
)

// Release returns an order's held units to available, once (the order was cancelled or expired).
// The record says released first, so that a Reserve of the order from then on holds nothing (one
// already under way returns what it took when it finds the record); then the holds go. A crash in
// between leaves a released record with holds, which a repeated Release or Reserve of the order
// removes. lines are used when the order has no record (a reservation that never got as far as
// recording, or none at all: the record then is a tombstone that refuses a late Reserve); the
// record's own lines are used when it has one, and the holds on lines' items are settled too (a
// killed call of another body of the order may have held an item the record does not name).
// ErrConfirmed: the units are sold.
func (s *Service) Release(ctx context.Context, orderID string, lines []Line) error {
	if err := ValidateOrderID(orderID); err != nil {
		return err
	}
	var rec Reservation
	err := occ.Retry(ctx, func(ctx context.Context) error {
		r, tok, err := s.repo.Reservation(ctx, orderID)
		switch {
		case errors.Is(err, ErrNotFound):
			ls, err := ValidateLines(lines)
			if err != nil {
				return err
			}
			rec = Reservation{OrderID: orderID, Status: Released, Lines: ls, Digest: digest(ls)}
			return s.repo.CreateReservation(ctx, rec)
		case err != nil:
			return err
		case r.Status == Confirmed:
			return ErrConfirmed
		}
		rec = r
		if r.Status != Reserved {
			return nil // released already, or sold out (final, and holding nothing once settled)
		}
		rec.Status = Released
		return s.repo.PutReservation(ctx, rec, tok)
	})
	if err != nil {
		return err
	}
	return s.settleHolds(ctx, rec, items(rec.Lines, lines), false)
}

// Confirm turns an order's held units into sold ones, once (on payment). The record says confirmed
// first, so that the order can no longer be released, then each part the record names becomes a
// sale, in the save that removes it from its bucket (any other hold of the order goes back):
// repeating Confirm completes an interrupted one and never sells twice, since a sold part is gone
// and a hold taken later has another part id. ErrReleased: the order was released first;
// *SoldOutError: it was never reserved for lack of stock; ErrNotFound: never reserved.
func (s *Service) Confirm(ctx context.Context, orderID string) error {
	return s.confirm(ctx, orderID, nil)
}

// confirm is Confirm that also settles the order's holds on the items of held, which its record
// may not name (the reconciler's repair: a stray of a killed call of another body).
func (s *Service) confirm(ctx context.Context, orderID string, held []Line) error {
	if err := ValidateOrderID(orderID); err != nil {
		return err
	}
	var rec Reservation
	err := occ.Retry(ctx, func(ctx context.Context) error {
		r, tok, err := s.repo.Reservation(ctx, orderID)
		if err != nil {
			return err
		}
		rec = r
		switch r.Status {
		case Confirmed:
			return nil
		case Reserved:
			rec.Status = Confirmed
			return s.repo.PutReservation(ctx, rec, tok)
		default:
			_, err := outcome(r)
			return err
		}
	})
	if err != nil {
		return err
	}
	return s.settleHolds(ctx, rec, items(rec.Lines, held), true)
}
