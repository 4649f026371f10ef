package stock_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// opsRepo counts repository calls; in the sidecar repository each is one call to the sidecar on
// the paths counted here (a bulk read of all of an item's buckets is one call).
type opsRepo struct {
	stock.Repository
	ops atomic.Int64
}

func (o *opsRepo) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	o.ops.Add(1)
	return o.Repository.Buckets(ctx, it, n)
}

func (o *opsRepo) PutBucket(ctx context.Context, it stock.Item, i int, b stock.Bucket, t stock.Token) error {
	o.ops.Add(1)
	return o.Repository.PutBucket(ctx, it, i, b, t)
}

func (o *opsRepo) PutBuckets(ctx context.Context, puts []stock.BucketPut, r *stock.Reservation) error {
	o.ops.Add(1)
	return o.Repository.PutBuckets(ctx, puts, r)
}

func (o *opsRepo) Reservation(ctx context.Context, order string) (stock.Reservation, stock.Token, error) {
	o.ops.Add(1)
	return o.Repository.Reservation(ctx, order)
}

func (o *opsRepo) CreateReservation(ctx context.Context, r stock.Reservation) error {
	o.ops.Add(1)
	return o.Repository.CreateReservation(ctx, r)
}

func (o *opsRepo) Prepare(ctx context.Context, order string, its []stock.Item, counts []int) (stock.Prepared, error) {
	o.ops.Add(1)
	return o.Repository.Prepare(ctx, order, its, counts)
}

func (o *opsRepo) Restocked(ctx context.Context, it stock.Item, id string) (bool, error) {
	o.ops.Add(1)
	return o.Repository.Restocked(ctx, it, id)
}

func (o *opsRepo) PutRestocked(ctx context.Context, it stock.Item, id string) error {
	o.ops.Add(1)
	return o.Repository.PutRestocked(ctx, it, id)
}

func (o *opsRepo) PutReservation(ctx context.Context, r stock.Reservation, t stock.Token) error {
	o.ops.Add(1)
	return o.Repository.PutReservation(ctx, r, t)
}

// The store round trips a Reserve costs once the replica knows the items' bucket counts: one read
// of the record and every item's buckets together, then, when every item has one bucket, one
// write of the holds of every item with the record, or, with bucketed items, that write and the
// record's creation after it. A sold-out attempt costs the read and the record.
// They are what the flash-sale throughput is made of, so a change to them shows here.
func TestStoreOperationsPerReserve(t *testing.T) {
	cases := []struct {
		name    string
		buckets int
		lines   []stock.Line
		soupQty int64
		ops     int64
	}{
		{"one item, plain", 1, one(rice, 1), 100, 2},
		{"one item, 16 buckets", 16, one(rice, 1), 100, 3},
		{"two items, plain", 1, []stock.Line{{Item: rice, Quantity: 1}, {Item: soup, Quantity: 1}}, 100, 2},
		{"two items, 16 buckets", 16, []stock.Line{{Item: rice, Quantity: 1}, {Item: soup, Quantity: 1}}, 100, 3},
		// 16 buckets of 6 or 7 units: 20 units are split over the three fullest (three writes),
		// which they leave empty, so the item's total is read again to see whether it ran out
		{"one item split over buckets", 16, one(rice, 20), 100, 6},
		{"sold out on the first item", 1, one(soup, 1), 0, 2},
		// rice held, soup short: after the sold-out record rice is read again and given back
		{"sold out on the second item", 1, []stock.Line{{Item: rice, Quantity: 1}, {Item: soup, Quantity: 2}}, 1, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo := &opsRepo{Repository: stocktest.NewMemory()}
			s, _ := newService(t, repo)
			restock(t, s, rice, 100, tc.buckets)
			if tc.soupQty > 0 {
				restock(t, s, soup, tc.soupQty, tc.buckets)
			} else {
				restock(t, s, soup, 1, tc.buckets)
				_, err := s.Reserve(ctx, "first", one(soup, 1))
				require.NoError(t, err)
			}
			_, _ = s.View(ctx, rice) // the replica learns the bucket counts
			_, _ = s.View(ctx, soup)

			before := repo.ops.Load()
			_, err := s.Reserve(ctx, "o1", tc.lines)
			if tc.soupQty <= 1 {
				var so *stock.SoldOutError
				require.ErrorAs(t, err, &so)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.ops, repo.ops.Load()-before)
		})
	}
}

// landsFirstOnly is a store on which a bulk write of buckets lands its first write and is refused
// for the rest, as when another hold took the second bucket in between.
type landsFirstOnly struct{ stock.Repository }

func (l landsFirstOnly) PutBuckets(ctx context.Context, puts []stock.BucketPut, _ *stock.Reservation) error {
	if err := l.PutBucket(ctx, puts[0].Item, puts[0].Index, puts[0].Bucket, puts[0].Token); err != nil {
		return err
	}
	return occ.ErrConflict
}

// A write of all the lines' holds refused in part is finished line by line: the hold that landed
// is adopted, not taken twice, and the order holds exactly its lines.
func TestHoldsOfAllLinesRefusedInPartAreFinishedLineByLine(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, landsFirstOnly{mem})
	restock(t, s, rice, 10, 4)
	restock(t, s, soup, 10, 4)
	_, _ = s.View(ctx, rice)
	_, _ = s.View(ctx, soup)
	st, err := s.Reserve(ctx, "o1", []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 1}})
	require.NoError(t, err)
	assert.Equal(t, stock.Reserved, st)
	assert.EqualValues(t, 2, view(t, s, rice).Holds["o1"])
	assert.EqualValues(t, 1, view(t, s, soup).Holds["o1"])
	audit(t, mem, rice, 4)
	audit(t, mem, soup, 4)
}

// A replica that just saw the dish sold out answers a fresh order (its read shows it holds
// nothing) with the one read of its record and buckets, writing nothing.
func TestStoreOperationsOfAnAttemptAnsweredByTheMemo(t *testing.T) {
	repo := &opsRepo{Repository: stocktest.NewMemory()}
	s := stock.NewService(repo, &stocktest.Events{}, quiet, time.Hour)
	restock(t, s, soup, 1, 16)
	_, err := s.Reserve(ctx, "first", one(soup, 1))
	require.NoError(t, err)
	before := repo.ops.Load()
	_, err = s.Reserve(ctx, "o1", one(soup, 1))
	var so *stock.SoldOutError
	require.ErrorAs(t, err, &so)
	assert.EqualValues(t, 1, repo.ops.Load()-before)
}

// countingRepo counts bucket reads.
type countingRepo struct {
	stock.Repository
	bucketReads atomic.Int64
}

func (c *countingRepo) Buckets(ctx context.Context, it stock.Item, n int) ([]stock.Bucket, []stock.Token, error) {
	c.bucketReads.Add(1)
	return c.Repository.Buckets(ctx, it, n)
}

// landsRecordOnly is a store on which a write of holds with the order's record lands the record
// and is refused for the holds, as when another order's hold took a bucket in between; before
// answering, it runs meanwhile (another order's doing) on the store.
type landsRecordOnly struct {
	stock.Repository
	meanwhile func()
}

func (l landsRecordOnly) PutBuckets(ctx context.Context, puts []stock.BucketPut, r *stock.Reservation) error {
	if r == nil {
		return l.Repository.PutBuckets(ctx, puts, nil)
	}
	if err := l.CreateReservation(ctx, *r); err != nil {
		return err
	}
	if l.meanwhile != nil {
		l.meanwhile()
	}
	return occ.ErrConflict
}

// A record that stands while the holds written with it did not land: the call reads it back and
// takes the holds it names, so the order is answered reserved holding exactly its lines, and a
// confirmation sells exactly those.
func TestHoldsThatDidNotLandWithTheirRecordAreTakenBeforeTheAnswer(t *testing.T) {
	mem := stocktest.NewMemory()
	s, _ := newService(t, landsRecordOnly{Repository: mem})
	restock(t, s, rice, 10, 1)
	restock(t, s, soup, 10, 1)
	lines := []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 1}}
	st, err := s.Reserve(ctx, "o1", lines)
	require.NoError(t, err)
	assert.Equal(t, stock.Reserved, st)
	assert.Equal(t, map[string]int64{"o1": 2}, view(t, s, rice).Holds)
	assert.Equal(t, map[string]int64{"o1": 1}, view(t, s, soup).Holds)
	require.NoError(t, s.Confirm(ctx, "o1"))
	assert.EqualValues(t, 2, view(t, s, rice).Sold)
	assert.EqualValues(t, 1, view(t, s, soup).Sold)
	audit(t, mem, rice, 1)
	audit(t, mem, soup, 1)
}

// The same when another order took the units in between: the order is not answered reserved
// (ErrIncomplete), another body of it is still refused as one, nothing is oversold, and its
// release gives back whatever it holds.
func TestHoldsThatCannotBeTakenAfterTheirRecordLeaveTheOrderUnanswered(t *testing.T) {
	mem := stocktest.NewMemory()
	other, _ := newService(t, mem)
	s, _ := newService(t, landsRecordOnly{Repository: mem, meanwhile: func() {
		_, err := other.Reserve(ctx, "o2", one(rice, 2))
		require.NoError(t, err)
	}})
	restock(t, s, rice, 2, 1)
	restock(t, s, soup, 10, 1)
	lines := []stock.Line{{Item: rice, Quantity: 2}, {Item: soup, Quantity: 1}}
	_, err := s.Reserve(ctx, "o1", lines)
	require.ErrorIs(t, err, stock.ErrIncomplete)
	assert.Equal(t, map[string]int64{"o2": 2}, view(t, s, rice).Holds)
	_, err = s.Reserve(ctx, "o1", one(soup, 3))
	assert.ErrorIs(t, err, stock.ErrLinesMismatch)
	_, err = s.Reserve(ctx, "o1", lines)
	require.ErrorIs(t, err, stock.ErrIncomplete, "a retry cannot take units that are not there")

	require.NoError(t, s.Release(ctx, "o1", nil))
	assert.Empty(t, view(t, s, soup).Holds)
	assert.EqualValues(t, 10, view(t, s, soup).Available)
	_, err = s.Reserve(ctx, "o1", lines)
	assert.ErrorIs(t, err, stock.ErrReleased)
	audit(t, mem, rice, 1)
	audit(t, mem, soup, 1)
}
