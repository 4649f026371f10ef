package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/payment/httpapi"
	"github.com/canteen/canteen/services/payment/paying"
)

func TestBadRequestsAre4xxNamingTheFieldBeforeAnyCall(t *testing.T) {
	a := newAPI(testKeys)
	a.orders.Put("paid", paying.Order{CustomerID: "c1", Status: "paid", TotalCents: 2400})
	cases := []struct {
		name, method, path, customer, body string
		status                             int
		code, field                        string
	}{
		{"no customer", "POST", "/payments", "", `{"order_id":"o1"}`, 400, apierr.CodeInvalid, "X-Customer-Id"},
		{"malformed order id", "POST", "/payments", "c1", `{"order_id":"a||b"}`, 400, apierr.CodeInvalid, "order_id"},
		{"no order id", "POST", "/payments", "c1", `{}`, 400, apierr.CodeInvalid, "order_id"},
		{"an amount from the client", "POST", "/payments", "c1", `{"order_id":"o1","amount_cents":1}`, 400, apierr.CodeInvalid, "amount_cents"},
		{"not JSON", "POST", "/payments", "c1", `order o1`, 400, apierr.CodeMalformed, ""},
		{"too large", "POST", "/payments", "c1", `{"order_id":"` + strings.Repeat("x", 70<<10) + `"}`, 413, apierr.CodeTooLarge, ""},
		{"malformed path id", "GET", "/payments/a.b", "c1", "", 400, apierr.CodeInvalid, "order_id"},
		{"another customer's order", "POST", "/payments", "c2", `{"order_id":"o1"}`, 404, apierr.CodeNotFound, "order_id"},
		{"an order that is not pending payment", "POST", "/payments", "c1", `{"order_id":"paid"}`, 409, httpapi.CodeOrderNotPayable, "order_id"},
		{"no payment yet", "GET", "/payments/o1", "c1", "", 404, apierr.CodeNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := a.do(a.request(tc.method, tc.path, tc.customer, tc.body))
			require.Equal(t, tc.status, w.Code, "%s", w.Body)
			var e apierr.Body
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
			assert.Equal(t, tc.code, e.Error.Code)
			assert.Equal(t, tc.field, e.Error.Field)
		})
	}
	assert.Zero(t, a.mem.WriteCount())
	creates, _ := a.provider.Counts()
	assert.Zero(t, creates)
}

func TestAProviderOutageIs503PaymentUnavailableAndTheRepeatTakesThePayment(t *testing.T) {
	a := newAPI(testKeys)
	a.provider.SetDown(true)
	w := a.do(a.request("POST", "/payments", "c1", `{"order_id":"o1"}`))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "%s", w.Body)
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
	var e apierr.Body
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	assert.Equal(t, httpapi.CodePaymentUnavailable, e.Error.Code)
	assert.Equal(t, "payment temporarily unavailable", e.Error.Message)

	w = a.do(a.request("GET", "/payments/o1", "c1", ""))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), `"status":"creating"`, "the payment is kept")

	a.provider.SetDown(false)
	w = a.do(a.request("POST", "/payments", "c1", `{"order_id":"o1"}`))
	require.Equal(t, http.StatusOK, w.Code, "%s", w.Body)
	var p map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
	assert.Equal(t, "pending", p["status"])
	assert.Equal(t, "txn-o1", p["txn_id"])
	assert.Equal(t, "tok-o1", p["pay_token"])
	assert.EqualValues(t, 2400, p["amount_cents"])
}
