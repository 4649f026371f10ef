package sidecar_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/inventory/sidecar"
	"github.com/canteen/canteen/services/inventory/stock"
)

func dial(t *testing.T) dapr.Client {
	t.Helper()
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("inventory").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	t.Cleanup(func() { dc.Close() })
	return dc
}

// Reservation records (also one written with its holds) and restock records expire on the real store Keep after their sale
// period (here long past), also after an update; buckets, which are the stock, do not.
func TestRecordsOfAPastSalePeriodExpire(t *testing.T) {
	ctx := context.Background()
	repo := &sidecar.Repository{Client: dial(t), StateStore: "statestore", Keep: 2 * time.Second}
	it := stock.Item{StoreID: "ttl-" + uuid.NewString()[:8], DishID: "rice", Period: "2026-11-25.lunch"}
	lines := []stock.Line{{Item: it, Quantity: 1}}
	order, held := uuid.NewString(), uuid.NewString()
	require.NoError(t, repo.PutBucket(ctx, it, 0, stock.Bucket{Restocked: 1, Available: 1, Buckets: 1}, ""))
	bs, toks, err := repo.Buckets(ctx, it, 1)
	require.NoError(t, err)
	require.NoError(t, repo.PutBuckets(ctx, []stock.BucketPut{{Item: it, Bucket: bs[0], Token: toks[0]}},
		&stock.Reservation{OrderID: held, Status: stock.Reserved, Lines: lines, Digest: "d"}))
	require.NoError(t, repo.CreateReservation(ctx, stock.Reservation{OrderID: order, Status: stock.Reserved, Lines: lines, Digest: "d"}))
	r, tok, err := repo.Reservation(ctx, order)
	require.NoError(t, err)
	r.Status = stock.Released
	require.NoError(t, repo.PutReservation(ctx, r, tok), "an update sets the time to live again")
	require.NoError(t, repo.PutRestocked(ctx, it, "r1"))

	p, err := repo.Prepare(ctx, order, nil, nil)
	require.NoError(t, err)
	require.NotNil(t, p.Reservation)
	q, err := repo.Prepare(ctx, held, nil, nil)
	require.NoError(t, err)
	require.NotNil(t, q.Reservation)
	require.Eventually(t, func() bool {
		p, err := repo.Prepare(ctx, order, nil, nil)
		q, qerr := repo.Prepare(ctx, held, nil, nil)
		done, derr := repo.Restocked(ctx, it, "r1")
		return err == nil && qerr == nil && derr == nil && p.Reservation == nil && q.Reservation == nil && !done
	}, 20*time.Second, 250*time.Millisecond)
	bs, _, err = repo.Buckets(ctx, it, 1)
	require.NoError(t, err)
	assert.EqualValues(t, 1, bs[0].Restocked, "a bucket does not expire")
}

// A sale period still to come keeps its records until Keep after it.
func TestRecordsOfAComingSalePeriodStay(t *testing.T) {
	ctx := context.Background()
	repo := &sidecar.Repository{Client: dial(t), StateStore: "statestore", Keep: time.Second}
	tomorrow := time.Now().UTC().Add(24*time.Hour).Format("2006-01-02") + ".lunch"
	it := stock.Item{StoreID: "ttl-" + uuid.NewString()[:8], DishID: "rice", Period: tomorrow}
	order := uuid.NewString()
	require.NoError(t, repo.CreateReservation(ctx, stock.Reservation{OrderID: order, Status: stock.Reserved, Lines: []stock.Line{{Item: it, Quantity: 1}}}))
	time.Sleep(3 * time.Second)
	_, _, err := repo.Reservation(ctx, order)
	assert.NoError(t, err)
}

// A dish's bucket on the real store after many sales and restocks: its stored value does not grow
// with them (it used to keep every buyer and every restock id, and a dish hit daprd's 4 MB limit
// after about 110,000 sales).
func TestStoredBucketStaysSmallAfterManySales(t *testing.T) {
	ctx := context.Background()
	dc := dial(t)
	repo := &sidecar.Repository{Client: dc, StateStore: "statestore"}
	svc := stock.NewService(repo, repo, slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	it := stock.Item{StoreID: "size-" + uuid.NewString()[:8], DishID: "rice", Period: period}
	stored := func() int {
		x, err := dc.GetState(ctx, "statestore", fmt.Sprintf("stock:%s:%s:%s:0", it.StoreID, it.DishID, it.Period), nil)
		require.NoError(t, err)
		return len(x.Value)
	}
	var atWindow int
	for i := range 600 {
		if i%25 == 0 {
			_, err := svc.Restock(ctx, it, 25, fmt.Sprintf("restock-%03d", i/25), 1)
			require.NoError(t, err)
		}
		order := fmt.Sprintf("%s-%04d", it.StoreID, i)
		_, err := svc.Reserve(ctx, order, []stock.Line{{Item: it, Quantity: 1}})
		require.NoError(t, err)
		require.NoError(t, svc.Confirm(ctx, order))
		if i == 16*25 { // as many restock ids as a bucket keeps
			atWindow = stored()
		}
	}
	size := stored()
	assert.LessOrEqual(t, size, atWindow+4, "after 600 sales and 24 restocks, against 400 and 17")
	assert.Less(t, size, 1024)
	v, err := svc.View(ctx, it)
	require.NoError(t, err)
	assert.EqualValues(t, 600, v.Sold)
	assert.EqualValues(t, 0, v.Available)
}
