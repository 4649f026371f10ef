package paysimapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The wire format is payment-contracts.md's: these texts never change.
func TestWireFormatIsPinned(t *testing.T) {
	at := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"create", CreateRequest{MerchantOrderID: "o1", AmountCents: 2400, NotifyURL: "http://x/n"},
			`{"merchant_order_id":"o1","amount_cents":2400,"notify_url":"http://x/n"}`},
		{"payment", Payment{TxnID: "t1", MerchantOrderID: "o1", AmountCents: 2400, Status: Pending, Version: 1, PayToken: "p", CreatedAt: at, UpdatedAt: at},
			`{"txn_id":"t1","merchant_order_id":"o1","amount_cents":2400,"status":"pending","refunded_cents":0,"version":1,"pay_token":"p",
			"created_at":"2026-11-25T11:30:00Z","updated_at":"2026-11-25T11:30:00Z"}`},
		{"refund", RefundRequest{RefundID: "r1", AmountCents: 2400}, `{"refund_id":"r1","amount_cents":2400}`},
		{"notification", Notification{NotificationID: "n1", TxnID: "t1", MerchantOrderID: "o1", AmountCents: 2400, Status: Succeeded, Version: 2, At: at},
			`{"notification_id":"n1","txn_id":"t1","merchant_order_id":"o1","amount_cents":2400,"status":"succeeded","version":2,"at":"2026-11-25T11:30:00Z"}`},
		{"answer", NotificationAnswer{Code: AnswerSuccess}, `{"code":"SUCCESS"}`},
		{"paths", []string{PathPayments, PaymentPath("t 1"), PaymentByOrderPath("o&1"), RefundsPath("t1")},
			`["v1/payments","v1/payments/t%201","v1/payments?merchant_order_id=o%261","v1/payments/t1/refunds"]`},
		{"headers", []string{HeaderTimestamp, HeaderNonce, HeaderKeyID, HeaderSignature, SecretKeyID, SecretKey("k2")},
			`["Paysim-Timestamp","Paysim-Nonce","Paysim-Key-Id","Paysim-Signature","signing-key-id","signing-key-k2"]`},
	}
	for _, tc := range cases {
		raw, err := json.Marshal(tc.v)
		require.NoError(t, err)
		assert.JSONEq(t, tc.want, string(raw), tc.name)
	}
}
