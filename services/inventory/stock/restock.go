package stock

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/canteen/canteen/services/internal/occ"
)

// Restock adds qty units, spread evenly over the item's buckets, and returns the item's stock.
// The first restock fixes the number of buckets (buckets, or DefaultBuckets when 0); later ones
// keep it whatever they ask. Each bucket records the restock id with its share, so that an
// interrupted restock is completed by repeating it, each bucket adding its share once; a bucket
// remembers only its last RecentRestocks ids (its value stays small), so a completed restock is
// recorded on its own key as well, and a repeat of it, however late, adds nothing.
func (s *Service) Restock(ctx context.Context, it Item, qty int64, restockID string, buckets int) (View, error) {
	if err := ValidateItem("item", it); err != nil {
		return View{}, err
	}
	switch {
	case qty < 1 || qty > MaxRestock:
		return View{}, invalid("quantity", "must be between 1 and %d", MaxRestock)
	case !idPattern.MatchString(restockID):
		return View{}, invalid("restock_id", "must be 1-64 letters, digits, '-' or '_'")
	case buckets < 0 || buckets > MaxBuckets:
		return View{}, invalid("buckets", "must be between 1 and %d", MaxBuckets)
	}
	// Indexed before any unit is added: the reconciler finds an item's holds only through it.
	if err := s.index(ctx, it); err != nil {
		return View{}, err
	}
	if done, err := s.repo.Restocked(ctx, it, restockID); err != nil {
		return View{}, err
	} else if done {
		return s.View(ctx, it)
	}
	n, err := s.bucketCount(ctx, it)
	if errors.Is(err, ErrUnknownStock) {
		n, err = max(buckets, DefaultBuckets), nil
	}
	if err != nil {
		return View{}, err
	}
	var before int64
	// Bucket 0 goes first and carries the count: until it is saved no other bucket is written, so
	// two first restocks racing with different counts settle on whichever saved bucket 0 first.
	for i := 0; i < n; i++ {
		err := occ.Retry(ctx, func(ctx context.Context) error {
			bs, toks, err := s.repo.Buckets(ctx, it, n)
			if err != nil {
				return err
			}
			if i == 0 {
				if stored := bs[0].Buckets; stored != 0 && stored != n {
					n = stored
					return occ.ErrConflict // read again with the count that stands
				}
				before = view(it, bs).Available
			}
			b := cloneBucket(bs[i])
			if slices.Contains(b.Restocks, restockID) {
				return nil
			}
			share := qty/int64(n) + boolInt(int64(i) < qty%int64(n))
			b.Restocks = append(b.Restocks, restockID)
			b.Restocks = b.Restocks[max(0, len(b.Restocks)-RecentRestocks):]
			b.Restocked += share
			b.Available += share
			if i == 0 {
				b.Buckets = n
			}
			return s.repo.PutBucket(ctx, it, i, b, toks[i])
		})
		if err != nil {
			return View{}, fmt.Errorf("restock %s bucket %d: %w", it, i, err)
		}
	}
	if err := s.repo.PutRestocked(ctx, it, restockID); err != nil {
		return View{}, fmt.Errorf("record restock %s of %s: %w", restockID, it, err)
	}
	v, err := s.View(ctx, it)
	if err != nil {
		return View{}, err
	}
	if before == 0 && v.Available > 0 {
		s.refilled(ctx, it, v.Available)
	}
	return v, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
