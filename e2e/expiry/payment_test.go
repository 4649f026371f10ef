package expiry

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A payment made after its order expired (inventory released the stock first): the payment
// succeeds at the provider, the order stays expired and announces the refund, the payment is
// refunded in full, and the stock is counted once: back on sale, never sold.
func TestALatePaymentForAnExpiredOrderIsRefundedAndItsStockCountedOnce(t *testing.T) {
	inv, ord := platform.App("inventory"), platform.App("order")
	pay, sim := platform.App("payment"), platform.App("paysim")
	storeID, dishID, _ := onSale(t, "Late Canteen", "Noodles", 750, 10, 0)

	customer := "late-payer-" + uuid.NewString()[:8]
	as := map[string]string{"X-Customer-Id": customer, "Idempotency-Key": uuid.NewString()}
	var o struct{ ID string }
	require.Equal(t, 201, send(t, "POST", ord.URL("orders"), map[string]any{"store_id": storeID, "period": period, "items": []map[string]any{{"dish_id": dishID, "quantity": 2}}}, as, &o))
	var p struct {
		TxnID       string `json:"txn_id"`
		PayToken    string `json:"pay_token"`
		AmountCents int64  `json:"amount_cents"`
	}
	require.Equal(t, 201, send(t, "POST", pay.URL("payments"), map[string]string{"order_id": o.ID}, as, &p))
	assert.EqualValues(t, 1500, p.AmountCents)

	orderIs := func(status string) func() bool {
		return func() bool {
			code, raw, err := trySend("GET", ord.URL("orders/"+o.ID), nil, as)
			var got struct{ Status string }
			return err == nil && code == 200 && json.Unmarshal(raw, &got) == nil && got.Status == status
		}
	}
	require.Eventually(t, orderIs("expired"), 60*time.Second, 250*time.Millisecond, "the unpaid order expires after its 3 s payment timeout")

	// The customer pays at the provider all the same, after the expiry.
	require.Equal(t, 200, send(t, "POST", sim.URL("v1/payments/"+p.TxnID+"/pay"), map[string]string{"pay_token": p.PayToken}, nil, nil))
	require.Eventually(t, func() bool {
		code, raw, err := trySend("GET", pay.URL("payments/"+o.ID), nil, as)
		var got struct{ Status string }
		return err == nil && code == 200 && json.Unmarshal(raw, &got) == nil && got.Status == "refunded"
	}, 60*time.Second, 250*time.Millisecond, "the late payment is refunded")

	var got struct {
		Status    string `json:"status"`
		RefundDue bool   `json:"refund_due"`
		TxnID     string `json:"txn_id"`
		Reason    string `json:"reason"`
	}
	require.Equal(t, 200, send(t, "GET", ord.URL("orders/"+o.ID), nil, as, &got))
	assert.Equal(t, "expired", got.Status, "the order stays expired")
	assert.True(t, got.RefundDue)
	assert.Equal(t, p.TxnID, got.TxnID)
	assert.NotEmpty(t, got.Reason)

	var at struct {
		Status        string `json:"status"`
		RefundedCents int64  `json:"refunded_cents"`
	}
	require.Equal(t, 200, send(t, "GET", sim.URL("v1/payments/"+p.TxnID), nil, nil, &at))
	assert.Equal(t, "refunded", at.Status)
	assert.Equal(t, p.AmountCents, at.RefundedCents, "refunded in full, once")

	var s struct{ Restocked, Sold, Reserved, Available int64 }
	require.Equal(t, http.StatusOK, send(t, "GET", inv.URL(fmt.Sprintf("stock/%s/%s/%s", storeID, dishID, period)), nil, nil, &s))
	assert.Zero(t, s.Sold, "never sold")
	assert.Zero(t, s.Reserved)
	assert.EqualValues(t, 10, s.Available, "counted once: back on sale")
}
