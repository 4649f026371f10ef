package sidecar_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two bodies of one order id sent at once through Dapr, several times each: the record is
// create-only on the real store (written with the holds where the dish has one bucket), so one
// body is held exactly, its callers are told "reserved", and every caller of the other body gets
// 409 reservation_mismatch.
func TestConcurrentReservationsOfOneOrderWithOtherLinesHoldOneBody(t *testing.T) {
	store := "mm-" + uuid.NewString()[:8]
	for dish, buckets := range map[string]int{"noodles": 4, "rice": 1} {
		mustSend(t, http.MethodPost, "stock/restock", map[string]any{
			"store_id": store, "dish_id": dish, "period": period, "quantity": 200, "restock_id": "r1", "buckets": buckets,
		}, http.StatusOK)
	}
	line := func(dish string, qty int) map[string]any {
		return map[string]any{"store_id": store, "dish_id": dish, "period": period, "quantity": qty}
	}
	bodies := [][]map[string]any{
		{line("noodles", 1)},
		{line("noodles", 5), line("rice", 2)},
	}
	want := []map[string]int64{{"noodles": 1}, {"noodles": 5, "rice": 2}}

	for round := range 6 {
		order := fmt.Sprintf("%s-o%d", store, round)
		type answer struct {
			body, status int
			code         string
		}
		answers := make(chan answer, 8)
		var wg sync.WaitGroup
		for c := range 8 {
			wg.Go(func() {
				for { // a 503 (contention) is retried with the same order id, as a client would
					status, raw, err := send(http.MethodPost, "reservations", map[string]any{"order_id": order, "items": bodies[c%2]})
					if !assert.NoError(t, err) {
						return
					}
					if status != http.StatusServiceUnavailable {
						answers <- answer{c % 2, status, errorCode(raw)}
						return
					}
				}
			})
		}
		wg.Wait()
		close(answers)
		byBody := map[int][]answer{}
		for a := range answers {
			byBody[a.body] = append(byBody[a.body], a)
		}
		winner := 0
		for _, a := range byBody[1] {
			if a.status == http.StatusCreated {
				winner = 1
			}
		}
		for _, a := range byBody[winner] {
			assert.Equal(t, http.StatusCreated, a.status, "%s: a caller of the body that stands: %+v", order, a)
		}
		for _, a := range byBody[1-winner] {
			assert.Equal(t, http.StatusConflict, a.status, "%s: a caller of the other body", order)
			assert.Equal(t, "reservation_mismatch", a.code, order)
		}
		for _, dish := range []string{"noodles", "rice"} {
			var held int64
			for _, h := range readStock(t, store, dish).Holds {
				if h.OrderID == order {
					held += h.Quantity
				}
			}
			assert.Equal(t, want[winner][dish], held, "%s holds of %s", order, dish)
		}
	}
	require.EqualValues(t, 200, readStock(t, store, "rice").Restocked)
}
