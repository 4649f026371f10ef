package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The chaos run: a flash sale while inventory's app is killed and restarted, then cancels while
// its app is dead (their releases fail, and so do their events' first deliveries), then more
// cancels while its sidecar is dead. Afterwards, within one reconciler period:
// restocked = sold + reserved + available, every hold belongs to a live pending order, and every
// event that reached inventory's dead-letter topic is listed by its ops endpoint.
func TestChaosFlashSaleWithCancelsKillsAndFailedReleases(t *testing.T) {
	pr := theProbe(t)
	store, dish := saleStore(t, 100, 8)
	inv := platform.App("inventory")
	const buyers = 300
	created := checkoutSale(t, store, dish, buyers, 32, func() {
		inv.KillApp()
		assert.NoError(t, inv.StartApp(t.Context())) // on a buyer's goroutine: no require
	})
	if len(created) != 100 {
		explainOversell(t, store, dish, created)
	}
	require.Len(t, created, 100)

	customers := map[string]string{} // order id -> customer, as checkoutSale named them
	for i := 1; i <= buyers; i++ {
		c := fmt.Sprintf("student-%d", i)
		sum := sha256.Sum256([]byte(c + "\x00" + "lunch-" + store))
		customers[hex.EncodeToString(sum[:16])] = c
	}
	var ids []string
	for id := range created {
		require.Contains(t, customers, id)
		ids = append(ids, id)
	}
	cancel := func(batch []string) {
		var wg sync.WaitGroup
		for _, id := range batch {
			wg.Go(func() {
				r, err := tryCallWith(http.MethodPost, orderURL("orders/"+id+"/cancel"), nil, map[string]string{"X-Customer-Id": customers[id]})
				if assert.NoError(t, err) {
					assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
				}
			})
		}
		wg.Wait()
	}

	inv.KillApp() // cancels whose direct release fails: inventory's app is dead, its sidecar up
	cancel(ids[:20])
	time.Sleep(3 * time.Second) // the events' deliveries fail meanwhile, and are retried
	require.NoError(t, inv.StartApp(t.Context()))
	inv.KillSidecar() // cancels whose direct release cannot reach inventory at all; their events wait
	cancel(ids[20:40])
	require.NoError(t, inv.StartSidecar(t.Context()))
	cancelled := map[string]bool{}
	for _, id := range ids[:40] {
		cancelled[id] = true
	}

	poll(t, 2*reconcilePeriod, func() bool {
		v, ok := tryReadStock(t, store, dish)
		return ok && v.Reserved == 60 && v.Available == 40
	}, "the cancelled orders' units back on sale, the live ones still held")
	v := readStock(t, store, dish) // checks restocked = sold + reserved + available
	holders := make([]string, 0, len(v.Holds))
	for _, h := range v.Holds {
		assert.False(t, cancelled[h.OrderID], "a cancelled order %s still holds stock", h.OrderID)
		holders = append(holders, h.OrderID)
	}
	r := call(t, http.MethodPost, orderURL("orders/statuses"), map[string]any{"order_ids": holders})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	var st struct {
		Orders map[string]struct{ Status string } `json:"orders"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &st))
	for _, id := range holders {
		assert.Equal(t, "pending_payment", st.Orders[id].Status, "the holder %s is a live pending order", id)
	}

	// Every message of this sale that reached the dead-letter topic is kept and listed (both the
	// probe and inventory's keeper read the topic, so allow the keeper a moment).
	listed := func() map[string]bool {
		r := call(t, http.MethodGet, invURL("ops/deadletters"), nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		var list struct {
			Letters []struct {
				Data json.RawMessage `json:"data"`
			} `json:"letters"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &list))
		out := map[string]bool{}
		for _, l := range list.Letters {
			var e struct {
				OrderID string `json:"order_id"`
			}
			if json.Unmarshal(l.Data, &e) == nil {
				out[e.OrderID] = true
			}
		}
		return out
	}
	unlisted := func() []string {
		l := listed()
		var out []string
		for id := range pr.deadLettered() {
			if created[id] && !l[id] {
				out = append(out, id)
			}
		}
		return out
	}
	poll(t, 30*time.Second, func() bool { return len(unlisted()) == 0 }, "every dead-lettered event of the sale listed")
	dead := 0
	for id := range pr.deadLettered() {
		if created[id] {
			dead++
		}
	}
	t.Logf("%d of this sale's events reached the dead-letter topic, all listed", dead)
}

// explainOversell logs what inventory has for a sale that created more orders than it had units:
// the created orders that hold nothing, with their reservation records, and the buckets' parts.
func explainOversell(t *testing.T, store, dish string, created map[string]bool) {
	v := readStock(t, store, dish)
	t.Logf("stock: %+v", v)
	held := map[string]bool{}
	for _, h := range v.Holds {
		held[h.OrderID] = true
	}
	state := platform.App("inventory").DaprURL("/v1.0/state/statestore/")
	for id := range created {
		if held[id] {
			continue
		}
		rec := call(t, http.MethodGet, state+"resv:"+id, nil)
		t.Logf("created order %s holds nothing: record %s", id, rec.Body)
	}
	for i := range 8 {
		b := call(t, http.MethodGet, state+fmt.Sprintf("stock:%s:%s:%s:%d", store, dish, period, i), nil)
		t.Logf("bucket %d: %s", i, b.Body)
	}
}
