package stock

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/canteen/canteen/services/internal/occ"
)

// hold makes the order hold l.Quantity units of l.Item in one of its n buckets. The bucket is found
// by probing from one picked by the order id's hash: orders spread evenly over the buckets, while
// concurrent duplicates of one order probe the same keys and collide on their ETags. Duplicates
// can still land in different buckets (the home bucket ran short for one of them); all but the one
// that records the reservation then find the record in settle and tidy the extra hold away, so the
// common, unduplicated path spends no second read here. A line's units are not split over buckets,
// which keeps "this order holds this item" a one-bucket fact; the price is that an order can be
// told sold out while its quantity lies scattered over several buckets (hot dishes, the only
// bucketed ones, sell one or two units an order).
func (s *Service) hold(ctx context.Context, order string, l Line, n int) error {
	home := int(fnv32(order) % uint32(n))
	return occ.Retry(ctx, func(ctx context.Context) error {
		bs, toks, err := s.repo.Buckets(ctx, l.Item, n)
		if err != nil {
			return err
		}
		if keeper(bs, order) >= 0 { // held (or bought) by an earlier or concurrent call
			return s.dedupe(ctx, l.Item, order, bs, toks)
		}
		v := view(l.Item, bs)
		if v.Available < l.Quantity {
			if v.Available == 0 {
				s.sawSoldOut(l.Item)
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
			if b.Available == 0 {
				s.emptied(ctx, l.Item, n)
			}
			return nil
		}
		return &SoldOutError{Item: l.Item}
	})
}

// tidy leaves the order at most one hold of the item (see dedupe), reading the buckets afresh.
func (s *Service) tidy(ctx context.Context, order string, it Item) error {
	n, err := s.bucketCount(ctx, it)
	if errors.Is(err, ErrUnknownStock) || n == 1 {
		return nil // one bucket holds an order once: a second hold there would have met its ETag
	}
	if err != nil {
		return err
	}
	return occ.Retry(ctx, func(ctx context.Context) error {
		bs, toks, err := s.repo.Buckets(ctx, it, n)
		if err != nil {
			return err
		}
		return s.dedupe(ctx, it, order, bs, toks)
	})
}

// dedupe returns every hold of the order on this item except the keeper's (duplicates that raced
// into different buckets each took one), one write at a time: every contender decides the same
// from the same state, and one deciding from a stale state meets an ETag conflict. It answers
// occ.ErrConflict after a write so that the caller reads again until one claim is left.
func (s *Service) dedupe(ctx context.Context, it Item, order string, bs []Bucket, toks []Token) error {
	k := keeper(bs, order)
	for i, b := range bs {
		if _, held := b.Holds[order]; !held || i == k {
			continue
		}
		b = cloneBucket(b)
		b.release(order)
		if err := s.repo.PutBucket(ctx, it, i, b, toks[i]); err != nil {
			return err
		}
		return occ.ErrConflict
	}
	return nil
}

// keeper is the bucket whose claim of the order on an item stands: the one where its units were
// sold, else the lowest one holding them; -1 when the order has no claim. Release, confirmation
// and de-duplication all follow it, so they agree on which of two racing holds is the real one.
func keeper(bs []Bucket, order string) int {
	k := -1
	for i, b := range bs {
		if _, sold := b.SoldTo[order]; sold {
			return i
		}
		if k < 0 && b.claims(order) {
			k = i
		}
	}
	return k
}

// unholdAll removes the order's holds on every line: to sold (sell, on confirmation) for the
// keeper's hold, to available for any other. Idempotent: a line with no hold is left alone, and a
// bucket that already sold to the order is never sold to again.
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
			k := keeper(bs, order)
			refilled, released := false, int64(0)
			for i, b := range bs {
				q, held := b.Holds[order]
				if !held {
					continue
				}
				b = cloneBucket(b)
				if sell && i == k {
					b.sell(order)
				} else {
					refilled, released = refilled || b.Available == 0, released+q
					b.release(order)
				}
				if err := s.repo.PutBucket(ctx, l.Item, i, b, toks[i]); err != nil {
					return err
				}
			}
			if refilled {
				s.refilled(ctx, l.Item, view(l.Item, bs).Available+released)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("unhold %s of %s: %w", order, l.Item, err)
		}
	}
	return nil
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
