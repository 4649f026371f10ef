package stock

import (
	"context"
	"errors"
	"fmt"

	"github.com/canteen/canteen/services/internal/occ"
)

// Why holds are parts named by the record, and not one hold per order per bucket: a duplicate
// Reserve can stall after reading "no record yet" and wake after the order was reserved, paid and
// its holds sold; the hold it then takes must never be sold or kept as the order's. The bucket
// used to tell by remembering every buyer (a sold-to list rewritten on every sale, which grew
// until a busy dish hit the store's value limit). Now the record, which is per order and expires
// with its sale period, names the parts that are the order's; a late hold gets a fresh part id, so
// it is a stray whatever the bucket remembers, and the bucket keeps only live holds.

// settleHolds makes the order's holds on each item agree with its record r: parts r owns stay,
// or with sell become sales; every other part of the order goes back to available (all of them
// when r is released or sold out); and a part a reserved record names that is not in its bucket,
// which only a write of the record with its holds refused in part can leave (Reservation.Parts),
// is taken there, or ErrIncomplete when that bucket no longer has the units. Each bucket is one
// write; the whole is idempotent, so a repeat completes one killed half-way, and contenders
// deciding from the same record agree.
func (s *Service) settleHolds(ctx context.Context, r Reservation, its []Item, sell bool) error {
	incomplete := false
	for _, it := range its {
		n, err := s.bucketCount(ctx, it)
		if errors.Is(err, ErrUnknownStock) {
			continue
		}
		if err != nil {
			return err
		}
		short := false
		err = occ.Retry(ctx, func(ctx context.Context) error {
			bs, toks, err := s.repo.Buckets(ctx, it, n)
			if err != nil {
				return err
			}
			short = false
			refilled, emptied, released := false, false, int64(0)
			for i, b := range bs {
				ps := b.partsOf(r.OrderID)
				missing := r.missing(it, i, ps)
				if len(ps) == 0 && len(missing) == 0 {
					continue
				}
				nb, changed := cloneBucket(b), false
				for _, id := range sortedIDs(ps) {
					switch owned := r.owns(it, i, id); {
					case owned && sell:
						nb.sell(r.OrderID, id)
						changed = true
					case !owned:
						released += ps[id]
						nb.release(r.OrderID, id)
						changed = true
					}
				}
				for _, p := range missing {
					if nb.Available < p.Quantity {
						short = true
						continue
					}
					nb.hold(r.OrderID, p.ID, p.Quantity)
					changed = true
				}
				if !changed {
					continue
				}
				if err := s.repo.PutBucket(ctx, it, i, nb, toks[i]); err != nil {
					return err
				}
				refilled = refilled || (b.Available == 0 && nb.Available > 0)
				emptied = emptied || (b.Available > 0 && nb.Available == 0)
			}
			if refilled {
				s.refilled(ctx, it, view(it, bs).Available+released)
			}
			if emptied {
				s.emptied(ctx, it, n)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("settle holds of %s on %s: %w", r.OrderID, it, err)
		}
		incomplete = incomplete || short
	}
	if incomplete {
		return fmt.Errorf("order %s: %w", r.OrderID, ErrIncomplete)
	}
	return nil
}
