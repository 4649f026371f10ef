package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type stockDish struct {
	OutOfStock bool `json:"out_of_stock"`
	Orderable  bool `json:"orderable"`
	Version    int64
}

// Stock event types on the "stock" topic (services/internal/event is the contract).
const (
	stockDepleted    = "stock.depleted"
	stockReplenished = "stock.replenished"
	publishStockURL  = "/v1.0/publish/pubsub/stock"
)

// publishStock publishes a stock event through the Dapr publish API, as inventory does.
func publishStock(t *testing.T, typ, storeID, dishID string, at time.Time) {
	t.Helper()
	r := call(t, http.MethodPost, platform.App("menu").DaprURL(publishStockURL), map[string]any{
		"type": typ, "store_id": storeID, "dish_id": dishID, "period": "2026-11-25.lunch", "available": 0, "at": at,
	})
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
}

// Inventory's stock events drive the menu's out-of-stock flag; redelivered and out-of-order events
// change nothing, a poison message does not block the topic, and no staff version goes stale.
func TestMenuFollowsStockEvents(t *testing.T) {
	s := createStore(t, "Stock Canteen")
	d := createDish(t, s.ID, "Flash-sale chicken", "Specials", 990)
	dishURL := menuURL("stores/" + s.ID + "/dishes/" + d.ID)
	read := func() stockDish { return decode[stockDish](t, call(t, http.MethodGet, dishURL, nil)) }
	t0 := time.Now().UTC()

	publishStock(t, stockDepleted, s.ID, d.ID, t0)
	require.Eventually(t, func() bool { return read().OutOfStock }, 60*time.Second, 100*time.Millisecond)
	assert.False(t, read().Orderable)

	// A poison message, then a replenishment older than the depletion: neither changes the dish.
	r := call(t, http.MethodPost, platform.App("menu").DaprURL(publishStockURL), `{"type":"stock.depleted"}`)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	publishStock(t, stockReplenished, s.ID, d.ID, t0.Add(-time.Second))
	// Then the same depletion again (a redelivery) and a newer replenishment, which must win.
	publishStock(t, stockDepleted, s.ID, d.ID, t0)
	publishStock(t, stockReplenished, s.ID, d.ID, t0.Add(time.Second))
	require.Eventually(t, func() bool { return !read().OutOfStock }, 60*time.Second, 100*time.Millisecond)
	assert.True(t, read().Orderable)
	assert.EqualValues(t, 1, read().Version, "stock events must not make a staff edit stale")

	// The older replenishment may be delivered after the newer one; the dish stays in stock either way.
	publishStock(t, stockDepleted, s.ID, d.ID, t0.Add(-time.Minute))
	time.Sleep(time.Second) // give a wrongly applied stale event the chance to show
	assert.False(t, read().OutOfStock)
}
