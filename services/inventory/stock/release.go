package stock

import (
	"context"
	"errors"

	"github.com/canteen/canteen/services/internal/occ"
)

// Release returns an order's held units to available, once: the record says released first (so a
// late Reserve of the order answers ErrReleased), then the holds go. Repeating it completes an
// interrupted release and changes nothing otherwise. lines are used when the order has no record
// (a reservation that crashed before recording); the record's own lines win when there is one.
// ErrConfirmed: the units are sold.
func (s *Service) Release(ctx context.Context, orderID string, lines []Line) error {
	if err := ValidateOrderID(orderID); err != nil {
		return err
	}
	var toRelease []Line
	err := occ.Retry(ctx, func(ctx context.Context) error {
		r, tok, err := s.repo.Reservation(ctx, orderID)
		switch {
		case errors.Is(err, ErrNotFound):
			if lines, err = ValidateLines(lines); err != nil {
				return err
			}
			toRelease = lines
			return s.repo.CreateReservation(ctx, Reservation{OrderID: orderID, Status: Released, Lines: lines})
		case err != nil:
			return err
		case r.Status == Confirmed:
			return ErrConfirmed
		}
		toRelease = r.Lines
		if r.Status == Released {
			return nil
		}
		r.Status = Released
		return s.repo.PutReservation(ctx, r, tok)
	})
	if err != nil {
		return err
	}
	return s.unholdAll(ctx, orderID, toRelease, false)
}

// Confirm turns an order's held units into sold ones, once (on payment). Repeating it completes an
// interrupted confirmation. ErrReleased: the order was released first; ErrNotFound: never reserved.
func (s *Service) Confirm(ctx context.Context, orderID string) error {
	if err := ValidateOrderID(orderID); err != nil {
		return err
	}
	var lines []Line
	err := occ.Retry(ctx, func(ctx context.Context) error {
		r, tok, err := s.repo.Reservation(ctx, orderID)
		if err != nil {
			return err
		}
		lines = r.Lines
		switch r.Status {
		case Confirmed:
			return nil
		case Reserved:
			r.Status = Confirmed
			return s.repo.PutReservation(ctx, r, tok)
		default:
			return ErrReleased
		}
	})
	if err != nil {
		return err
	}
	return s.unholdAll(ctx, orderID, lines, true)
}
