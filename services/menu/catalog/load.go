package catalog

import (
	"context"
	"time"
)

// KitchenLoad is a store's load as its kitchen last announced it (the kitchen's store load events):
// staff switched the kitchen busy, or it has as many open tickets as its limit, and the wait
// for an order placed now. The store still takes orders, unlike Store.Busy. It is the kitchen's,
// not staff's, so it is not part of the store's Version. Seq orders the announcements; the zero
// KitchenLoad is a store the kitchen has said nothing of.
type KitchenLoad struct {
	Busy         bool
	OverCapacity bool
	Wait         time.Duration
	Seq          int64
	At           time.Time
}

// Slow reports whether customers are told to expect a longer wait: busy, or at the limit.
func (l KitchenLoad) Slow() bool { return l.Busy || l.OverCapacity }

// ApplyLoad takes l as the store's load when it is newer than the one it has, and reports whether
// it did: a repeated or late announcement (Seq not above the current one) changes nothing.
func (s *Store) ApplyLoad(l KitchenLoad) bool {
	if l.Seq <= s.Kitchen.Seq {
		return false
	}
	s.Kitchen = l
	return true
}

// ApplyLoad records the kitchen's announcement of a store's load; a store this service does not
// know is not an error.
func (s *Service) ApplyLoad(ctx context.Context, storeID string, l KitchenLoad) error {
	return s.applyEvent(ctx, storeID, func(ctx context.Context) error {
		st, tok, err := s.repo.Store(ctx, storeID)
		if err != nil || !st.ApplyLoad(l) {
			return err
		}
		return s.repo.PutStore(ctx, st, tok)
	})
}
