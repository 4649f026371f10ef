package sidecar_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/invoke"
	"github.com/canteen/canteen/services/payment/paying"
	"github.com/canteen/canteen/services/payment/sidecar"
)

// fakeSidecar answers every call with status and body, and records the last request.
type fakeSidecar struct {
	mu                      sync.Mutex
	method, uri, body, cust string
}

func (f *fakeSidecar) peers(t *testing.T, status int, body string) *sidecar.Peers {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.method, f.uri, f.body, f.cust = r.Method, r.URL.RequestURI(), string(raw), r.Header.Get("X-Customer-Id")
		f.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &sidecar.Peers{Client: invoke.New(srv.URL, &http.Client{Timeout: 5 * time.Second}), OrderApp: "order", PaysimApp: "paysim",
		NotifyURL: "http://127.0.0.1:3504/v1.0/invoke/payment/method/notifications"}
}

func refusal(code string) string {
	return `{"error":{"code":"` + code + `","message":"whatever the text says"}}`
}

const payment = `{"txn_id":"t1","merchant_order_id":"o1","amount_cents":2400,"status":"pending","refunded_cents":0,"version":1,
	"pay_token":"tok","created_at":"2026-11-25T11:30:00Z","updated_at":"2026-11-25T11:30:00Z"}`

func TestOrderReadsTheCustomersOrder(t *testing.T) {
	var f fakeSidecar
	o, err := f.peers(t, 200, `{"id":"o1","customer_id":"c1","store_id":"s1","period":"2026-11-25.lunch","items":[],"total_cents":2400,
		"status":"pending_payment","created_at":"2026-11-25T11:30:00Z","updated_at":"2026-11-25T11:30:00Z"}`).Order(context.Background(), "o1", "c1")
	require.NoError(t, err)
	assert.Equal(t, paying.Order{CustomerID: "c1", Status: "pending_payment", AwaitingPayment: true, TotalCents: 2400}, o)
	assert.Equal(t, "GET /v1.0/invoke/order/method/orders/o1", f.method+" "+f.uri)
	assert.Equal(t, "c1", f.cust)

	_, err = f.peers(t, 404, refusal("not_found")).Order(context.Background(), "o1", "c1")
	assert.ErrorIs(t, err, paying.ErrOrderNotFound)
	_, err = f.peers(t, 404, `{"errorCode":"ERR_DIRECT_INVOKE","message":"no route"}`).Order(context.Background(), "o1", "c1")
	require.Error(t, err)
	assert.NotErrorIs(t, err, paying.ErrOrderNotFound, "daprd's own 404 is not the order service saying no")
}

func TestProviderCallsSendTheContractAndMapItsCodes(t *testing.T) {
	ctx := context.Background()
	t.Run("create", func(t *testing.T) {
		var f fakeSidecar
		n, err := f.peers(t, 201, payment).Create(ctx, "o1", 2400)
		require.NoError(t, err)
		assert.Equal(t, paying.Notice{OrderID: "o1", TxnID: "t1", AmountCents: 2400, Status: paying.ProviderPending, Version: 1, PayToken: "tok"}, n)
		assert.Equal(t, "POST /v1.0/invoke/paysim/method/v1/payments", f.method+" "+f.uri)
		assert.JSONEq(t, `{"merchant_order_id":"o1","amount_cents":2400,"notify_url":"http://127.0.0.1:3504/v1.0/invoke/payment/method/notifications",
			"description":"Canteen order o1"}`, f.body)
	})
	t.Run("create, another amount", func(t *testing.T) {
		var f fakeSidecar
		_, err := f.peers(t, 409, refusal("order_conflict")).Create(ctx, "o1", 2400)
		assert.ErrorIs(t, err, paying.ErrAmountConflict)
	})
	for name, answer := range map[string]struct {
		status int
		body   string
	}{
		"provider down":           {503, refusal("unavailable")},
		"breaker open (daprd)":    {500, `{"errorCode":"ERR_DIRECT_INVOKE","message":"circuit breaker is open"}`},
		"a code it does not know": {409, refusal("something_new")},
	} {
		t.Run("create, "+name, func(t *testing.T) {
			var f fakeSidecar
			_, err := f.peers(t, answer.status, answer.body).Create(ctx, "o1", 2400)
			assert.ErrorIs(t, err, paying.ErrProviderUnavailable)
		})
	}
	t.Run("read by transaction", func(t *testing.T) {
		var f fakeSidecar
		n, err := f.peers(t, 200, payment).Payment(ctx, "t1")
		require.NoError(t, err)
		assert.Equal(t, "t1", n.TxnID)
		assert.Equal(t, "GET /v1.0/invoke/paysim/method/v1/payments/t1", f.method+" "+f.uri)
		_, err = f.peers(t, 404, refusal("not_found")).Payment(ctx, "t1")
		assert.ErrorIs(t, err, paying.ErrNoProviderPayment)
		_, err = f.peers(t, 503, refusal("unavailable")).Payment(ctx, "t1")
		assert.ErrorIs(t, err, paying.ErrProviderUnavailable)
	})
	t.Run("refund", func(t *testing.T) {
		var f fakeSidecar
		require.NoError(t, f.peers(t, 200, `{"refund_id":"refund-o1","txn_id":"t1","amount_cents":2400,"status":"succeeded"}`).Refund(ctx, "t1", "refund-o1", 2400))
		assert.Equal(t, "POST /v1.0/invoke/paysim/method/v1/payments/t1/refunds", f.method+" "+f.uri)
		assert.JSONEq(t, `{"refund_id":"refund-o1","amount_cents":2400}`, f.body)
		for _, code := range []string{"not_paid", "refund_exceeds"} {
			err := f.peers(t, 409, refusal(code)).Refund(ctx, "t1", "refund-o1", 2400)
			assert.ErrorIs(t, err, paying.ErrRefundRefused, code)
			assert.NotErrorIs(t, err, paying.ErrProviderUnavailable, code)
		}
		assert.ErrorIs(t, f.peers(t, 503, refusal("unavailable")).Refund(ctx, "t1", "refund-o1", 2400), paying.ErrProviderUnavailable)
	})
}
