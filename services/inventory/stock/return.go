package stock

import (
	"context"
	"errors"
	"fmt"

	"github.com/canteen/canteen/services/internal/occ"
)

// Return gives back to available everything an order holds or has sold, once: its money is being
// refunded (a paid order cancelled before the store accepted it, or a payment that lost the race
// with the order's expiry). A reserved order is simply released. A confirmed one is marked
// returning first, so that it can be neither released nor confirmed again; then each sold part
// goes back in the save of its bucket, which remembers the part (Bucket.Returns) so that a repeat
// gives it back once; then the record says returned, and a repeat from then on does nothing.
// An order with no record, or released, has nothing to give back.
func (s *Service) Return(ctx context.Context, orderID string) error {
	if err := ValidateOrderID(orderID); err != nil {
		return err
	}
	var rec Reservation
	var tok Token
	err := occ.Retry(ctx, func(ctx context.Context) error {
		r, t, err := s.repo.Reservation(ctx, orderID)
		if err != nil {
			return err
		}
		rec, tok = r, t
		if r.Status != Confirmed {
			return nil
		}
		rec.Status = Returning
		if err := s.repo.PutReservation(ctx, rec, t); err != nil {
			return err
		}
		rec, tok, err = s.repo.Reservation(ctx, orderID)
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	switch rec.Status {
	case Reserved:
		return s.Release(ctx, orderID, nil)
	case Returning:
	default:
		return nil // released, sold out or returned: nothing (more) to give back
	}
	// Any hold of the order left beside its sold parts is a stray: back it goes.
	if err := s.settleHolds(ctx, rec, items(rec.Lines, nil), false); err != nil {
		return err
	}
	if err := s.unsell(ctx, rec); err != nil {
		return err
	}
	rec.Status = Returned
	return occ.Retry(ctx, func(ctx context.Context) error {
		err := s.repo.PutReservation(ctx, rec, tok)
		if errors.Is(err, occ.ErrConflict) {
			cur, t, rerr := s.repo.Reservation(ctx, orderID)
			if rerr != nil || cur.Status == Returned {
				return rerr
			}
			rec.Status, tok = Returned, t
		}
		return err
	})
}

// unsell gives each part the record names back to available, one bucket write each.
func (s *Service) unsell(ctx context.Context, r Reservation) error {
	for _, it := range items(r.Lines, nil) {
		n, err := s.bucketCount(ctx, it)
		if err != nil {
			return err
		}
		err = occ.Retry(ctx, func(ctx context.Context) error {
			bs, toks, err := s.repo.Buckets(ctx, it, n)
			if err != nil {
				return err
			}
			for i, b := range bs {
				nb, changed := cloneBucket(b), false
				for _, p := range r.Parts {
					if p.Item == it && p.Bucket == i {
						changed = nb.unsell(PartKey(r.OrderID, p.ID), p.Quantity) || changed
					}
				}
				if !changed {
					continue
				}
				if err := s.repo.PutBucket(ctx, it, i, nb, toks[i]); err != nil {
					return err
				}
				if b.Available == 0 && nb.Available > 0 {
					s.refilled(ctx, it, view(it, bs).Available+nb.Available-b.Available)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("return the sold parts of %s on %s: %w", r.OrderID, it, err)
		}
	}
	return nil
}
