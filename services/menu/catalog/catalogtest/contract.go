package catalogtest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/menu/catalog"
)

// RunRepositoryContract checks the rules catalog relies on from any Repository: absent records are
// ErrNotFound, records read back as written, and a write with a stale token is refused.
func RunRepositoryContract(t *testing.T, repo catalog.Repository) {
	ctx := context.Background()
	newStore := func(t *testing.T) catalog.Store {
		s, err := catalog.NewStore(uuid.NewString(), catalog.StoreInput{Name: "Contract", Zone: "z"})
		require.NoError(t, err)
		return s
	}

	t.Run("absent store is ErrNotFound", func(t *testing.T) {
		_, _, err := repo.Store(ctx, uuid.NewString())
		assert.ErrorIs(t, err, catalog.ErrNotFound)
	})

	t.Run("created store reads back with a token", func(t *testing.T) {
		s := newStore(t)
		s.DishIDs = []string{"a", "b"}
		s.Kitchen = catalog.KitchenLoad{Busy: true, OverCapacity: true, Wait: 25 * time.Minute, Seq: 3, At: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)}
		require.NoError(t, repo.PutStore(ctx, s, ""))
		got, tok, err := repo.Store(ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, s, got)
		assert.NotEmpty(t, tok)
	})

	t.Run("stale token is a conflict, current token writes", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, repo.PutStore(ctx, s, ""))
		_, first, err := repo.Store(ctx, s.ID)
		require.NoError(t, err)
		s.Name = "Second"
		require.NoError(t, repo.PutStore(ctx, s, first))
		s.Name = "Lost update"
		assert.ErrorIs(t, repo.PutStore(ctx, s, first), occ.ErrConflict)
		got, _, err := repo.Store(ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, "Second", got.Name)
	})

	t.Run("dishes: stale token refused, bulk read in order skipping absent ones", func(t *testing.T) {
		storeID := uuid.NewString()
		var ids []string
		for _, name := range []string{"one", "two", "three"} {
			d, err := catalog.NewDish(storeID, uuid.NewString(), catalog.DishInput{Name: name, Category: "c", PriceCents: 100})
			require.NoError(t, err)
			require.NoError(t, repo.PutDish(ctx, d, ""))
			ids = append(ids, d.ID)
		}
		d, tok, err := repo.Dish(ctx, storeID, ids[0])
		require.NoError(t, err)
		d.PriceCents = 200
		require.NoError(t, repo.PutDish(ctx, d, tok))
		d.PriceCents = 300
		assert.ErrorIs(t, repo.PutDish(ctx, d, tok), occ.ErrConflict)

		got, err := repo.Dishes(ctx, storeID, []string{ids[2], "absent", ids[0]})
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, ids[2], got[0].ID)
		assert.Equal(t, ids[0], got[1].ID)
		assert.EqualValues(t, 200, got[1].PriceCents)
	})
}
