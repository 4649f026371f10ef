package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/menu/catalog"
)

func TestTheKitchenLoadFollowsTheLatestAnnouncementBySeq(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
	busy := catalog.KitchenLoad{Busy: true, Wait: 25 * time.Minute, Seq: 2, At: t0}
	calm := catalog.KitchenLoad{Wait: 8 * time.Minute, Seq: 3, At: t0.Add(time.Minute)}
	var s catalog.Store
	for _, c := range []struct {
		name    string
		in      catalog.KitchenLoad
		changed bool
		want    catalog.KitchenLoad
	}{
		{"the first", busy, true, busy},
		{"a repeat", busy, false, busy},
		{"a newer one", calm, true, calm},
		{"an older one, arriving late", busy, false, calm},
		{"an older one with a later time", catalog.KitchenLoad{Busy: true, Seq: 1, At: t0.Add(time.Hour)}, false, calm},
	} {
		assert.Equal(t, c.changed, s.ApplyLoad(c.in), c.name)
		assert.Equal(t, c.want, s.Kitchen, c.name)
	}
	assert.True(t, busy.Slow())
	assert.True(t, catalog.KitchenLoad{OverCapacity: true}.Slow(), "at its limit, a kitchen is slow too")
	assert.False(t, calm.Slow())
}

func TestAKitchenLoadShowsOnTheMenuAtOnceAndSurvivesAStaffEdit(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(time.Hour)
	st, err := svc.CreateStore(ctx, catalog.StoreInput{Name: "North", Zone: "A"})
	require.NoError(t, err)
	_, err = svc.Menu(ctx, st.ID) // cached
	require.NoError(t, err)

	load := catalog.KitchenLoad{Busy: true, Wait: 25 * time.Minute, Seq: 1, At: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)}
	require.NoError(t, svc.ApplyLoad(ctx, st.ID, load))
	m, err := svc.Menu(ctx, st.ID)
	require.NoError(t, err)
	assert.Equal(t, load, m.Store.Kitchen, "applying forgets this replica's cached menu")

	edited, err := svc.UpdateStore(ctx, st.ID, 1, catalog.StoreInput{Name: "North", Zone: "B"})
	require.NoError(t, err)
	assert.Equal(t, load, edited.Kitchen, "the kitchen's load is not staff's to overwrite")
	assert.EqualValues(t, 2, edited.Version)
	again, err := svc.Store(ctx, st.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 2, again.Version, "a load does not make a staff edit stale")

	assert.NoError(t, svc.ApplyLoad(ctx, "nowhere", load), "a store the menu does not know: nothing to do, nothing to retry")
}
