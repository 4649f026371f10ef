package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStoreInputValidation(t *testing.T) {
	ok := StoreInput{Name: "North", Zone: "north", Hours: []Window{{"10:30", "14:00"}, {"17:00", "20:00"}}}
	cases := []struct {
		name  string
		edit  func(*StoreInput)
		field string
	}{
		{"valid", func(*StoreInput) {}, ""},
		{"blank name", func(in *StoreInput) { in.Name = "  " }, "name"},
		{"long name", func(in *StoreInput) { in.Name = strings.Repeat("é", MaxNameLen+1) }, "name"},
		{"name at the limit in runes", func(in *StoreInput) { in.Name = strings.Repeat("é", MaxNameLen) }, ""},
		{"invalid UTF-8", func(in *StoreInput) { in.Name = "\xff" }, "name"},
		{"no zone", func(in *StoreInput) { in.Zone = "" }, "zone"},
		{"bad time", func(in *StoreInput) { in.Hours = []Window{{"25:00", "26:00"}} }, "opening_hours"},
		{"closes before opening", func(in *StoreInput) { in.Hours = []Window{{"14:00", "10:00"}} }, "opening_hours"},
		{"empty window", func(in *StoreInput) { in.Hours = []Window{{"10:00", "10:00"}} }, "opening_hours"},
		{"too many windows", func(in *StoreInput) { in.Hours = make([]Window, MaxWindows+1) }, "opening_hours"},
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

func TestStoreUpdateNeedsTheCurrentVersion(t *testing.T) {
	s, err := NewStore("s1", StoreInput{Name: "North", Zone: "north"})
	require.NoError(t, err)
	s.DishIDs = []string{"d1"}

	_, err = s.Update(s.Version+1, StoreInput{Name: "x", Zone: "z"})
	assert.ErrorIs(t, err, ErrStale)

	next, err := s.Update(s.Version, StoreInput{Name: " South ", Zone: "south", Busy: true})
	require.NoError(t, err)
	assert.Equal(t, Store{ID: "s1", Name: "South", Zone: "south", Busy: true, Version: 2, DishIDs: []string{"d1"}}, next)
}
