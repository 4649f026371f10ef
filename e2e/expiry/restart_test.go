package expiry

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The platform stopped with a backlog comes back: a flash sale with cancels (some racing each
// other, so some transitions lose their ETag race), then every process but the stores stopped
// until the payment timeout of every order has passed, then started again, as a developer's
// second `make run` does. Within a minute every API answers, every due expiry has been applied
// and every unit is back on sale, and the sidecars are not spinning (Dapr 1.18.2's outbox, which
// this platform no longer uses, kept two cores busy forever after such a restart).
func TestRestartWithABacklogComesBackAndAppliesEveryExpiry(t *testing.T) {
	menu, ord := platform.App("menu"), platform.App("order")
	storeID, dishID, stockURL := onSale(t, "Backlog Canteen", "Hotpot", 1500, 60, 4)

	type placed struct{ id, customer string }
	var (
		mu      sync.Mutex
		orders  []placed
		answers = map[int]int{} // status code: count (a checkout slower than the 3 s payment time answers 409 expired)
		wg      sync.WaitGroup
	)
	for i := range 100 { // 100 buyers, 60 units
		wg.Go(func() {
			customer := fmt.Sprintf("backlog-%d-%s", i, uuid.NewString()[:6])
			code, raw, err := trySend("POST", ord.URL("orders"), map[string]any{"store_id": storeID, "period": period, "items": []map[string]any{{"dish_id": dishID, "quantity": 1}}},
				map[string]string{"X-Customer-Id": customer, "Idempotency-Key": "k"})
			var o struct{ ID string }
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			answers[code]++
			if code == http.StatusCreated && assert.NoError(t, json.Unmarshal(raw, &o)) {
				orders = append(orders, placed{o.ID, customer})
			}
		})
	}
	wg.Wait()
	t.Logf("checkout answers: %v", answers)
	require.NotEmpty(t, orders)
	for _, o := range orders[:len(orders)/3] { // a third cancelled, each by three racing requests
		for range 3 {
			wg.Go(func() {
				_, _, err := trySend("POST", ord.URL("orders/"+o.id+"/cancel"), nil, map[string]string{"X-Customer-Id": o.customer})
				assert.NoError(t, err)
			})
		}
	}
	wg.Wait()

	platform.StopAllButStores()
	time.Sleep(5 * time.Second) // past every order's 3 s payment timeout, with nothing running
	restarted := time.Now()
	require.NoError(t, platform.Restart(t.Context()))

	// Usually about ten seconds (logged below), bounded at two minutes for a loaded CI box.
	// left describes what is not yet back, for the failure message: the stock and every order not
	// yet cancelled or expired with what the order service answered for it.
	left := func() string {
		var s stock
		code, raw, err := trySend("GET", stockURL, nil, nil)
		if err == nil && code == 200 {
			err = json.Unmarshal(raw, &s)
		}
		var open []string
		for _, o := range orders {
			code, raw, err := trySend("GET", ord.URL("orders/"+o.id), nil, map[string]string{"X-Customer-Id": o.customer})
			var got struct{ Status string }
			if err != nil || code != 200 || json.Unmarshal(raw, &got) != nil || (got.Status != "cancelled" && got.Status != "expired") {
				open = append(open, fmt.Sprintf("%s: %d %s %v", o.id, code, got.Status, err))
			}
		}
		if err == nil && code == 200 && s.Available == 60 && s.Reserved == 0 && len(open) == 0 {
			return ""
		}
		return fmt.Sprintf("stock %d (%v): available %d reserved %d; %d orders open %v", code, err, s.Available, s.Reserved, len(open), open)
	}
	var last atomic.Value // written by Eventually's goroutine, which may outlive its timeout
	ok := assert.Eventually(t, func() bool {
		l := left()
		last.Store(l)
		return l == ""
	}, 2*time.Minute, 500*time.Millisecond, "every due expiry applied and every unit back on sale within two minutes of the restart")
	require.True(t, ok, "still not back: %s", last.Load())
	require.Equal(t, 200, send(t, "GET", menu.URL("stores/"+storeID+"/menu"), nil, nil, nil))
	t.Logf("back, every expiry applied, %s after the restart", time.Since(restarted).Round(time.Millisecond))

	// A livelock detector, not a performance target: a spinning sidecar burns whole cores.
	before := map[string]time.Duration{}
	for _, a := range []string{"menu", "inventory", "order"} {
		cpu, err := platform.App(a).SidecarCPU()
		require.NoError(t, err)
		before[a] = cpu
	}
	const window = 10 * time.Second
	time.Sleep(window)
	for _, a := range []string{"menu", "inventory", "order"} {
		cpu, err := platform.App(a).SidecarCPU()
		require.NoError(t, err)
		used := cpu - before[a]
		t.Logf("%s sidecar: %s CPU in %s of idling", a, used, window)
		assert.Less(t, used, window/2, "the %s sidecar is spinning", a)
	}
}
