package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/stockapi"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/inventory/httpapi"
	"github.com/canteen/canteen/services/inventory/sidecar"
	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

const period = "2026-11-25.lunch"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// api is inventory's HTTP API over an in-memory store (or repo, when given).
type api struct {
	t    *testing.T
	r    *gin.Engine
	repo stock.Repository
}

func newAPI(t *testing.T, repo stock.Repository) *api {
	if repo == nil {
		repo = stocktest.NewMemory()
	}
	r := httpserver.NewEngine("inventory", quiet)
	svc := stock.NewService(repo, &stocktest.Events{}, quiet, 0)
	httpapi.Register(r, svc, quiet)
	subscribe.Register(r, subscribe.Config{App: "inventory", Log: quiet, Letters: &subscribe.MemoryLetters{}}, sidecar.OrdersRoute(svc))
	return &api{t: t, r: r, repo: repo}
}

// do sends body (a string raw, anything else as JSON) and returns the status and the decoded body.
func (a *api) do(method, path string, body any) (int, map[string]any, http.Header) {
	a.t.Helper()
	raw, ok := body.(string)
	if !ok && body != nil {
		b, err := json.Marshal(body)
		require.NoError(a.t, err)
		raw = string(b)
	}
	w := httptest.NewRecorder()
	a.r.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(raw)))
	var out map[string]any
	require.NoError(a.t, json.Unmarshal(w.Body.Bytes(), &out), "body: %s", w.Body)
	return w.Code, out, w.Header()
}

func (a *api) restock(dish string, qty, buckets int) {
	a.t.Helper()
	code, body, _ := a.do(http.MethodPost, "/stock/restock", map[string]any{
		"store_id": "s1", "dish_id": dish, "period": period, "quantity": qty, "restock_id": "r-" + dish, "buckets": buckets,
	})
	require.Equal(a.t, http.StatusOK, code, "%v", body)
}

func (a *api) stock(dish string) map[string]any {
	a.t.Helper()
	code, body, _ := a.do(http.MethodGet, "/stock/s1/"+dish+"/"+period, nil)
	require.Equal(a.t, http.StatusOK, code, "%v", body)
	return body
}

func item(dish string, qty any) map[string]any {
	return map[string]any{"store_id": "s1", "dish_id": dish, "period": period, "quantity": qty}
}

func errorOf(body map[string]any) (code, field, message string) {
	e, _ := body["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	message, _ = e["message"].(string)
	return code, field, message
}

func TestReserveAnswers(t *testing.T) {
	a := newAPI(t, nil)
	a.restock("rice", 10, 1)
	a.restock("soup", 1, 1)
	many := make([]any, stock.MaxItems+1)
	for i := range many {
		many[i] = item(fmt.Sprintf("d%d", i), 1)
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"malformed JSON", `{"order_id":`, 400, apierr.CodeMalformed, ""},
		{"empty body", ``, 400, apierr.CodeMalformed, ""},
		{"unknown field", map[string]any{"order_id": "o", "items": []any{item("rice", 1)}, "price": 1}, 400, apierr.CodeInvalid, "price"},
		{"missing order id", map[string]any{"items": []any{item("rice", 1)}}, 400, apierr.CodeInvalid, "order_id"},
		{"bad order id", map[string]any{"order_id": "o 1", "items": []any{item("rice", 1)}}, 400, apierr.CodeInvalid, "order_id"},
		{"no items", map[string]any{"order_id": "o", "items": []any{}}, 400, apierr.CodeInvalid, "items"},
		{"too many items", map[string]any{"order_id": "o", "items": many}, 400, apierr.CodeInvalid, "items"},
		{"zero quantity", map[string]any{"order_id": "o", "items": []any{item("rice", 0)}}, 400, apierr.CodeInvalid, "items[0].quantity"},
		{"huge quantity", map[string]any{"order_id": "o", "items": []any{item("soup", 1), item("rice", 101)}}, 400, apierr.CodeInvalid, "items[1].quantity"},
		{"quantity as text", map[string]any{"order_id": "o", "items": []any{item("rice", "2")}}, 400, apierr.CodeInvalid, "items.quantity"},
		{"fractional quantity", map[string]any{"order_id": "o", "items": []any{item("rice", 1.5)}}, 400, apierr.CodeInvalid, "items.quantity"},
		{"bad period", map[string]any{"order_id": "o", "items": []any{map[string]any{"store_id": "s1", "dish_id": "rice", "period": "today", "quantity": 1}}}, 400, apierr.CodeInvalid, "items[0].period"},
		{"dish twice", map[string]any{"order_id": "o", "items": []any{item("rice", 1), item("rice", 1)}}, 400, apierr.CodeInvalid, "items[1].dish_id"},
		{"unknown dish after a known one", map[string]any{"order_id": "o", "items": []any{item("rice", 1), item("zucchini", 1)}}, 404, string(stockapi.CodeUnknownStock), "items[1]"},
		{"more than there is", map[string]any{"order_id": "o", "items": []any{item("rice", 1), item("soup", 2)}}, 409, string(stockapi.CodeSoldOut), "items[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := a.do(http.MethodPost, "/reservations", tc.body)
			assert.Equal(t, tc.status, status, "%v", body)
			code, field, msg := errorOf(body)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.field, field)
			if tc.code == string(stockapi.CodeSoldOut) {
				assert.Contains(t, msg, "soup", "the message names the dish")
			}
		})
	}
	for _, dish := range []string{"rice", "soup"} {
		assert.Empty(t, a.stock(dish)["holds"], "refused requests hold nothing")
	}

	for range 2 { // a repeat answers the same
		status, body, _ := a.do(http.MethodPost, "/reservations", map[string]any{"order_id": "ok", "items": []any{item("rice", 2), item("soup", 1)}})
		assert.Equal(t, http.StatusCreated, status, "%v", body)
		assert.Equal(t, map[string]any{"order_id": "ok", "status": "reserved"}, body)
	}
	assert.Equal(t, []any{map[string]any{"order_id": "ok", "quantity": float64(2)}}, a.stock("rice")["holds"])

	// the same order id with other lines is refused, and holds nothing more
	status, body, _ := a.do(http.MethodPost, "/reservations", map[string]any{"order_id": "ok", "items": []any{item("rice", 5)}})
	assert.Equal(t, http.StatusConflict, status, "%v", body)
	code, _, _ := errorOf(body)
	assert.Equal(t, string(stockapi.CodeReservationMismatch), code)
	assert.Equal(t, []any{map[string]any{"order_id": "ok", "quantity": float64(2)}}, a.stock("rice")["holds"])
}

func TestReleaseAndConfirmAnswers(t *testing.T) {
	a := newAPI(t, nil)
	a.restock("rice", 10, 2)
	items := map[string]any{"items": []any{item("rice", 3)}}
	for _, o := range []string{"c1", "p1"} {
		status, body, _ := a.do(http.MethodPost, "/reservations", map[string]any{"order_id": o, "items": items["items"]})
		require.Equal(t, http.StatusCreated, status, "%v", body)
	}
	steps := []struct {
		name, path string
		body       any
		status     int
		code       string
		field      string
	}{
		{"release", "/reservations/c1/release", items, 200, "", ""},
		{"release again", "/reservations/c1/release", items, 200, "", ""},
		{"confirm released", "/reservations/c1/confirm", items, 409, string(stockapi.CodeReleased), ""},
		{"confirm with no body", "/reservations/p1/confirm", nil, 200, "", ""},
		{"confirm again", "/reservations/p1/confirm", items, 200, "", ""},
		{"release confirmed", "/reservations/p1/release", items, 409, string(stockapi.CodeConfirmed), ""},
		{"confirm unknown", "/reservations/nobody/confirm", items, 404, apierr.CodeNotFound, ""},
		{"confirm malformed", "/reservations/p1/confirm", `{"items":`, 400, apierr.CodeMalformed, ""},
		{"release malformed", "/reservations/c1/release", `[1,2`, 400, apierr.CodeMalformed, ""},
		{"release bad order id", "/reservations/a.b/release", items, 400, apierr.CodeInvalid, "order"},
		{"release unknown order without items", "/reservations/n1/release", map[string]any{"items": []any{}}, 400, apierr.CodeInvalid, "items"},
		{"release unknown order with bad item", "/reservations/n1/release", map[string]any{"items": []any{item("rice", 0)}}, 400, apierr.CodeInvalid, "items[0].quantity"},
	}
	for _, st := range steps {
		status, body, _ := a.do(http.MethodPost, st.path, st.body)
		assert.Equal(t, st.status, status, "%s: %v", st.name, body)
		code, field, _ := errorOf(body)
		assert.Equal(t, st.code, code, st.name)
		assert.Equal(t, st.field, field, st.name)
		if st.status == 200 {
			assert.Contains(t, []any{"released", "confirmed"}, body["status"], st.name)
		}
	}
	status, body, _ := a.do(http.MethodPost, "/reservations", map[string]any{"order_id": "c1", "items": items["items"]})
	assert.Equal(t, http.StatusConflict, status)
	code, _, _ := errorOf(body)
	assert.Equal(t, string(stockapi.CodeReleased), code, "a released order is not reserved again")

	s := a.stock("rice")
	assert.EqualValues(t, 10, s["restocked"])
	assert.EqualValues(t, 3, s["sold"])
	assert.EqualValues(t, 0, s["reserved"])
	assert.EqualValues(t, 7, s["available"])
}

func TestRestockAndStockAnswers(t *testing.T) {
	a := newAPI(t, nil)
	ok := map[string]any{"store_id": "s1", "dish_id": "rice", "period": period, "quantity": 16, "restock_id": "r1", "buckets": 16}
	for range 2 {
		status, body, _ := a.do(http.MethodPost, "/stock/restock", ok)
		require.Equal(t, http.StatusOK, status, "%v", body)
		assert.Equal(t, map[string]any{
			"store_id": "s1", "dish_id": "rice", "period": period, "restocked": float64(16), "sold": float64(0),
			"reserved": float64(0), "available": float64(16), "buckets": float64(16), "holds": []any{},
		}, body)
	}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range ok {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"zero quantity", with("quantity", 0), "quantity"},
		{"over a million", with("quantity", 1_000_001), "quantity"},
		{"65 buckets", with("buckets", 65), "buckets"},
		{"no restock id", with("restock_id", ""), "restock_id"},
		{"bad store", with("store_id", "s/1"), "item.store_id"},
		{"unknown field", with("price", 3), "price"},
	}
	for _, tc := range cases {
		status, body, _ := a.do(http.MethodPost, "/stock/restock", tc.body)
		assert.Equal(t, http.StatusBadRequest, status, tc.name)
		_, field, _ := errorOf(body)
		assert.Equal(t, tc.field, field, tc.name)
	}
	status, body, _ := a.do(http.MethodGet, "/stock/s1/bread/"+period, nil)
	assert.Equal(t, http.StatusNotFound, status)
	code, _, _ := errorOf(body)
	assert.Equal(t, apierr.CodeNotFound, code)
	status, body, _ = a.do(http.MethodGet, "/stock/s1/rice/lunch", nil)
	assert.Equal(t, http.StatusBadRequest, status, "a period that cannot exist is the caller's mistake")
	_, field, _ := errorOf(body)
	assert.Equal(t, "period", field)
}
