package expiry

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// An order's expiry job is scheduled a moment after its checkout answered (ordering.BatchDelay,
// with the other checkouts of that moment). An order app killed in between takes the job with it;
// the order still expires and its stock comes back, through inventory's reconciler, whose
// question about the held order expires it once its payment time is up. The kill is tried until
// it beats the job (checked at the scheduler), so that the test is about an order with no job.
func TestAnOrderWhoseExpiryJobDiedWithItsAppStillExpires(t *testing.T) {
	ord := platform.App("order")
	storeID, dishID, stockURL := onSale(t, "Crash Canteen", "Dumplings", 800, 10, 0)

	var (
		o  struct{ ID string }
		as map[string]string
	)
	for attempt := 1; ; attempt++ {
		require.LessOrEqual(t, attempt, 5, "the kill never came before the job was scheduled")
		as = map[string]string{"X-Customer-Id": "crash-" + uuid.NewString()[:8], "Idempotency-Key": uuid.NewString()}
		require.Equal(t, 201, send(t, "POST", ord.URL("orders"), map[string]any{"store_id": storeID, "period": period, "items": []map[string]any{{"dish_id": dishID, "quantity": 2}}}, as, &o))
		ord.KillApp()
		code := send(t, "GET", ord.DaprURL("/v1.0/jobs/expire-"+o.ID), nil, nil, nil)
		require.NoError(t, ord.StartApp(t.Context()))
		if code != 200 {
			t.Logf("attempt %d: the app died before its order's job was scheduled (the scheduler answered %d)", attempt, code)
			break
		}
		t.Logf("attempt %d: the job was scheduled before the kill; again", attempt)
	}

	require.Eventually(t, func() bool {
		var got struct{ Status string }
		send(t, "GET", ord.URL("orders/"+o.ID), nil, as, &got)
		return got.Status == "expired"
	}, 60*time.Second, 250*time.Millisecond, "the reconciler's sweep should expire the order after its 3 s payment time")
	require.Eventually(t, func() bool {
		var s stock
		send(t, "GET", stockURL, nil, nil, &s)
		// The orders of attempts whose job was scheduled expire by it; every unit comes back.
		return s.Available == 10 && s.Reserved == 0
	}, 60*time.Second, 250*time.Millisecond, "every unit back on sale")
}
