package stock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// Token is the store's concurrency token (a Dapr ETag) for a record as it was read; "" for a record
// that does not exist yet.
type Token string

// Repository is where buckets and reservation records live. Puts return occ.ErrConflict when the
// token is stale; every write is one key, so each is atomic on any state store.
type Repository interface {
	// Buckets reads buckets 0..n-1 of an item in one call; an absent bucket is the zero Bucket.
	Buckets(ctx context.Context, it Item, n int) ([]Bucket, []Token, error)
	PutBucket(ctx context.Context, it Item, i int, b Bucket, t Token) error
	// Reservation reads an order's reservation record; ErrNotFound when there is none.
	Reservation(ctx context.Context, orderID string) (Reservation, Token, error)
	// CreateReservation writes r only if the order has no record yet; occ.ErrConflict otherwise.
	CreateReservation(ctx context.Context, r Reservation) error
	PutReservation(ctx context.Context, r Reservation, t Token) error
}

// Publisher tells other services about stock changes.
type Publisher interface {
	Publish(ctx context.Context, e event.Stock) error
}

// Service is the inventory use cases.
type Service struct {
	repo Repository
	pub  Publisher
	log  *slog.Logger
	// soldOutFor is how long a replica answers "sold out" for an item it just saw at zero without
	// asking the store: during a flash sale's sold-out storm this spares the hot key. It may refuse
	// a unit released within that window; it never sells one that is not there.
	soldOutFor time.Duration

	mu      sync.Mutex
	buckets map[Item]int       // bucket counts never change after the first restock
	soldOut map[Item]time.Time // when this replica last saw the item at zero
}

// NewService returns a Service; soldOutFor may be 0 to always ask the store.
func NewService(repo Repository, pub Publisher, log *slog.Logger, soldOutFor time.Duration) *Service {
	return &Service{repo: repo, pub: pub, log: log, soldOutFor: soldOutFor, buckets: map[Item]int{}, soldOut: map[Item]time.Time{}}
}

// bucketCount returns how many buckets the item has; ErrUnknownStock if it was never restocked.
func (s *Service) bucketCount(ctx context.Context, it Item) (int, error) {
	s.mu.Lock()
	n, ok := s.buckets[it]
	s.mu.Unlock()
	if ok {
		return n, nil
	}
	bs, _, err := s.repo.Buckets(ctx, it, 1)
	if err != nil {
		return 0, err
	}
	if bs[0].Buckets == 0 {
		return 0, ErrUnknownStock
	}
	s.mu.Lock()
	s.buckets[it] = bs[0].Buckets
	s.mu.Unlock()
	return bs[0].Buckets, nil
}

// View returns an item's stock with every hold.
func (s *Service) View(ctx context.Context, it Item) (View, error) {
	n, err := s.bucketCount(ctx, it)
	if err != nil {
		return View{}, err
	}
	bs, _, err := s.repo.Buckets(ctx, it, n)
	if err != nil {
		return View{}, err
	}
	return view(it, bs), nil
}

// Restock adds qty units, spread over the item's buckets. The first restock fixes the number of
// buckets (buckets, or 1 when 0). Each bucket records the restock id with its share, so a repeated
// restock adds nothing and an interrupted one is completed by repeating it.
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
	n, err := s.bucketCount(ctx, it)
	if errors.Is(err, ErrUnknownStock) {
		n, err = max(buckets, DefaultBuckets), nil
	}
	if err != nil {
		return View{}, err
	}
	var before, after int64
	for i := range n {
		share := qty/int64(n) + boolInt(int64(i) < qty%int64(n))
		err := occ.Retry(ctx, func(ctx context.Context) error {
			bs, toks, err := s.repo.Buckets(ctx, it, n)
			if err != nil {
				return err
			}
			if i == 0 {
				before = view(it, bs).Available
			}
			b := bs[i]
			if slices.Contains(b.Restocks, restockID) {
				return nil
			}
			b.Restocks = append(append([]string(nil), b.Restocks...), restockID)
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
	v, err := s.View(ctx, it)
	if err != nil {
		return View{}, err
	}
	after = v.Available
	s.stockChanged(ctx, it, before, after)
	return v, nil
}

// stockChanged forgets a sold-out memo and tells the menu when availability crossed zero. The
// event follows the saved change rather than being part of it: it is a hint the menu applies by
// time, and a lost one is corrected by the next change; it is never what keeps stock correct.
func (s *Service) stockChanged(ctx context.Context, it Item, before, after int64) {
	typ := ""
	switch {
	case before > 0 && after == 0:
		typ = event.StockDepleted
	case before == 0 && after > 0:
		typ = event.StockReplenished
		s.mu.Lock()
		delete(s.soldOut, it)
		s.mu.Unlock()
	default:
		return
	}
	e := event.Stock{Type: typ, StoreID: it.StoreID, DishID: it.DishID, Period: it.Period, Available: after, At: time.Now().UTC()}
	if err := s.pub.Publish(context.WithoutCancel(ctx), e); err != nil {
		s.log.Warn("stock event not published", "type", typ, "item", it.String(), "err", err)
	}
}

func (s *Service) recentlySoldOut(it Item) bool {
	if s.soldOutFor <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.soldOut[it]
	return ok && time.Since(t) < s.soldOutFor
}

// sawSoldOut records that the item was seen at zero and reports whether that is news to this
// replica (no memo of it within soldOutFor).
func (s *Service) sawSoldOut(it Item) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, seen := s.soldOut[it]
	s.soldOut[it] = time.Now()
	return !seen || time.Since(t) >= s.soldOutFor
}

func cloneBucket(b Bucket) Bucket {
	b.Holds = maps.Clone(b.Holds)
	return b
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
