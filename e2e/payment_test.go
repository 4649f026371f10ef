package e2e

// The payment suite, through real sidecars: payment, paysim (the provider) and the order saga;
// saga_test.go adds the order's side and the audit of every order these tests place.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settleWithin bounds "the reconciler settles it": dapr.yaml runs payment's job every 2 s and asks
// the provider about intents pending over 3 s; the job's first tick may wait a period.
const settleWithin = 30 * time.Second

func paymentURL(path string) string { return platform.App("payment").URL(path) }

type paymentView struct {
	OrderID     string `json:"order_id"`
	TxnID       string `json:"txn_id"`
	AmountCents int64  `json:"amount_cents"`
	Status      string `json:"status"`
	PayToken    string `json:"pay_token"`
}

// unpaidOrder checks out one unit for a new customer and returns the order.
func unpaidOrder(t *testing.T) order {
	t.Helper()
	store, dish := saleStore(t, 10, 1)
	customer := "pay-" + uuid.NewString()[:8]
	r, err := checkout(customer, uuid.NewString(), orderBody(store, dish, 1))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	o := decode[order](t, r)
	paymentLedger.add(o, store, dish)
	return o
}

func createPayment(orderID, customer string) (response, error) {
	return tryCallWith(http.MethodPost, paymentURL("payments"), map[string]string{"order_id": orderID}, map[string]string{"X-Customer-Id": customer})
}

func readPayment(t *testing.T, orderID, customer string) paymentView {
	t.Helper()
	r, err := tryCallWith(http.MethodGet, paymentURL("payments/"+orderID), nil, map[string]string{"X-Customer-Id": customer})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return decode[paymentView](t, r)
}

func readOrder(t *testing.T, o order) order {
	t.Helper()
	r, err := tryCallWith(http.MethodGet, orderURL("orders/"+o.ID), nil, map[string]string{"X-Customer-Id": o.CustomerID})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return decode[order](t, r)
}

func setFaults(t *testing.T, path string, faults map[string]any) {
	t.Helper()
	r := call(t, http.MethodPut, paysimURL(path), faults)
	require.Less(t, r.Status, 300, "%s", r.Body)
}

func pay(t *testing.T, p paymentView) {
	t.Helper()
	r := call(t, http.MethodPost, paysimURL("v1/payments/"+p.TxnID+"/pay"), map[string]string{"pay_token": p.PayToken})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
}

// Pay an order: the payment is the order's total, the provider's notification settles it, the
// saga marks the order paid, and payment.succeeded goes out; every notification delivered six
// times, shuffled and with stale copies, changes nothing more.
func TestPaymentSettlesOnceUnderDuplicateAndOutOfOrderNotifications(t *testing.T) {
	probe := theProbe(t)
	o := unpaidOrder(t)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	p := decode[paymentView](t, r)
	assert.Equal(t, o.TotalCents, p.AmountCents, "the order's total")
	assert.Equal(t, "pending", p.Status)
	require.NotEmpty(t, p.PayToken)

	again, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, again.Status, "%s", again.Body)
	assert.Equal(t, p.TxnID, decode[paymentView](t, again).TxnID, "one payment per order")

	setFaults(t, "v1/payments/"+p.TxnID+"/faults", map[string]any{"duplicates": 5, "out_of_order": true})
	pay(t, p)
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "succeeded" }, "the payment succeeds")
	poll(t, settleWithin, func() bool { return readOrder(t, o).Status == "paid" }, "the saga marks the order paid")
	time.Sleep(2 * time.Second) // late copies still arriving would show as a second event
	assert.Equal(t, []string{"payment.succeeded"}, probe.paymentsOf(o.ID))
	store, dish := dishOf(t, o)
	v := readStock(t, store, dish)
	assert.EqualValues(t, 1, v.Sold, "one sale for six deliveries of each notification")
	assert.Zero(t, v.Reserved)
}

// The provider's lose fault: no notification comes; the reconciler asks the provider and settles.
func TestALostNotificationIsSettledByTheReconciler(t *testing.T) {
	o := unpaidOrder(t)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	p := decode[paymentView](t, r)
	setFaults(t, "v1/payments/"+p.TxnID+"/faults", map[string]any{"lose": true})
	pay(t, p)
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "succeeded" }, "the reconciler settles it")
}

// The provider down: 503 payment_unavailable with Retry-After, the payment is kept, and once the
// provider is back the reconciler (or a repeat) creates it.
func TestAProviderOutageIs503AndThePaymentIsCreatedWhenItIsBack(t *testing.T) {
	o := unpaidOrder(t)
	setFaults(t, "v1/faults", map[string]any{"down": true})
	up := false
	defer func() {
		if !up {
			setFaults(t, "v1/faults", map[string]any{"down": false})
		}
	}()
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, r.Status, "%s", r.Body)
	assert.Equal(t, "payment_unavailable", errorCode(r))
	assert.Equal(t, "creating", readPayment(t, o.ID, o.CustomerID).Status, "the payment is kept")

	setFaults(t, "v1/faults", map[string]any{"down": false})
	up = true
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "pending" }, "created at the provider")
}

// A notification without a valid signature (forged, tampered, or signed with an unknown key) is
// 401 and changes nothing, through the sidecar.
func TestAForgedNotificationIsRefused(t *testing.T) {
	o := unpaidOrder(t)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	p := decode[paymentView](t, r)
	body := fmt.Sprintf(`{"notification_id":"forged","txn_id":%q,"merchant_order_id":%q,"amount_cents":%d,"status":"succeeded","version":2,"at":"2026-11-25T11:31:00Z"}`,
		p.TxnID, o.ID, p.AmountCents)
	forged, err := tryCallWith(http.MethodPost, paymentURL("notifications"), body, map[string]string{
		"Paysim-Timestamp": fmt.Sprint(time.Now().Unix()), "Paysim-Nonce": "abcd", "Paysim-Key-Id": "k1", "Paysim-Signature": strings.Repeat("0", 64)})
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, forged.Status, "%s", forged.Body)
	assert.Equal(t, "pending", readPayment(t, o.ID, o.CustomerID).Status)

	// Tampered: signed with the real key (read through the Dapr secrets API, as paysim does),
	// then the amount changed in transit.
	const name = "signing-key-k1"
	r = call(t, http.MethodGet, platform.App("paysim").DaprURL("/v1.0/secrets/"+psSecretStore+"/"+name), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	key := decode[map[string]string](t, r)[name]
	require.NotEmpty(t, key)
	ts, nonce := fmt.Sprint(time.Now().Unix()), "beef"
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(ts + "\n" + nonce + "\n" + body))
	signed := map[string]string{"Paysim-Timestamp": ts, "Paysim-Nonce": nonce, "Paysim-Key-Id": "k1", "Paysim-Signature": hex.EncodeToString(mac.Sum(nil))}
	tampered := strings.Replace(body, fmt.Sprintf(`"amount_cents":%d`, p.AmountCents), `"amount_cents":1`, 1)
	require.NotEqual(t, body, tampered)
	r, err = tryCallWith(http.MethodPost, paymentURL("notifications"), tampered, signed)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, r.Status, "%s", r.Body)
	signed["Paysim-Key-Id"] = "k9"
	r, err = tryCallWith(http.MethodPost, paymentURL("notifications"), body, signed)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, r.Status, "a key the store does not hold: %s", r.Body)
	assert.Equal(t, "pending", readPayment(t, o.ID, o.CustomerID).Status, "nothing changed")
}

// A paid order cancelled before the store accepts it is refunded in full, once.
func TestACancelledPaidOrderIsRefundedOnce(t *testing.T) {
	probe := theProbe(t)
	o := unpaidOrder(t)
	r, err := createPayment(o.ID, o.CustomerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	p := decode[paymentView](t, r)
	pay(t, p)
	poll(t, settleWithin, func() bool { return readOrder(t, o).Status == "paid" }, "paid")
	cancelOrder(t, o.ID, o.CustomerID)
	poll(t, settleWithin, func() bool { return readPayment(t, o.ID, o.CustomerID).Status == "refunded" }, "refunded")
	var at struct {
		Status        string `json:"status"`
		RefundedCents int64  `json:"refunded_cents"`
	}
	require.NoError(t, json.Unmarshal(call(t, http.MethodGet, paysimURL("v1/payments/"+p.TxnID), nil).Body, &at))
	assert.Equal(t, "refunded", at.Status)
	assert.Equal(t, p.AmountCents, at.RefundedCents, "in full, once")
	poll(t, settleWithin, func() bool { return len(probe.paymentsOf(o.ID)) >= 2 }, "payment.refunded published")
	assert.Equal(t, []string{"payment.succeeded", "payment.refunded"}, probe.paymentsOf(o.ID))
}
