package paysimapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The wire format is what merchants in any language were written against: these texts never change.
func TestWireFormatIsPinned(t *testing.T) {
	at := time.Date(2026, 12, 2, 11, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"create", CreatePaymentRequest{MerchantOrderID: "o1", AmountCents: 1800, NotifyURL: "http://m/notify", Description: "rice"},
			`{"merchant_order_id":"o1","amount_cents":1800,"notify_url":"http://m/notify","description":"rice"}`},
		{"payment", Payment{TxnID: "txn_1", MerchantOrderID: "o1", AmountCents: 1800, Status: Succeeded, RefundedCents: 800, Version: 2, CreatedAt: at, UpdatedAt: at},
			`{"txn_id":"txn_1","merchant_order_id":"o1","amount_cents":1800,"status":"succeeded","refunded_cents":800,"version":2,
			  "created_at":"2026-12-02T11:30:00Z","updated_at":"2026-12-02T11:30:00Z"}`},
		{"payment with token", Payment{TxnID: "txn_1", Status: Pending, Version: 1, PayToken: "tok", CreatedAt: at, UpdatedAt: at},
			`{"txn_id":"txn_1","merchant_order_id":"","amount_cents":0,"status":"pending","refunded_cents":0,"version":1,"pay_token":"tok",
			  "created_at":"2026-12-02T11:30:00Z","updated_at":"2026-12-02T11:30:00Z"}`},
		{"pay", PayRequest{PayToken: "tok"}, `{"pay_token":"tok"}`},
		{"refund request", RefundRequest{RefundID: "r1", AmountCents: 500}, `{"refund_id":"r1","amount_cents":500}`},
		{"refund", Refund{RefundID: "r1", TxnID: "txn_1", AmountCents: 500, Status: RefundSucceeded},
			`{"refund_id":"r1","txn_id":"txn_1","amount_cents":500,"status":"succeeded"}`},
		{"faults", Faults{Decline: true, DelayMS: 200, Duplicates: 2, Lose: true, OutOfOrder: true, Down: true},
			`{"decline":true,"delay_ms":200,"duplicates":2,"lose":true,"out_of_order":true,"down":true}`},
		{"notification", Notification{NotificationID: "txn_1-v2", TxnID: "txn_1", MerchantOrderID: "o1", AmountCents: 1800, Status: Succeeded, Version: 2, At: at},
			`{"notification_id":"txn_1-v2","txn_id":"txn_1","merchant_order_id":"o1","amount_cents":1800,"status":"succeeded","version":2,"at":"2026-12-02T11:30:00Z"}`},
		{"answer", NotificationAnswer{Code: AnswerSuccess}, `{"code":"SUCCESS"}`},
		{"statuses", []Status{Pending, Succeeded, Failed, Refunded}, `["pending","succeeded","failed","refunded"]`},
		{"codes", []Code{CodeOrderConflict, CodeInvalidToken, CodeNotPaid, CodeRefundExceeds, CodeRefundConflict},
			`["order_conflict","invalid_token","not_paid","refund_exceeds","refund_conflict"]`},
	}
	for _, tc := range cases {
		raw, err := json.Marshal(tc.v)
		require.NoError(t, err)
		assert.JSONEq(t, tc.want, string(raw), tc.name)
	}
	assert.Equal(t, "v1/payments", PathPayments)
	assert.Equal(t, "v1/faults", PathFaults)
	assert.Equal(t, "v1/payments/txn_1", PaymentPath("txn_1"))
	assert.Equal(t, "v1/payments?merchant_order_id=o+1%2F2", PaymentByOrderPath("o 1/2"))
	assert.Equal(t, "v1/payments/txn_1/pay", PayPath("txn_1"))
	assert.Equal(t, "v1/payments/txn_1/refunds", RefundsPath("txn_1"))
	assert.Equal(t, "v1/payments/txn_1/faults", PaymentFaultsPath("txn_1"))
	assert.Equal(t, []string{"Paysim-Timestamp", "Paysim-Nonce", "Paysim-Key-Id", "Paysim-Signature"},
		[]string{HeaderTimestamp, HeaderNonce, HeaderKeyID, HeaderSignature})
	assert.Equal(t, "paysecrets", SecretStore)
	assert.Equal(t, "signing-key-id", SecretKeyID)
	assert.Equal(t, "signing-key-k1", KeySecret("k1"))
}

// The signature is pinned to a value computed outside Go, with
// printf '1764640000\n0123abcd\n{"notification_id":"txn_1-v2"}' | openssl dgst -sha256 -hmac dev-key
func TestSignatureIsHMACSHA256OfTimestampNonceAndBody(t *testing.T) {
	key, ts, nonce, body := []byte("dev-key"), "1764640000", "0123abcd", []byte(`{"notification_id":"txn_1-v2"}`)
	const want = "f30ed8794b9c45c50a6591a0c35c658939169e3dac2032808fb2fa4986324c0b"
	assert.Equal(t, want, Sign(key, ts, nonce, body))
	assert.True(t, Verify(key, ts, nonce, body, want))

	for name, bad := range map[string]func() bool{
		"other key":       func() bool { return Verify([]byte("other"), ts, nonce, body, want) },
		"other timestamp": func() bool { return Verify(key, "1764640001", nonce, body, want) },
		"other nonce":     func() bool { return Verify(key, ts, "0123abce", body, want) },
		"other body":      func() bool { return Verify(key, ts, nonce, []byte(`{"notification_id":"txn_1-v3"}`), want) },
		"not hex":         func() bool { return Verify(key, ts, nonce, body, "zz"+want[2:]) },
		"truncated":       func() bool { return Verify(key, ts, nonce, body, want[:62]) },
		"empty":           func() bool { return Verify(key, ts, nonce, body, "") },
		// The separators matter: moving a character between timestamp and nonce changes the MAC.
		"shifted fields": func() bool { return Verify(key, "176464000", "00123abcd", body, want) },
	} {
		assert.False(t, bad(), name)
	}
}
