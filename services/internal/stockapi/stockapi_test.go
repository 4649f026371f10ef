package stockapi

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The wire format is what callers in any language were written against: these texts never change.
func TestWireFormatIsPinned(t *testing.T) {
	line := Line{StoreID: "s1", DishID: "rice", Period: "2026-11-25.lunch", Quantity: 2}
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"reserve", ReserveRequest{OrderID: "o1", Items: []Line{line}},
			`{"order_id":"o1","items":[{"store_id":"s1","dish_id":"rice","period":"2026-11-25.lunch","quantity":2}]}`},
		{"release", LinesRequest{Items: []Line{line}},
			`{"items":[{"store_id":"s1","dish_id":"rice","period":"2026-11-25.lunch","quantity":2}]}`},
		{"answer", ReservationResponse{OrderID: "o1", Status: Reserved}, `{"order_id":"o1","status":"reserved"}`},
		{"statuses", []Status{Reserved, Released, Confirmed}, `["reserved","released","confirmed"]`},
		{"codes", []Code{CodeSoldOut, CodeUnknownStock, CodeReleased, CodeConfirmed, CodeReservationMismatch},
			`["sold_out","unknown_stock","released","confirmed","reservation_mismatch"]`},
	}
	for _, tc := range cases {
		raw, err := json.Marshal(tc.v)
		require.NoError(t, err)
		assert.JSONEq(t, tc.want, string(raw), tc.name)
	}
	assert.Equal(t, "reservations", PathReserve)
	assert.Equal(t, "reservations/o-1_a/release", ReleasePath("o-1_a"))
	assert.Equal(t, "reservations/o-1_a/confirm", ConfirmPath("o-1_a"))
}

func TestLineFieldAndIndexAgree(t *testing.T) {
	for _, i := range []int{0, 1, 19} {
		got, ok := LineIndex(LineField(i))
		assert.True(t, ok)
		assert.Equal(t, i, got)
	}
	for _, field := range []string{"", "items", "items[]", "items[x]", "items[-1]", "items[1].quantity", "order_id"} {
		_, ok := LineIndex(field)
		assert.False(t, ok, field)
	}
}
