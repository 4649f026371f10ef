package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Events published while a subscriber's sidecar is down wait for it (a Redis Streams consumer
// group; a durable RabbitMQ queue that outlives its consumer): orders cancelled while inventory's
// sidecar is dead are cancelled at once (the direct release fails, the order.cancelled event is
// kept), and when the sidecar comes back every unit returns, once.
func TestCancelsWhileInventorysSidecarIsDownReturnTheStockWhenItIsBack(t *testing.T) {
	store, dish := saleStore(t, 10, 2)
	type placed struct{ id, customer string }
	var orders []placed
	for range 4 {
		customer := "student-" + uuid.NewString()[:8]
		r, err := checkout(customer, uuid.NewString(), orderBody(store, dish, 2))
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		orders = append(orders, placed{decode[order](t, r).ID, customer})
	}
	require.EqualValues(t, 2, readStock(t, store, dish).Available)

	inv := platform.App("inventory")
	inv.KillSidecar()
	restarted := false
	defer func() {
		if !restarted {
			assert.NoError(t, inv.StartSidecar(t.Context()))
		}
	}()
	for _, o := range orders[:3] {
		r, err := tryCallWith(http.MethodPost, orderURL("orders/"+o.id+"/cancel"), nil, map[string]string{"X-Customer-Id": o.customer})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assert.Equal(t, "cancelled", decode[order](t, r).Status)
	}
	time.Sleep(2 * time.Second) // the events wait in the broker, not in a retry loop that gives up
	require.NoError(t, inv.StartSidecar(t.Context()))
	restarted = true

	poll(t, time.Minute, func() bool {
		v, ok := tryReadStock(t, store, dish)
		return ok && v.Available == 8
	}, "the cancelled orders' units return once inventory is back")
	v := readStock(t, store, dish)
	require.Len(t, v.Holds, 1)
	assert.Equal(t, orders[3].id, v.Holds[0].OrderID, "only the live order still holds")
}
