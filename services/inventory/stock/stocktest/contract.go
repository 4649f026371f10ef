package stocktest

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/inventory/stock"
)

// RunRepositoryContract checks what stock relies on from any Repository: buckets and records read
// back as written, a stale token is refused, and writing as new a bucket or reservation record
// that exists is refused (occ.ErrConflict, whatever error the store itself reports).
func RunRepositoryContract(t *testing.T, repo stock.Repository) {
	ctx := context.Background()
	item := func() stock.Item {
		return stock.Item{StoreID: uuid.NewString(), DishID: "d", Period: "2026-11-25.lunch"}
	}

	t.Run("absent buckets read as zero with no token", func(t *testing.T) {
		bs, toks, err := repo.Buckets(ctx, item(), 3)
		require.NoError(t, err)
		assert.Equal(t, make([]stock.Bucket, 3), bs)
		assert.Equal(t, make([]stock.Token, 3), toks)
	})

	t.Run("bucket round trip; stale token refused", func(t *testing.T) {
		it := item()
		b := stock.Bucket{
			Restocked: 10, Sold: 2, Available: 5, Parts: map[string]int64{stock.PartKey("o1", "p1"): 1, stock.PartKey("o1", "p2"): 2},
			Restocks: []string{"r1"}, Returns: []string{stock.PartKey("o0", "p1")}, Buckets: 2,
		}
		require.NoError(t, repo.PutBucket(ctx, it, 1, b, ""))
		bs, toks, err := repo.Buckets(ctx, it, 2)
		require.NoError(t, err)
		assert.Equal(t, b, bs[1])
		require.NotEmpty(t, toks[1])
		bs[1].Available = 6
		require.NoError(t, repo.PutBucket(ctx, it, 1, bs[1], toks[1]))
		assert.ErrorIs(t, repo.PutBucket(ctx, it, 1, bs[1], toks[1]), occ.ErrConflict)
	})

	t.Run("buckets written together, each with its token; a stale one fails the call", func(t *testing.T) {
		a, b := item(), item()
		require.NoError(t, repo.PutBucket(ctx, a, 0, stock.Bucket{Restocked: 5, Available: 5, Buckets: 2}, ""))
		require.NoError(t, repo.PutBucket(ctx, b, 1, stock.Bucket{Restocked: 7, Available: 7, Buckets: 2}, ""))
		as, atoks, err := repo.Buckets(ctx, a, 2)
		require.NoError(t, err)
		bs, btoks, err := repo.Buckets(ctx, b, 2)
		require.NoError(t, err)
		as[0].Available, bs[1].Available = 4, 6
		require.NoError(t, repo.PutBuckets(ctx, []stock.BucketPut{{Item: a, Index: 0, Bucket: as[0], Token: atoks[0]}, {Item: b, Index: 1, Bucket: bs[1], Token: btoks[1]}}, nil))
		as2, atoks2, err := repo.Buckets(ctx, a, 2)
		require.NoError(t, err)
		bs2, _, err := repo.Buckets(ctx, b, 2)
		require.NoError(t, err)
		assert.EqualValues(t, 4, as2[0].Available)
		assert.EqualValues(t, 6, bs2[1].Available)

		// b's token is stale now: the call fails, and b's bucket keeps the write that stood
		as2[0].Available, bs[1].Available = 3, 1
		assert.Error(t, repo.PutBuckets(ctx, []stock.BucketPut{{Item: a, Index: 0, Bucket: as2[0], Token: atoks2[0]}, {Item: b, Index: 1, Bucket: bs[1], Token: btoks[1]}}, nil))
		bs3, _, err := repo.Buckets(ctx, b, 2)
		require.NoError(t, err)
		assert.EqualValues(t, 6, bs3[1].Available)
	})

	// Two first writers of one bucket (two first restocks, or two holds on a bucket read as
	// absent): the second must not overwrite the first.
	t.Run("writing a bucket as new where it exists is refused", func(t *testing.T) {
		it := item()
		require.NoError(t, repo.PutBucket(ctx, it, 0, stock.Bucket{Restocked: 5, Available: 5, Buckets: 1}, ""))
		err := repo.PutBucket(ctx, it, 0, stock.Bucket{Restocked: 9, Available: 9, Buckets: 1}, "")
		assert.ErrorIs(t, err, occ.ErrConflict)
		bs, _, err := repo.Buckets(ctx, it, 1)
		require.NoError(t, err)
		assert.EqualValues(t, 5, bs[0].Restocked)
	})

	t.Run("reservation record: created once, then guarded by its token", func(t *testing.T) {
		_, _, err := repo.Reservation(ctx, uuid.NewString())
		assert.ErrorIs(t, err, stock.ErrNotFound)

		it := item()
		r := stock.Reservation{OrderID: uuid.NewString(), Status: stock.SoldOut, Lines: []stock.Line{{Item: it, Quantity: 2}}, Digest: "d1", SoldOut: it}
		require.NoError(t, repo.CreateReservation(ctx, r))
		assert.ErrorIs(t, repo.CreateReservation(ctx, stock.Reservation{OrderID: r.OrderID, Status: stock.Released}), occ.ErrConflict)
		got, tok, err := repo.Reservation(ctx, r.OrderID)
		require.NoError(t, err)
		assert.Equal(t, r, got)
		got.Status, got.SoldOut = stock.Released, stock.Item{}
		got.Parts = []stock.Part{{Item: it, Bucket: 3, ID: "p1", Quantity: 2}}
		require.NoError(t, repo.PutReservation(ctx, got, tok))
		assert.ErrorIs(t, repo.PutReservation(ctx, got, tok), occ.ErrConflict)
		again, _, err := repo.Reservation(ctx, r.OrderID)
		require.NoError(t, err)
		assert.Equal(t, got, again)
	})

	t.Run("a record written with its holds: read back by Prepare; where one exists, the call fails", func(t *testing.T) {
		order, it := uuid.NewString(), item()
		require.NoError(t, repo.PutBucket(ctx, it, 0, stock.Bucket{Restocked: 5, Available: 5, Buckets: 1}, ""))
		p, err := repo.Prepare(ctx, order, []stock.Item{it}, []int{1})
		require.NoError(t, err)
		assert.Nil(t, p.Reservation)
		b := p.Buckets[0][0]
		b.Available, b.Parts = 3, map[string]int64{stock.PartKey(order, "p1"): 2}
		lines := []stock.Line{{Item: it, Quantity: 2}}
		rec := stock.Reservation{OrderID: order, Status: stock.Reserved, Lines: lines, Digest: "d1",
			Parts: []stock.Part{{Item: it, Bucket: 0, ID: "p1", Quantity: 2}}}
		require.NoError(t, repo.PutBuckets(ctx, []stock.BucketPut{{Item: it, Index: 0, Bucket: b, Token: p.Tokens[0][0]}}, &rec))
		p, err = repo.Prepare(ctx, order, []stock.Item{it}, []int{1})
		require.NoError(t, err)
		require.NotNil(t, p.Reservation)
		assert.Equal(t, rec, *p.Reservation)
		assert.Equal(t, b, p.Buckets[0][0])

		// the same record again, with a bucket token that is current: the record refuses it
		other := rec
		other.Digest = "d2"
		b.Available = 1
		assert.Error(t, repo.PutBuckets(ctx, []stock.BucketPut{{Item: it, Index: 0, Bucket: b, Token: p.Tokens[0][0]}}, &other))
		got, _, err := repo.Reservation(ctx, order)
		require.NoError(t, err)
		assert.Equal(t, rec, got, "the first record stands")
	})

	t.Run("prepare: the items' buckets as Buckets reads them, with the record", func(t *testing.T) {
		order, a, b := uuid.NewString(), item(), item()
		require.NoError(t, repo.PutBucket(ctx, a, 1, stock.Bucket{Restocked: 5, Available: 5}, ""))
		require.NoError(t, repo.PutBucket(ctx, b, 0, stock.Bucket{Restocked: 3, Available: 3, Buckets: 1}, ""))
		p, err := repo.Prepare(ctx, order, []stock.Item{a, b}, []int{3, 1})
		require.NoError(t, err)
		assert.Nil(t, p.Reservation)
		require.Len(t, p.Buckets, 2)
		for k, it := range []stock.Item{a, b} {
			bs, toks, err := repo.Buckets(ctx, it, len(p.Buckets[k]))
			require.NoError(t, err)
			assert.Equal(t, bs, p.Buckets[k], "item %d", k)
			assert.Equal(t, toks, p.Tokens[k], "item %d", k)
		}
		assert.EqualValues(t, 5, p.Buckets[0][1].Available)
		assert.Empty(t, p.Tokens[0][0], "an absent bucket has no token")
		assert.EqualValues(t, 3, p.Buckets[1][0].Available)
		// the tokens are the ones writes check
		bk := p.Buckets[0][1]
		bk.Available--
		require.NoError(t, repo.PutBucket(ctx, a, 1, bk, p.Tokens[0][1]))
		assert.ErrorIs(t, repo.PutBucket(ctx, a, 1, bk, p.Tokens[0][1]), occ.ErrConflict)
	})

	t.Run("restock record: absent until put, put twice is fine", func(t *testing.T) {
		it := item()
		done, err := repo.Restocked(ctx, it, "r1")
		require.NoError(t, err)
		assert.False(t, done)
		require.NoError(t, repo.PutRestocked(ctx, it, "r1"))
		require.NoError(t, repo.PutRestocked(ctx, it, "r1"))
		done, err = repo.Restocked(ctx, it, "r1")
		require.NoError(t, err)
		assert.True(t, done)
		done, err = repo.Restocked(ctx, item(), "r1")
		require.NoError(t, err)
		assert.False(t, done, "per item")
	})
}
