package stock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/canteen/canteen/services/internal/event"
)

// Token is the store's concurrency token (a Dapr ETag) for a record as it was read; "" for a record
// that does not exist yet.
type Token string

// Repository is where buckets, reservation records and restock records live. Puts return
// occ.ErrConflict when the token is stale; every write is one key, so each is atomic on any state
// store (PutBuckets is several such writes in one call). Records that have a natural end
// (reservations, restock records) may expire some days after their sale period; buckets do not.
type Repository interface {
	// Buckets reads buckets 0..n-1 of an item in one call; an absent bucket is the zero Bucket.
	Buckets(ctx context.Context, it Item, n int) ([]Bucket, []Token, error)
	// PutBucket writes bucket i if t is its current token, or, with t "", if it does not exist.
	PutBucket(ctx context.Context, it Item, i int, b Bucket, t Token) error
	// Reservation reads an order's reservation record; ErrNotFound when there is none.
	Reservation(ctx context.Context, orderID string) (Reservation, Token, error)
	// CreateReservation writes r only if the order has no record yet; occ.ErrConflict otherwise.
	CreateReservation(ctx context.Context, r Reservation) error
	// PutReservation updates a record read with token t.
	PutReservation(ctx context.Context, r Reservation, t Token) error
	// PutBuckets writes several buckets in one call, each checked against its own token as
	// PutBucket would, and, with r, the order's record as CreateReservation would. Stores differ
	// in whether the other writes land when one is refused (each on its own on Redis, all or
	// none on PostgreSQL): any refusal or fault fails the call without saying which landed, and
	// the caller reads again.
	PutBuckets(ctx context.Context, puts []BucketPut, r *Reservation) error
	// Prepare reads, in one round trip, an order's reservation record and buckets
	// 0..counts[k]-1 of each item its[k] (its may be empty).
	Prepare(ctx context.Context, orderID string, its []Item, counts []int) (Prepared, error)
	// Restocked reports whether the restock of the item with this id was completed.
	Restocked(ctx context.Context, it Item, restockID string) (bool, error)
	// PutRestocked records that the restock of the item with this id was completed.
	PutRestocked(ctx context.Context, it Item, restockID string) error

	// The reconciler's index and state (reconcile*.go): the store cannot list keys, so restock
	// records which items exist, by sale date, and the sweep keeps what it must remember between
	// runs. Each is one key read with its token and written like a bucket ("" writes a new key).

	// IndexedDates reads the sale dates that have restocked items; none when never written.
	IndexedDates(ctx context.Context) ([]IndexedDate, Token, error)
	// PutIndexedDates writes the list of dates if t is its current token ("" for a new list).
	PutIndexedDates(ctx context.Context, dates []IndexedDate, t Token) error
	// IndexedItems reads the items restocked for a sale date ("2026-11-25"); none when never written.
	IndexedItems(ctx context.Context, date string) ([]Item, Token, error)
	// PutIndexedItems writes a date's items if t is their current token ("" for a new list).
	PutIndexedItems(ctx context.Context, date string, items []Item, t Token) error
	// SweepState reads the reconciler's state; the zero SweepState when never written.
	SweepState(ctx context.Context) (SweepState, Token, error)
	// PutSweepState writes the reconciler's state if t is its current token ("" for a new one).
	PutSweepState(ctx context.Context, st SweepState, t Token) error
}

// Prepared is what a Reserve starts from: the order's record, nil when the order has none, and per
// item asked its buckets with their tokens, as Buckets would read them.
type Prepared struct {
	Reservation *Reservation
	Buckets     [][]Bucket
	Tokens      [][]Token
}

// BucketPut is one write of PutBuckets: bucket Index of Item, if Token is its current token ("" for
// a new bucket).
type BucketPut struct {
	Item   Item
	Index  int
	Bucket Bucket
	Token  Token
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
	// a unit released within that window; it never sells one that is not there, and it answers
	// only an order seen holding nothing, never a resumed one.
	soldOutFor time.Duration

	mu      sync.Mutex
	buckets map[Item]int       // bucket counts never change after the first restock
	soldOut map[Item]time.Time // when this replica last saw the item at zero
	gates   map[Item]chan struct{}
}

// NewService returns a Service; soldOutFor may be 0 to always ask the store.
func NewService(repo Repository, pub Publisher, log *slog.Logger, soldOutFor time.Duration) *Service {
	return &Service{repo: repo, pub: pub, log: log, soldOutFor: soldOutFor, buckets: map[Item]int{}, soldOut: map[Item]time.Time{}, gates: map[Item]chan struct{}{}}
}

// enter admits a hold of an item with n buckets, at most max(1, n/2) at a time in this replica,
// and returns the function that lets the next one in, and whether this one had to wait.
// Unbounded, a flash sale's hundreds of concurrent holds collided on a hot item's few buckets
// until some ran out of ETag retries and were told "unavailable" while units remained; at half
// the buckets a hold mostly meets a bucket nobody else is writing, and one that waits has a
// queue, not a race, in front of it. Other replicas still contend through the ETags.
func (s *Service) enter(ctx context.Context, it Item, n int) (leave func(), waited bool, err error) {
	if leave, ok := s.tryEnter(it, n); ok {
		return leave, false, nil
	}
	g := s.gate(it, n)
	select {
	case g <- struct{}{}:
		return func() { <-g }, true, nil
	case <-ctx.Done():
		return nil, true, ctx.Err()
	}
}

// tryEnter is enter without the wait: ok is false, and nothing is entered, when the item's gate
// is full.
func (s *Service) tryEnter(it Item, n int) (leave func(), ok bool) {
	g := s.gate(it, n)
	select {
	case g <- struct{}{}:
		return func() { <-g }, true
	default:
		return nil, false
	}
}

// gate is the item's gate, made at its first hold in this replica.
func (s *Service) gate(it Item, n int) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.gates[it]
	if !ok {
		g = make(chan struct{}, max(1, n/2))
		s.gates[it] = g
	}
	return g
}

// knownCount returns the item's bucket count if this replica has learnt it.
func (s *Service) knownCount(it Item) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.buckets[it]
	return n, ok
}

// bucketCount returns how many buckets the item has; ErrUnknownStock if it was never restocked.
func (s *Service) bucketCount(ctx context.Context, it Item) (int, error) {
	if n, ok := s.knownCount(it); ok {
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

// View returns an item's stock with every hold; ErrNotFound if it was never restocked.
func (s *Service) View(ctx context.Context, it Item) (View, error) {
	n, err := s.bucketCount(ctx, it)
	if errors.Is(err, ErrUnknownStock) {
		return View{}, fmt.Errorf("stock of %s: %w", it, ErrNotFound)
	}
	if err != nil {
		return View{}, err
	}
	bs, _, err := s.repo.Buckets(ctx, it, n)
	if err != nil {
		return View{}, err
	}
	return view(it, bs), nil
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

func (s *Service) sawSoldOut(it Item) {
	s.mu.Lock()
	s.soldOut[it] = time.Now()
	s.mu.Unlock()
}
