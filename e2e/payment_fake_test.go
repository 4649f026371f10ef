package e2e

// Until paysim is merged, payment's own paths through real sidecars are exercised against a small
// fake provider served by the test behind a sidecar of app id paysim: the order read through the
// order service, the provider calls through the resiliency policy, the 503 of an outage, and the
// reconciler's job resuming the creation. It skips itself once dapr.yaml has the real paysim.

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
)

// fakePaysim keeps payments by merchant order id as the contract says; down answers 503.
type fakePaysim struct {
	mu       sync.Mutex
	payments map[string]map[string]any
	down     atomic.Bool
	calls    atomic.Int64
}

func (f *fakePaysim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/healthz" {
		return
	}
	f.calls.Add(1)
	if f.down.Load() {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":{"code":"unavailable","message":"down"}}`))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/payments":
		var req struct {
			MerchantOrderID string `json:"merchant_order_id"`
			AmountCents     int64  `json:"amount_cents"`
			NotifyURL       string `json:"notify_url"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		p, ok := f.payments[req.MerchantOrderID]
		if !ok {
			p = map[string]any{"txn_id": "txn-" + req.MerchantOrderID, "merchant_order_id": req.MerchantOrderID, "amount_cents": req.AmountCents,
				"status": "pending", "refunded_cents": 0, "version": 1, "pay_token": "tok-" + req.MerchantOrderID, "notify_url": req.NotifyURL,
				"created_at": "2026-11-25T11:30:00Z", "updated_at": "2026-11-25T11:30:00Z"}
			f.payments[req.MerchantOrderID] = p
			w.WriteHeader(http.StatusCreated)
		}
		_ = json.NewEncoder(w).Encode(p)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/payments":
		p, ok := f.payments[r.URL.Query().Get("merchant_order_id")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"no such payment"}}`))
			return
		}
		out := map[string]any{}
		for k, v := range p {
			if k != "pay_token" && k != "notify_url" {
				out[k] = v
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"no such endpoint"}}`))
	}
}

var (
	fakePaysimOnce sync.Once
	theFakePaysim  *fakePaysim
)

// aFakePaysim starts the fake provider behind a sidecar of app id paysim, once; it skips the test
// when the platform runs the real one.
func aFakePaysim(t *testing.T) *fakePaysim {
	t.Helper()
	topo, err := harness.LoadTopology(platform.Root)
	require.NoError(t, err)
	if _, ok := topo.App("paysim"); ok {
		t.Skip("the real paysim runs: payment_test.go covers this")
	}
	fakePaysimOnce.Do(func() {
		f := &fakePaysim{payments: map[string]map[string]any{}}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		go http.Serve(ln, f)
		_, err = platform.Attach(t.Context(), "paysim", ln.Addr().(*net.TCPAddr).Port)
		require.NoError(t, err)
		theFakePaysim = f
	})
	require.NotNil(t, theFakePaysim, "the fake provider failed to start in an earlier test")
	return theFakePaysim
}

func TestPaymentTakesTheOrdersTotalThroughTheSidecars(t *testing.T) {
	f := aFakePaysim(t)
	o := unpaidOrder(t)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	p := decode[paymentView](t, r)
	assert.Equal(t, paymentView{OrderID: o.ID, TxnID: "txn-" + o.ID, AmountCents: o.TotalCents, Status: "pending", PayToken: "tok-" + o.ID}, p)
	f.mu.Lock()
	notify := f.payments[o.ID]["notify_url"]
	f.mu.Unlock()
	assert.Equal(t, "http://127.0.0.1:"+strconv.Itoa(platform.App("payment").HTTPPort)+"/v1.0/invoke/payment/method/notifications", notify,
		"the provider calls back through payment's own sidecar")

	again, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, again.Status, "%s", again.Body)
	assert.Equal(t, p, decode[paymentView](t, again))

	other, err := createPayment(o.ID, "someone-else")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, other.Status, "another customer's order")
	bad, err := tryCallWith(http.MethodPost, paymentURL("payments"), `{"order_id":"`+o.ID+`","amount_cents":1}`, map[string]string{"X-Customer-Id": o.CustomerID})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, bad.Status, "no amount from the client")
}

func TestAnOutageOfTheProviderIs503AndTheReconcilerCreatesThePaymentLater(t *testing.T) {
	f := aFakePaysim(t)
	o := unpaidOrder(t)
	f.down.Store(true)
	defer f.down.Store(false)
	for range 3 { // with the breaker open after a few, the answers come at once
		r, err := createPayment(o.ID, o.CustomerID)
		require.NoError(t, err)
		require.Equal(t, http.StatusServiceUnavailable, r.Status, "%s", r.Body)
		assert.Equal(t, "payment_unavailable", errorCode(r))
	}
	assert.Equal(t, "creating", readPayment(t, o.ID, o.CustomerID).Status, "the payment is kept")

	f.down.Store(false)
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "pending" },
		"the reconciler creates it at the provider once the breaker lets calls through")
	p := readPayment(t, o.ID, o.CustomerID)
	assert.Equal(t, "txn-"+o.ID, p.TxnID)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Equal(t, "tok-"+o.ID, decode[paymentView](t, r).PayToken, "the customer's repeat gets the token to pay with")
}
