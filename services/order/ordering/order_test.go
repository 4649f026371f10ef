package ordering

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateMachine(t *testing.T) {
	all := []Status{PendingPayment, Paid, Accepted, Ready, Completed, Cancelled, Expired}
	legal := map[[2]Status]bool{
		{PendingPayment, Paid}: true, {PendingPayment, Cancelled}: true, {PendingPayment, Expired}: true,
		{Paid, Accepted}: true, {Paid, Cancelled}: true, {Accepted, Ready}: true, {Accepted, Cancelled}: true, {Ready, Completed}: true,
	}
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, from := range all {
		for _, to := range all {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				got, err := Order{Status: from}.Transition(to, at)
				if legal[[2]Status{from, to}] {
					require.NoError(t, err)
					assert.Equal(t, to, got.Status)
					assert.Equal(t, at, got.UpdatedAt)
					return
				}
				var illegal *IllegalTransitionError
				require.ErrorAs(t, err, &illegal)
				assert.Equal(t, IllegalTransitionError{From: from, To: to}, *illegal)
			})
		}
	}
}

func TestCheckoutRequestValidation(t *testing.T) {
	ok := CheckoutRequest{CustomerID: "c1", IdempotencyKey: "k-1", StoreID: "s1", Period: "2026-11-25.lunch", Items: []ItemRequest{{"d1", 2}, {"d2", 1}}}
	cases := []struct {
		name  string
		edit  func(*CheckoutRequest)
		field string
	}{
		{"valid", func(*CheckoutRequest) {}, ""},
		{"no customer", func(r *CheckoutRequest) { r.CustomerID = "" }, "X-Customer-Id"},
		{"no key", func(r *CheckoutRequest) { r.IdempotencyKey = "" }, "Idempotency-Key"},
		{"key with spaces", func(r *CheckoutRequest) { r.IdempotencyKey = "a b" }, "Idempotency-Key"},
		{"bad period", func(r *CheckoutRequest) { r.Period = "today" }, "period"},
		{"no items", func(r *CheckoutRequest) { r.Items = nil }, "items"},
		{"zero quantity", func(r *CheckoutRequest) { r.Items[1].Quantity = 0 }, "items[1].quantity"},
		{"huge quantity", func(r *CheckoutRequest) { r.Items[0].Quantity = MaxQuantity + 1 }, "items[0].quantity"},
		{"duplicate dish", func(r *CheckoutRequest) { r.Items[1].DishID = "d1" }, "items[1].dish_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			r.Items = append([]ItemRequest(nil), ok.Items...)
			tc.edit(&r)
			err := r.Validate()
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

func TestOrderIDAndHash(t *testing.T) {
	a := CheckoutRequest{CustomerID: "c1", IdempotencyKey: "k", StoreID: "s", Period: "2026-11-25.lunch", Items: []ItemRequest{{"x", 1}, {"y", 2}}}
	b := a
	b.Items = []ItemRequest{{"y", 2}, {"x", 1}}
	assert.Equal(t, a.OrderID(), b.OrderID(), "same customer and key, same order")
	assert.Equal(t, a.Hash(), b.Hash(), "item order does not change the request")
	c := a
	c.CustomerID = "c2"
	assert.NotEqual(t, a.OrderID(), c.OrderID(), "another customer's key names another order")
	d := a
	d.Items = []ItemRequest{{"x", 1}, {"y", 3}}
	assert.NotEqual(t, a.Hash(), d.Hash())
}
