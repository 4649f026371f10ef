package httpapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/payment/httpapi"
	"github.com/canteen/canteen/services/payment/paying"
	"github.com/canteen/canteen/services/payment/paying/paytest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// keys is a fixed key set; down makes every lookup a store fault.
type keys struct {
	set  map[string][]byte
	down bool
}

func (k keys) Key(_ context.Context, id string) ([]byte, error) {
	if k.down {
		return nil, errors.New("secret store unreachable")
	}
	if key, ok := k.set[id]; ok {
		return key, nil
	}
	return nil, paying.ErrUnknownKey
}

var testKeys = keys{set: map[string][]byte{"k1": []byte("key-one"), "k2": []byte("key-two")}}

// api is the payment API over the in-memory store and fakes, with order o1 of customer c1
// (2400 cents) pending payment.
type api struct {
	engine   *gin.Engine
	mem      *paytest.Memory
	provider *paytest.Provider
	orders   *paytest.Orders
}

func newAPI(k httpapi.Keys) *api {
	a := &api{mem: paytest.NewMemory(), provider: paytest.NewProvider(), orders: paytest.NewOrders()}
	a.orders.Pending("o1", "c1", 2400)
	svc := paying.NewService(paying.Deps{Repository: a.mem, Index: a.mem, Publisher: a.mem, Orders: a.orders, Provider: a.provider, Log: quiet},
		paying.Config{})
	a.engine = httpserver.NewEngine("payment", quiet)
	httpapi.Register(a.engine, svc, k, quiet)
	return a
}

func (a *api) request(method, path, customer, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if customer != "" {
		req.Header.Set("X-Customer-Id", customer)
	}
	return req
}

func (a *api) do(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	a.engine.ServeHTTP(w, req)
	return w
}

// signed is a notification request signed with key id kid (and its key in testKeys).
func signed(kid, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/notifications", strings.NewReader(body))
	ts := "1764650000"
	req.Header.Set(paysimapi.HeaderTimestamp, ts)
	req.Header.Set(paysimapi.HeaderNonce, "0a1b2c")
	req.Header.Set(paysimapi.HeaderKeyID, kid)
	req.Header.Set(paysimapi.HeaderSignature, paysimapi.Sign(testKeys.set[kid], ts, "0a1b2c", []byte(body)))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func notificationBody(status string, version int, amount int) string {
	return `{"notification_id":"n-` + status + `","txn_id":"txn-o1","merchant_order_id":"o1","amount_cents":` + strconv.Itoa(amount) +
		`,"status":"` + status + `","version":` + strconv.Itoa(version) + `,"at":"` + time.Date(2026, 11, 25, 11, 31, 0, 0, time.UTC).Format(time.RFC3339) + `"}`
}
