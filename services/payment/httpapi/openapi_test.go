package httpapi

// The payment API's contract is services/payment/openapi.yaml, a hand-written OpenAPI 3.1
// document; these tests fail when it and the Go code disagree (see services/internal/apidoc): the
// routes gin serves, the JSON of every request and response type, the error codes the package can
// write, the payment statuses, and real answers of the handlers over in-memory fakes.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apidoc"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/payment/paying"
	"github.com/canteen/canteen/services/payment/paying/paytest"
)

const openAPI = "../openapi.yaml"

func TestOpenAPIDocumentMatchesThePaymentAPI(t *testing.T) {
	r := httpserver.NewEngine("payment", slog.New(slog.NewTextHandler(io.Discard, nil)))
	Register(r, nil, nil, nil)
	doc := apidoc.Check(t, openAPI, r, map[string]any{
		"CreatePaymentRequest": createRequest{},
		"Payment":              paymentResponse{},
		"Notification":         paysimapi.Notification{},
		"NotificationAnswer":   paysimapi.NotificationAnswer{},
	})
	var statuses []string
	for _, c := range apidoc.Consts(t, "../paying") {
		if c.Type == "Status" {
			statuses = append(statuses, c.Value)
		}
	}
	assert.ElementsMatch(t, statuses, doc.Enum(t, "Payment", "status"), "Payment.status must list exactly paying's statuses")
}

type docKeys struct{}

func (docKeys) Key(context.Context, string) ([]byte, error) { return []byte("doc-key"), nil }

func TestPaymentAnswersAreValidByTheOpenAPIDocument(t *testing.T) {
	doc := apidoc.Load(t, openAPI)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mem, provider, orders := paytest.NewMemory(), paytest.NewProvider(), paytest.NewOrders()
	orders.Pending("o1", "c1", 2400)
	orders.Pending("o2", "c1", 900)
	orders.Put("paid", paying.Order{CustomerID: "c1", Status: "paid", TotalCents: 900})
	r := httpserver.NewEngine("payment", quiet)
	Register(r, paying.NewService(paying.Deps{Repository: mem, Index: mem, Publisher: mem, Orders: orders, Provider: provider, Log: quiet}, paying.Config{}),
		docKeys{}, quiet)

	do := func(t *testing.T, method, path, customer, body string, headers map[string]string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if customer != "" {
			req.Header.Set("X-Customer-Id", customer)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		return doc.Do(t, r, req)
	}
	sign := func(body string) map[string]string {
		return map[string]string{paysimapi.HeaderTimestamp: "1764650000", paysimapi.HeaderNonce: "ab12", paysimapi.HeaderKeyID: "k1",
			paysimapi.HeaderSignature: paysimapi.Sign([]byte("doc-key"), "1764650000", "ab12", []byte(body))}
	}
	note := func(order, status string, version, amount string) string {
		return `{"notification_id":"n1","txn_id":"txn-` + order + `","merchant_order_id":"` + order + `","amount_cents":` + amount +
			`,"status":"` + status + `","version":` + version + `,"at":"2026-11-25T11:31:00Z"}`
	}
	for _, c := range []struct {
		name, method, path, customer, body string
		headers                            map[string]string
		want                               int
	}{
		{"create", "POST", "/payments", "c1", `{"order_id":"o1"}`, nil, 201},
		{"repeat", "POST", "/payments", "c1", `{"order_id":"o1"}`, nil, 200},
		{"not payable", "POST", "/payments", "c1", `{"order_id":"paid"}`, nil, 409},
		{"no such order", "POST", "/payments", "c1", `{"order_id":"o9"}`, nil, 404},
		{"bad body", "POST", "/payments", "c1", `{"order":"o1"}`, nil, 400},
		{"too large", "POST", "/payments", "c1", `{"order_id":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413},
		{"get", "GET", "/payments/o1", "c1", "", nil, 200},
		{"get, another customer", "GET", "/payments/o1", "c2", "", nil, 404},
		{"get, bad id", "GET", "/payments/a.b", "c1", "", nil, 400},
		{"notification", "POST", "/notifications", "", note("o1", "succeeded", "2", "2400"), sign(note("o1", "succeeded", "2", "2400")), 200},
		{"notification again", "POST", "/notifications", "", note("o1", "succeeded", "2", "2400"), sign(note("o1", "succeeded", "2", "2400")), 200},
		{"notification, unsigned", "POST", "/notifications", "", note("o1", "failed", "3", "2400"), nil, 401},
		{"notification, mismatch", "POST", "/notifications", "", note("o1", "refunded", "3", "1"), sign(note("o1", "refunded", "3", "1")), 409},
		{"notification, no payment", "POST", "/notifications", "", note("o7", "succeeded", "2", "100"), sign(note("o7", "succeeded", "2", "100")), 404},
		{"notification, bad", "POST", "/notifications", "", `{"status":1}`, sign(`{"status":1}`), 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := do(t, c.method, c.path, c.customer, c.body, c.headers)
			require.Equal(t, c.want, w.Code, "%s", w.Body)
		})
	}
	provider.SetDown(true)
	require.Equal(t, http.StatusServiceUnavailable, do(t, "POST", "/payments", "c1", `{"order_id":"o2"}`, nil).Code)

	// The events the service published on the way are valid by the event contract.
	events := apidoc.LoadSchema(t, "../../internal/event/schema/payment.json")
	require.Len(t, mem.Published, 1, "succeeded")
	for _, e := range mem.Published {
		assert.NoError(t, events.Validate(t, e), "%+v", e)
	}
}
