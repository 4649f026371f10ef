package stock_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// gateRepo stops one call in its tracks: the read of an item's buckets number skip (0-based)
// returns what it read only once the test opens the gate, like a request stalled in a GC pause or
// on the network while other requests of the same order run to the end.
type gateRepo struct {
	stock.Repository
	item    stock.Item
	skip    int32
	calls   atomic.Int32
	reached chan struct{}
	open    chan struct{}
}

func newGate(repo stock.Repository, it stock.Item, skip int32) *gateRepo {
	return &gateRepo{Repository: repo, item: it, skip: skip, reached: make(chan struct{}), open: make(chan struct{})}
}

func (g *gateRepo) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	bs, toks, err := g.Repository.Buckets(ctx, it, n)
	if it == g.item && g.calls.Add(1)-1 == g.skip {
		close(g.reached)
		<-g.open
	}
	return bs, toks, err
}

type result struct {
	status stock.Status
	err    error
}

// stalled starts a Reserve of lines by order o1 through gate and returns once it is stalled there.
func stalled(t *testing.T, gate *gateRepo, lines []stock.Line) <-chan result {
	t.Helper()
	s, _ := newService(t, gate)
	out := make(chan result, 1)
	go func() {
		st, err := s.Reserve(ctx, "o1", lines)
		out <- result{st, err}
	}()
	<-gate.reached
	return out
}

// A duplicate Reserve that read "no reservation yet", then stalled while the order was reserved,
// paid and confirmed, must not take a fresh hold when it wakes: the bucket remembers the sale.
func TestLateDuplicateAfterConfirmHoldsNothing(t *testing.T) {
	for _, buckets := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d buckets", buckets), func(t *testing.T) {
			mem := stocktest.NewMemory()
			s, _ := newService(t, mem)
			restock(t, s, rice, 10, buckets)
			gate := newGate(mem, rice, 0)
			late := stalled(t, gate, one(rice, 3))

			_, err := s.Reserve(ctx, "o1", one(rice, 3))
			require.NoError(t, err)
			require.NoError(t, s.Confirm(ctx, "o1"))
			close(gate.open)
			r := <-late
			require.NoError(t, r.err)
			assert.Equal(t, stock.Confirmed, r.status)

			v := view(t, s, rice)
			assert.Empty(t, v.Holds)
			assert.EqualValues(t, 3, v.Sold)
			assert.EqualValues(t, 7, v.Available)
			audit(t, mem, rice, buckets)
		})
	}
}

// The same after a cancellation: the stalled duplicate finds the released record and gives back
// what it took.
func TestLateDuplicateAfterReleaseHoldsNothing(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, mem)
	restock(t, s, rice, 10, 2)
	gate := newGate(mem, rice, 0)
	late := stalled(t, gate, one(rice, 3))

	_, err := s.Reserve(ctx, "o1", one(rice, 3))
	require.NoError(t, err)
	require.NoError(t, s.Release(ctx, "o1", nil))
	close(gate.open)
	assert.ErrorIs(t, (<-late).err, stock.ErrReleased)
	v := view(t, s, rice)
	assert.Empty(t, v.Holds)
	assert.EqualValues(t, 10, v.Available)
}

// Two duplicates of one order: the first sees soup sold out and stalls; meanwhile soup is
// restocked and the second reserves everything. The first must not give back the second's holds:
// the order is reserved, and its units must stay held.
func TestSoldOutDuplicateLeavesASuccessfulOneAlone(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, mem)
	restock(t, s, rice, 10, 1)
	restock(t, s, soup, 1, 1)
	lines := []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 2}}
	gate := newGate(mem, soup, 1) // read 0 finds the bucket count, read 1 finds soup short
	late := stalled(t, gate, lines)

	restock(t, s, soup, 10, 1)
	st, err := s.Reserve(ctx, "o1", lines)
	require.NoError(t, err)
	require.Equal(t, stock.Reserved, st)
	close(gate.open)
	r := <-late
	require.NoError(t, r.err, "the order is reserved, whoever answers")
	assert.Equal(t, stock.Reserved, r.status)
	assert.Equal(t, map[string]int64{"o1": 2}, view(t, s, rice).Holds)
	assert.Equal(t, map[string]int64{"o1": 2}, view(t, s, soup).Holds)
}

// Reserve and Release of one order racing, many times over: the release always wins in the end
// and no unit stays held.
func TestReleaseRacingReserveKeepsNothingHeld(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, slowRepo{mem})
	restock(t, s, rice, 1000, 4)
	restock(t, s, soup, 1000, 1)
	lines := []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 1}}
	for i := range 40 {
		order := fmt.Sprintf("o%d", i)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { _, _ = s.Reserve(ctx, order, lines) })
		}
		wg.Go(func() { assert.NoError(t, s.Release(ctx, order, lines)) })
		wg.Wait()
	}
	assert.Empty(t, view(t, s, rice).Holds)
	assert.Empty(t, view(t, s, soup).Holds)
	assert.EqualValues(t, 1000, view(t, s, rice).Available)
	audit(t, mem, rice, 4)
}

// Confirm racing duplicates of the order's Reserve: sold exactly once.
func TestConfirmRacingDuplicatesSellsOnce(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, slowRepo{mem})
	restock(t, s, rice, 100, 4)
	for i := range 20 {
		order := fmt.Sprintf("o%d", i)
		_, err := s.Reserve(ctx, order, one(rice, 2))
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { _, _ = s.Reserve(ctx, order, one(rice, 2)) })
		}
		wg.Go(func() { assert.NoError(t, s.Confirm(ctx, order)) })
		wg.Wait()
	}
	v := view(t, s, rice)
	assert.EqualValues(t, 40, v.Sold)
	assert.Empty(t, v.Holds)
	assert.EqualValues(t, 60, v.Available)
	audit(t, mem, rice, 4)
}

// Two duplicates of one order land in different buckets: the first found its home bucket full
// and stalled before writing elsewhere; meanwhile the home bucket got units back and the second
// reserved there. The order ends with one hold.
func TestDuplicatesInTwoBucketsKeepOneHold(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, mem)
	restock(t, s, rice, 4, 2) // two units in each bucket
	_, err := s.Reserve(ctx, "x", one(rice, 2))
	require.NoError(t, err)
	bs, _, err := mem.Buckets(ctx, rice, 2)
	require.NoError(t, err)
	full := 0
	if bs[1].Available == 0 {
		full = 1
	}
	order := "o0" // one whose home bucket (FNV-1a of the id, modulo the count) is the full one
	for i := 0; homeBucket(order, 2) != full; i++ {
		order = fmt.Sprintf("o%d", i)
	}

	gate := newGate(mem, rice, 1) // read 0 finds the bucket count, read 1 the buckets to hold in
	late, _ := newService(t, gate)
	out := make(chan error, 1)
	go func() { _, err := late.Reserve(ctx, order, one(rice, 2)); out <- err }()
	<-gate.reached
	require.NoError(t, s.Release(ctx, "x", nil))
	_, err = s.Reserve(ctx, order, one(rice, 2))
	require.NoError(t, err)
	close(gate.open)
	require.NoError(t, <-out)

	v := view(t, s, rice)
	assert.Equal(t, map[string]int64{order: 2}, v.Holds)
	assert.EqualValues(t, 2, v.Available)
	audit(t, mem, rice, 2)
}

func homeBucket(order string, n uint32) int {
	h := fnv.New32a()
	h.Write([]byte(order))
	return int(h.Sum32() % n)
}

// Confirm while racing duplicates still hold the order's units twice (the state the test above
// passes through): the part the record names is sold, the other goes back, whichever clean-up
// comes first.
func TestConfirmSellsOnlyTheRecordedParts(t *testing.T) {
	for _, first := range []string{"confirm", "tidy"} {
		t.Run(first, func(t *testing.T) {
			mem := stocktest.NewMemory()
			s, _ := newService(t, mem)
			restock(t, s, rice, 4, 2)
			bs, toks, err := mem.Buckets(ctx, rice, 2)
			require.NoError(t, err)
			for i := range bs {
				bs[i].Parts, bs[i].Available = map[string]int64{stock.PartKey("o1", fmt.Sprintf("p%d", i)): 2}, 0
				require.NoError(t, mem.PutBucket(ctx, rice, i, bs[i], toks[i]))
			}
			require.NoError(t, mem.CreateReservation(ctx, stock.Reservation{OrderID: "o1", Status: stock.Reserved, Lines: one(rice, 2),
				Parts: []stock.Part{{Item: rice, Bucket: 1, ID: "p1", Quantity: 2}}}))

			if first == "tidy" {
				_, err := s.Reserve(ctx, "o1", one(rice, 2)) // a duplicate's replay
				require.NoError(t, err)
				bs, _, err := mem.Buckets(ctx, rice, 2)
				require.NoError(t, err)
				assert.Empty(t, bs[0].Parts, "the stray part went back")
			}
			require.NoError(t, s.Confirm(ctx, "o1"))
			_, err = s.Reserve(ctx, "o1", one(rice, 2))
			require.NoError(t, err)
			require.NoError(t, s.Confirm(ctx, "o1"))
			v := view(t, s, rice)
			assert.EqualValues(t, 2, v.Sold)
			assert.EqualValues(t, 2, v.Available)
			assert.Empty(t, v.Holds)
			audit(t, mem, rice, 2)
		})
	}
}

// flakyRepo kills a share of writes: some before they reach the store, some after (the write
// stands, the caller never learns it), like a process or sidecar dying mid-operation.
type flakyRepo struct{ stock.Repository }

func (f flakyRepo) write(do func() error) error {
	switch r := rand.IntN(100); {
	case r < 4:
		return errCrash
	case r < 8:
		if err := do(); err != nil {
			return err
		}
		return errCrash
	}
	return do()
}

func (f flakyRepo) PutBucket(ctx context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	return f.write(func() error { return f.Repository.PutBucket(ctx, it, i, b, t) })
}

// PutBuckets kills each write of the bulk on its own: a bulk may land in part, and the caller
// may not learn what did.
func (f flakyRepo) PutBuckets(ctx context.Context, puts []stock.BucketPut, r *stock.Reservation) error {
	return stocktest.PutEach(ctx, f, puts, r)
}

func (f flakyRepo) CreateReservation(ctx context.Context, r stock.Reservation) error {
	return f.write(func() error { return f.Repository.CreateReservation(ctx, r) })
}

func (f flakyRepo) PutReservation(ctx context.Context, r stock.Reservation, t stock.Token) error {
	return f.write(func() error { return f.Repository.PutReservation(ctx, r, t) })
}

// Multi-unit orders split over 16 buckets, duplicated, released and confirmed at once while one
// write in twelve is killed: every bucket balances at every moment; and once each order has seen
// one more call (the retry, the repeated event), every reserved order holds exactly its lines,
// every confirmed one was sold exactly its lines, and nothing else is held.
func TestConservationUnderSplitsDuplicatesAndKills(t *testing.T) {
	mem := stocktest.NewMemory()
	healthy, _ := newService(t, mem)
	restock(t, healthy, rice, 400, 16)
	restock(t, healthy, soup, 100, 1)
	s, _ := newService(t, flakyRepo{slowRepo{mem}})
	linesOf := func(order int) []stock.Line {
		return []stock.Line{{Item: rice, Quantity: 1 + int64(order%5)*6}, {Item: soup, Quantity: 1}} // rice 1..25
	}
	const orders = 50
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 3))
			for range 40 {
				o := r.IntN(orders)
				order := fmt.Sprintf("o%d", o)
				var err error
				switch r.IntN(6) {
				case 0, 1, 2:
					_, err = s.Reserve(ctx, order, linesOf(o))
				case 3, 4:
					err = s.Release(ctx, order, linesOf(o))
				case 5:
					err = s.Confirm(ctx, order)
				}
				var so *stock.SoldOutError
				if err != nil && !errors.Is(err, errCrash) && !errors.As(err, &so) && !errors.Is(err, stock.ErrReleased) &&
					!errors.Is(err, stock.ErrConfirmed) && !errors.Is(err, stock.ErrNotFound) {
					t.Errorf("%s: %v", order, err)
				}
			}
		})
	}
	wg.Wait()
	audit(t, mem, rice, 16)
	audit(t, mem, soup, 1)

	want := map[stock.Item]map[string]int64{rice: {}, soup: {}}
	sold := map[stock.Item]int64{}
	for o := range orders {
		order := fmt.Sprintf("o%d", o)
		r, _, err := mem.Reservation(ctx, order)
		switch {
		case errors.Is(err, stock.ErrNotFound):
			require.NoError(t, healthy.Release(ctx, order, linesOf(o)))
			continue
		case err != nil:
			t.Fatal(err)
		case r.Status == stock.Reserved:
			_, err = healthy.Reserve(ctx, order, linesOf(o))
			require.NoError(t, err)
		case r.Status == stock.Confirmed:
			require.NoError(t, healthy.Confirm(ctx, order))
		default:
			_, _ = healthy.Reserve(ctx, order, linesOf(o))
		}
		for _, l := range r.Lines {
			switch r.Status {
			case stock.Reserved:
				want[l.Item][order] = l.Quantity
			case stock.Confirmed:
				sold[l.Item] += l.Quantity
			}
		}
	}
	for _, it := range []stock.Item{rice, soup} {
		v := view(t, healthy, it)
		assert.Equal(t, want[it], v.Holds, "%s: holds are exactly the reserved orders' lines", it)
		assert.Equal(t, sold[it], v.Sold, "%s: sold exactly the confirmed orders' lines", it)
	}
	audit(t, mem, rice, 16)
}
