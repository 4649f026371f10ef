package catalog_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/menu/catalog"
	"github.com/canteen/canteen/services/menu/catalog/catalogtest"
)

// countingRepo counts menu loads, to see what the cache saves.
type countingRepo struct {
	*catalogtest.Memory
	storeReads atomic.Int64
}

func (r *countingRepo) Store(ctx context.Context, id string) (catalog.Store, catalog.Token, error) {
	r.storeReads.Add(1)
	return r.Memory.Store(ctx, id)
}

func newService(ttl time.Duration) (*catalog.Service, *countingRepo) {
	var n atomic.Int64
	repo := &countingRepo{Memory: catalogtest.NewMemory()}
	return catalog.NewService(repo, func() string { return fmt.Sprintf("id%d", n.Add(1)) }, ttl), repo
}

func TestMenuGroupsByCategoryInOrderOfAddition(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(time.Minute)
	s, err := svc.CreateStore(ctx, catalog.StoreInput{Name: "North", Zone: "n"})
	require.NoError(t, err)
	for _, d := range []catalog.DishInput{{"Rice A", "Rice", 100, "", false}, {"Soup", "Soups", 200, "", false}, {"Rice B", "Rice", 300, "", false}} {
		_, err := svc.CreateDish(ctx, s.ID, d)
		require.NoError(t, err)
	}
	m, err := svc.Menu(ctx, s.ID)
	require.NoError(t, err)
	require.Len(t, m.Categories, 2)
	assert.Equal(t, "Rice", m.Categories[0].Name)
	assert.Equal(t, []string{"Rice A", "Rice B"}, []string{m.Categories[0].Dishes[0].Name, m.Categories[0].Dishes[1].Name})
	assert.Equal(t, "Soups", m.Categories[1].Name)
}

func TestMenuCacheServesRepeatsAndForgetsOnWrite(t *testing.T) {
	ctx := context.Background()
	svc, repo := newService(time.Hour)
	s, err := svc.CreateStore(ctx, catalog.StoreInput{Name: "North", Zone: "n"})
	require.NoError(t, err)
	d, err := svc.CreateDish(ctx, s.ID, catalog.DishInput{Name: "Rice", Category: "Rice", PriceCents: 100})
	require.NoError(t, err)

	_, err = svc.Menu(ctx, s.ID)
	require.NoError(t, err)
	before := repo.storeReads.Load()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { _, err := svc.Menu(ctx, s.ID); assert.NoError(t, err) })
	}
	wg.Wait()
	assert.Equal(t, before, repo.storeReads.Load(), "repeat reads within the TTL must not touch the store")

	// A write through this service is visible at once, cache or not.
	_, err = svc.UpdateDish(ctx, s.ID, d.ID, d.Version, catalog.DishInput{Name: "Rice", Category: "Rice", PriceCents: 150})
	require.NoError(t, err)
	m, err := svc.Menu(ctx, s.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 150, m.Categories[0].Dishes[0].PriceCents)
}

func TestMenuCacheExpires(t *testing.T) {
	ctx := context.Background()
	svc, repo := newService(0) // every read is past its TTL
	s, err := svc.CreateStore(ctx, catalog.StoreInput{Name: "North", Zone: "n"})
	require.NoError(t, err)
	before := repo.storeReads.Load()
	for range 3 {
		_, err := svc.Menu(ctx, s.ID)
		require.NoError(t, err)
	}
	assert.Equal(t, before+3, repo.storeReads.Load())
}

func TestUnknownStoreAndDish(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(time.Minute)
	_, err := svc.Menu(ctx, "nope")
	assert.ErrorIs(t, err, catalog.ErrNotFound)
	_, err = svc.CreateDish(ctx, "nope", catalog.DishInput{Name: "x", Category: "c", PriceCents: 1})
	assert.ErrorIs(t, err, catalog.ErrNotFound)
	_, err = svc.Dish(ctx, "nope", "nope")
	assert.ErrorIs(t, err, catalog.ErrNotFound)
}

// Concurrent dish creation contends on the store's dish list; none may be lost.
func TestConcurrentDishCreationKeepsEveryDish(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(0)
	s, err := svc.CreateStore(ctx, catalog.StoreInput{Name: "North", Zone: "n"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			_, err := svc.CreateDish(ctx, s.ID, catalog.DishInput{Name: fmt.Sprint("dish", i), Category: "c", PriceCents: 100})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	m, err := svc.Menu(ctx, s.ID)
	require.NoError(t, err)
	require.Len(t, m.Categories, 1)
	assert.Len(t, m.Categories[0].Dishes, 30)
}
