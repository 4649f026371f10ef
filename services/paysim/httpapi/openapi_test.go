package httpapi

// paysim's API contract is services/paysim/openapi.yaml, a hand-written OpenAPI 3.1 document: the
// source of truth a merchant, or a rewrite in another language, is held to. We check Go against
// it rather than generate Go from it; these tests fail when the two disagree (see
// services/internal/apidoc): the routes gin serves, the JSON of every body type, the error codes
// the package can write, and real answers of the handlers over the in-memory repository validated
// against the documented response schemas.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apidoc"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/paysim/provider"
	"github.com/canteen/canteen/services/paysim/provider/providertest"
)

const openAPI = "../openapi.yaml"

func newEngine(repo provider.Repository) http.Handler {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := httpserver.NewEngine("paysim", quiet)
	Register(r, provider.NewService(repo, &providertest.Notifier{}, provider.Options{
		NotifyDelay: time.Millisecond, NewToken: func() string { return "tok" },
	}), quiet)
	return r
}

func TestOpenAPIDocumentMatchesThePaysimAPI(t *testing.T) {
	r := httpserver.NewEngine("paysim", slog.New(slog.NewTextHandler(io.Discard, nil)))
	Register(r, nil, nil)
	apidoc.Check(t, openAPI, r, map[string]any{
		"CreatePaymentRequest": paysimapi.CreatePaymentRequest{},
		"Payment":              paysimapi.Payment{},
		"PayRequest":           paysimapi.PayRequest{},
		"RefundRequest":        paysimapi.RefundRequest{},
		"Refund":               paysimapi.Refund{},
		"FaultsRequest":        paysimapi.Faults{},
		"Faults":               paysimapi.Faults{},
	}, ".", "../../internal/paysimapi")
}

func TestPaysimAnswersAreValidByTheOpenAPIDocument(t *testing.T) {
	doc := apidoc.Load(t, openAPI)
	h := newEngine(providertest.NewMemory())
	do := func(t *testing.T, method, path, body string) *httptest.ResponseRecorder {
		t.Helper()
		return doc.Do(t, h, httptest.NewRequest(method, path, strings.NewReader(body)))
	}
	txn := provider.TxnID("o1")
	create := `{"merchant_order_id":"o1","amount_cents":1800,"notify_url":"http://127.0.0.1:9/notify","description":"lunch"}`
	require.Equal(t, http.StatusCreated, do(t, "POST", "/v1/payments", create).Code)
	require.Contains(t, do(t, "POST", "/v1/payments", create).Body.String(), `"pay_token":"tok"`, "a repeated create answers the token too")
	require.NotContains(t, do(t, "GET", "/v1/payments/"+txn, "").Body.String(), "pay_token", "only creates answer the token")
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/v1/payments", create, 200},
		{"POST", "/v1/payments", `{"merchant_order_id":"o1","amount_cents":1900,"notify_url":"http://127.0.0.1:9/notify"}`, 409},
		{"POST", "/v1/payments", `{"merchant_order_id":"o2","amount_cents":0,"notify_url":"http://127.0.0.1:9/notify"}`, 400},
		{"POST", "/v1/payments", `{"merchant_order_id":"o2","amount_cents":5,"notify_url":"notify"}`, 400},
		{"POST", "/v1/payments", `{"merchant_order_id":"o2","amount_cents":5,"notify_url":"http://m/","tip":1}`, 400},
		{"POST", "/v1/payments", `{"merchant_order_id":`, 400},
		{"POST", "/v1/payments", `{"merchant_order_id":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
		{"GET", "/v1/payments?merchant_order_id=o1", "", 200},
		{"GET", "/v1/payments?merchant_order_id=nobody", "", 404},
		{"GET", "/v1/payments", "", 400},
		{"GET", "/v1/payments/" + txn, "", 200},
		{"GET", "/v1/payments/txn_nobody", "", 404},
		{"GET", "/v1/payments/a.b", "", 400},
		{"POST", "/v1/payments/" + txn + "/refunds", `{"refund_id":"r1","amount_cents":100}`, 409},
		{"POST", "/v1/payments/" + txn + "/pay", `{"pay_token":"wrong"}`, 403},
		{"POST", "/v1/payments/" + txn + "/pay", `{}`, 400},
		{"POST", "/v1/payments/" + txn + "/pay", `{"pay_token":"tok"}`, 200},
		{"POST", "/v1/payments/" + txn + "/pay", `{"pay_token":"tok"}`, 200},
		{"POST", "/v1/payments/txn_nobody/pay", `{"pay_token":"tok"}`, 404},
		{"POST", "/v1/payments/" + txn + "/refunds", `{"refund_id":"r1","amount_cents":100}`, 200},
		{"POST", "/v1/payments/" + txn + "/refunds", `{"refund_id":"r1","amount_cents":100}`, 200},
		{"POST", "/v1/payments/" + txn + "/refunds", `{"refund_id":"r1","amount_cents":200}`, 409},
		{"POST", "/v1/payments/" + txn + "/refunds", `{"refund_id":"r2","amount_cents":1701}`, 409},
		{"POST", "/v1/payments/" + txn + "/refunds", `{"refund_id":"","amount_cents":1}`, 400},
		{"POST", "/v1/payments/" + txn + "/refunds", `{"refund_id":"r2","amount_cents":1700}`, 200},
		{"POST", "/v1/payments/" + txn + "/refunds", `{"refund_id":"r3","amount_cents":1}`, 409},
		{"PUT", "/v1/payments/" + txn + "/faults", `{"duplicates":2,"out_of_order":true}`, 200},
		{"PUT", "/v1/payments/" + txn + "/faults", `{"down":true}`, 400},
		{"PUT", "/v1/payments/txn_nobody/faults", `{}`, 404},
		{"GET", "/v1/faults", "", 200},
		{"PUT", "/v1/faults", `{"delay_ms":-1}`, 400},
		{"PUT", "/v1/faults", `{"delay_ms":9223372036854775807}`, 400},
		{"PUT", "/v1/faults", `{"duplicates":11}`, 400},
		{"PUT", "/v1/faults", `{"decline":true,"delay_ms":250,"duplicates":1,"lose":true,"out_of_order":true}`, 200},
		{"PUT", "/v1/faults", `{"down":true}`, 200},
		{"GET", "/v1/payments/" + txn, "", 503},
		{"POST", "/v1/payments", create, 503},
		{"GET", "/v1/faults", "", 200},
		{"PUT", "/v1/faults", `{}`, 200},
		{"GET", "/v1/payments/" + txn, "", 200},
	} {
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
			require.Equal(t, c.want, do(t, c.method, c.path, c.body).Code)
		})
	}

	broken := newEngine(unreachable{providertest.NewMemory()})
	require.Equal(t, http.StatusServiceUnavailable, doc.Do(t, broken, httptest.NewRequest("GET", "/v1/faults", nil)).Code)
}

// unreachable is a repository whose store cannot be reached.
type unreachable struct{ *providertest.Memory }

func (unreachable) Faults(context.Context) (provider.Faults, provider.Token, error) {
	return provider.Faults{}, "", errors.New("state store unreachable")
}
