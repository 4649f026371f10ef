package stock_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

var errCrash = errors.New("process killed")

// crashingRepo lets the first `writes` writes through, then fails every call, like a process
// killed at that instruction: what was written stays, nothing after it happens.
type crashingRepo struct {
	stock.Repository
	writes int
}

func (c *crashingRepo) write() error {
	if c.writes <= 0 {
		return errCrash
	}
	c.writes--
	return nil
}

func (c *crashingRepo) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	if c.writes <= 0 {
		return nil, nil, errCrash
	}
	return c.Repository.Buckets(ctx, it, n)
}

func (c *crashingRepo) Reservation(ctx context.Context, order string) (stock.Reservation, stock.Token, error) {
	if c.writes <= 0 {
		return stock.Reservation{}, "", errCrash
	}
	return c.Repository.Reservation(ctx, order)
}

func (c *crashingRepo) PutBucket(ctx context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	if err := c.write(); err != nil {
		return err
	}
	return c.Repository.PutBucket(ctx, it, i, b, t)
}

// PutBuckets lets each write of the bulk through while writes remain: a kill lands part of it.
func (c *crashingRepo) PutBuckets(ctx context.Context, puts []stock.BucketPut, r *stock.Reservation) error {
	return stocktest.PutEach(ctx, c, puts, r)
}

func (c *crashingRepo) CreateReservation(ctx context.Context, r stock.Reservation) error {
	if err := c.write(); err != nil {
		return err
	}
	return c.Repository.CreateReservation(ctx, r)
}

func (c *crashingRepo) Prepare(ctx context.Context, order string, its []stock.Item, counts []int) (stock.Prepared, error) {
	if c.writes <= 0 {
		return stock.Prepared{}, errCrash
	}
	return c.Repository.Prepare(ctx, order, its, counts)
}

func (c *crashingRepo) Restocked(ctx context.Context, it stock.Item, id string) (bool, error) {
	if c.writes <= 0 {
		return false, errCrash
	}
	return c.Repository.Restocked(ctx, it, id)
}

func (c *crashingRepo) PutRestocked(ctx context.Context, it stock.Item, id string) error {
	if err := c.write(); err != nil {
		return err
	}
	return c.Repository.PutRestocked(ctx, it, id)
}

func (c *crashingRepo) PutReservation(ctx context.Context, r stock.Reservation, t stock.Token) error {
	if err := c.write(); err != nil {
		return err
	}
	return c.Repository.PutReservation(ctx, r, t)
}

// killedAtEveryWrite runs setup on a fresh store, then op killed after 0, 1, 2... writes until op
// gets through, handing each state to check with a service as restarted on the same store.
func killedAtEveryWrite(t *testing.T, setup func(*stock.Service), op func(*stock.Service) error, check func(t *testing.T, restarted *stock.Service, mem *stocktest.Memory)) {
	t.Helper()
	for writes := 0; ; writes++ {
		require.Less(t, writes, 50, "op never finished")
		mem := stocktest.NewMemory()
		s, _ := newService(t, mem)
		setup(s)
		crashing, _ := newService(t, &crashingRepo{Repository: mem, writes: writes})
		err := op(crashing)
		restarted, _ := newService(t, mem)
		t.Run("", func(t *testing.T) { check(t, restarted, mem) })
		if !errors.Is(err, errCrash) {
			return
		}
	}
}

var order2 = []stock.Line{{Item: rice, Quantity: 3}, {Item: soup, Quantity: 2}}

func stockBoth(s *stock.Service) {
	_, _ = s.Restock(ctx, rice, 10, "r", 2)
	_, _ = s.Restock(ctx, soup, 10, "s", 1)
}

// orderSplit's rice (7 units) fits no bucket of stockSplit's (3, 3, 2, 2): it is held in three
// parts, three writes, each a place to be killed.
var orderSplit = []stock.Line{{Item: rice, Quantity: 7}, {Item: soup, Quantity: 2}}

func stockSplit(s *stock.Service) {
	_, _ = s.Restock(ctx, rice, 10, "r", 4)
	_, _ = s.Restock(ctx, soup, 10, "s", 1)
}

// stockSingle gives each item one bucket: a warm replica then writes the holds and the record in
// one call, which a kill can land in part, the record first (stocktest.PutEach).
func stockSingle(s *stock.Service) {
	_, _ = s.Restock(ctx, rice, 10, "r", 1)
	_, _ = s.Restock(ctx, soup, 10, "s", 1)
}

// warm: the killed replica knows the items' bucket counts, so it holds every item in one write
// (holdAll), which a kill can land in part.
var crashCases = []struct {
	name    string
	setup   func(*stock.Service)
	lines   []stock.Line
	buckets int
	warm    bool
}{
	{"a line in one bucket", stockBoth, order2, 2, false},
	{"a line split over buckets", stockSplit, orderSplit, 4, false},
	{"a line in one bucket, every item in one write", stockBoth, order2, 2, true},
	{"a line split over buckets, every item in one write", stockSplit, orderSplit, 4, true},
	{"one bucket each, the holds and the record in one write", stockSingle, order2, 1, true},
}

// reserveO1 reserves the case's lines for order o1, on a replica that first learns the items'
// bucket counts when the case is warm.
func reserveO1(lines []stock.Line, warm bool) func(*stock.Service) error {
	return func(s *stock.Service) error {
		if warm {
			_, _ = s.View(ctx, rice)
			_, _ = s.View(ctx, soup)
		}
		_, err := s.Reserve(ctx, "o1", lines)
		return err
	}
}

// A reservation killed anywhere is completed by a retry (the client repeats it)...
func TestKilledReservationIsCompletedByARetry(t *testing.T) {
	for _, tc := range crashCases {
		t.Run(tc.name, func(t *testing.T) {
			killedAtEveryWrite(t, tc.setup, reserveO1(tc.lines, tc.warm),
				func(t *testing.T, s *stock.Service, mem *stocktest.Memory) {
					_, err := s.Reserve(ctx, "o1", tc.lines)
					require.NoError(t, err)
					assert.Equal(t, map[string]int64{"o1": tc.lines[0].Quantity}, view(t, s, rice).Holds)
					assert.Equal(t, map[string]int64{"o1": 2}, view(t, s, soup).Holds)
					audit(t, mem, rice, tc.buckets)
				})
		})
	}
}

// ...or undone by a release (the order expired): never a unit lost or doubled.
func TestKilledReservationIsUndoneByARelease(t *testing.T) {
	for _, tc := range crashCases {
		t.Run(tc.name, func(t *testing.T) {
			killedAtEveryWrite(t, tc.setup, reserveO1(tc.lines, tc.warm),
				func(t *testing.T, s *stock.Service, mem *stocktest.Memory) {
					require.NoError(t, s.Release(ctx, "o1", tc.lines))
					assert.EqualValues(t, 10, view(t, s, rice).Available)
					assert.EqualValues(t, 10, view(t, s, soup).Available)
					_, err := s.Reserve(ctx, "o1", tc.lines)
					assert.ErrorIs(t, err, stock.ErrReleased)
					assert.EqualValues(t, 10, view(t, s, rice).Available)
					audit(t, mem, rice, tc.buckets)
				})
		})
	}
}

// A sold-out reservation killed while giving back what it held: its retry gives back the rest.
func TestKilledSoldOutReservationGivesBackOnRetry(t *testing.T) {
	setup := func(s *stock.Service) {
		_, _ = s.Restock(ctx, rice, 10, "r", 2)
		_, _ = s.Restock(ctx, soup, 1, "s", 1)
	}
	killedAtEveryWrite(t, setup, func(s *stock.Service) error { _, err := s.Reserve(ctx, "o1", order2); return err },
		func(t *testing.T, s *stock.Service, mem *stocktest.Memory) {
			_, err := s.Reserve(ctx, "o1", order2)
			var so *stock.SoldOutError
			require.ErrorAs(t, err, &so)
			assert.Empty(t, view(t, s, rice).Holds)
			assert.EqualValues(t, 10, view(t, s, rice).Available)
		})
}

func TestKilledReleaseIsCompletedByARepeat(t *testing.T) {
	setup := func(s *stock.Service) { stockBoth(s); _, _ = s.Reserve(ctx, "o1", order2) }
	killedAtEveryWrite(t, setup, func(s *stock.Service) error { return s.Release(ctx, "o1", nil) },
		func(t *testing.T, s *stock.Service, mem *stocktest.Memory) {
			require.NoError(t, s.Release(ctx, "o1", nil))
			assert.EqualValues(t, 10, view(t, s, rice).Available)
			assert.EqualValues(t, 10, view(t, s, soup).Available)
		})
}

func TestKilledConfirmationIsCompletedByARepeatAndSellsOnce(t *testing.T) {
	for _, tc := range crashCases {
		t.Run(tc.name, func(t *testing.T) {
			setup := func(s *stock.Service) { tc.setup(s); _, _ = s.Reserve(ctx, "o1", tc.lines) }
			killedAtEveryWrite(t, setup, func(s *stock.Service) error { return s.Confirm(ctx, "o1") },
				func(t *testing.T, s *stock.Service, mem *stocktest.Memory) {
					require.NoError(t, s.Confirm(ctx, "o1"))
					require.NoError(t, s.Confirm(ctx, "o1"))
					assert.Equal(t, tc.lines[0].Quantity, view(t, s, rice).Sold)
					assert.EqualValues(t, 2, view(t, s, soup).Sold)
					assert.Empty(t, view(t, s, rice).Holds)
					audit(t, mem, rice, tc.buckets)
				})
		})
	}
}

func TestKilledRestockIsCompletedByARepeatAndAddsOnce(t *testing.T) {
	killedAtEveryWrite(t, func(*stock.Service) {}, func(s *stock.Service) error { _, err := s.Restock(ctx, rice, 10, "r1", 4); return err },
		func(t *testing.T, s *stock.Service, mem *stocktest.Memory) {
			_, err := s.Restock(ctx, rice, 10, "r1", 4)
			require.NoError(t, err)
			v := view(t, s, rice)
			assert.EqualValues(t, 10, v.Restocked)
			assert.Equal(t, 4, v.Buckets)
		})
}

// A duplicate Reserve that stalled past the order's release, took a hold and was killed before
// noticing the release: the next Reserve or Release of the order gives the hold back.
func TestHoldLeftByAKilledLateDuplicateIsGivenBack(t *testing.T) {
	for _, then := range []string{"reserve", "release"} {
		t.Run(then, func(t *testing.T) {
			mem := stocktest.NewMemory()
			s, _ := newService(t, mem)
			restock(t, s, rice, 10, 1)
			crashing := &crashingRepo{Repository: mem, writes: 1} // the hold, then killed
			gate := newGate(crashing, rice, 0)
			late := stalled(t, gate, one(rice, 3))
			require.NoError(t, s.Release(ctx, "o1", one(rice, 3)))
			close(gate.open)
			require.ErrorIs(t, (<-late).err, errCrash)
			require.Equal(t, map[string]int64{"o1": 3}, view(t, s, rice).Holds, "the leak this test is about")

			if then == "reserve" {
				_, err := s.Reserve(ctx, "o1", one(rice, 3))
				assert.ErrorIs(t, err, stock.ErrReleased)
			} else {
				require.NoError(t, s.Release(ctx, "o1", one(rice, 3)))
			}
			assert.Empty(t, view(t, s, rice).Holds)
			assert.EqualValues(t, 10, view(t, s, rice).Available)
		})
	}
}
