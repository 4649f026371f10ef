package catalog

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDishInputValidation(t *testing.T) {
	ok := DishInput{Name: "Rice", Category: "Mains", PriceCents: 1200, ImageURL: "https://img.example/rice.jpg"}
	cases := []struct {
		name  string
		edit  func(*DishInput)
		field string
	}{
		{"valid", func(*DishInput) {}, ""},
		{"no image", func(in *DishInput) { in.ImageURL = "" }, ""},
		{"no name", func(in *DishInput) { in.Name = "" }, "name"},
		{"long category", func(in *DishInput) { in.Category = strings.Repeat("c", MaxCategoryLen+1) }, "category"},
		{"zero price", func(in *DishInput) { in.PriceCents = 0 }, "price_cents"},
		{"negative price", func(in *DishInput) { in.PriceCents = -5 }, "price_cents"},
		{"huge price", func(in *DishInput) { in.PriceCents = MaxPriceCents + 1 }, "price_cents"},
		{"top price", func(in *DishInput) { in.PriceCents = MaxPriceCents }, ""},
		{"relative image", func(in *DishInput) { in.ImageURL = "/rice.jpg" }, "image_url"},
		{"script image", func(in *DishInput) { in.ImageURL = "javascript:alert(1)" }, "image_url"},
		{"long image", func(in *DishInput) { in.ImageURL = "https://x/" + strings.Repeat("a", MaxURLLen) }, "image_url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			err := in.Validate()
			if tc.field == "" {
				assert.NoError(t, err)
				return
			}
			var inv *InvalidError
			require.ErrorAs(t, err, &inv)
			assert.Equal(t, tc.field, inv.Field)
		})
	}
}

func TestDishUpdateNeedsTheCurrentVersion(t *testing.T) {
	d, err := NewDish("s1", "d1", DishInput{Name: "Rice", Category: "Mains", PriceCents: 1200})
	require.NoError(t, err)
	_, err = d.Update(0, DishInput{Name: "Rice", Category: "Mains", PriceCents: 1})
	assert.ErrorIs(t, err, ErrStale)
	next, err := d.Update(1, DishInput{Name: "Rice", Category: "Mains", PriceCents: 1300, SoldOut: true})
	require.NoError(t, err)
	assert.Equal(t, Dish{ID: "d1", StoreID: "s1", Name: "Rice", Category: "Mains", PriceCents: 1300, SoldOut: true, Version: 2}, next)
}

func TestApplyStockIgnoresOldAndRepeatedEvents(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 11, 50, 0, 0, time.UTC)
	d := Dish{Version: 3}
	steps := []struct {
		name       string
		outOfStock bool
		at         time.Time
		changed    bool
		want       bool
	}{
		{"depleted", true, t0, true, true},
		{"same event again", true, t0, false, true},
		{"older replenishment", false, t0.Add(-time.Second), false, true},
		{"newer replenishment", false, t0.Add(time.Second), true, false},
	}
	for _, st := range steps {
		assert.Equal(t, st.changed, d.ApplyStock(st.outOfStock, st.at), st.name)
		assert.Equal(t, st.want, d.OutOfStock, st.name)
		assert.Equal(t, !st.want, d.Orderable(), st.name)
	}
	assert.EqualValues(t, 3, d.Version, "stock changes are not staff edits")
}
