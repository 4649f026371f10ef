package httpapi

// Inventory's API contract is services/inventory/openapi.yaml, a hand-written OpenAPI 3.1
// document: the source of truth a client, or a rewrite in another language, is held to. We check
// Go against it rather than generate Go from it, so that the Go types stay the plain, reviewed
// ones; these tests fail when the two disagree (see services/internal/apidoc): the routes gin
// serves, the JSON of every request and response type, the error codes the package can write, and
// real answers of the handlers over the in-memory store validated against the response schemas.

import (
	"context"
	"errors"
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
	"github.com/canteen/canteen/services/internal/stockapi"
	"github.com/canteen/canteen/services/inventory/stock"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

const openAPI = "../openapi.yaml"

func newOpenAPIEngine(repo stock.Repository, events *stocktest.Events) http.Handler {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := httpserver.NewEngine("inventory", quiet)
	Register(r, stock.NewService(repo, events, quiet, 0), quiet)
	return r
}

func TestOpenAPIDocumentMatchesTheInventoryAPI(t *testing.T) {
	r := httpserver.NewEngine("inventory", slog.New(slog.NewTextHandler(io.Discard, nil)))
	Register(r, nil, nil)
	apidoc.Check(t, openAPI, r, map[string]any{
		"RestockRequest": restockRequest{},
		"ReserveRequest": stockapi.ReserveRequest{},
		"LinesRequest":   stockapi.LinesRequest{},
		"Reservation":    stockapi.ReservationResponse{},
		"Stock":          stockResponse{},
	}, ".", "../../internal/stockapi")
}

func TestInventoryAnswersAreValidByTheOpenAPIDocument(t *testing.T) {
	doc := apidoc.Load(t, openAPI)
	events := &stocktest.Events{}
	h := newOpenAPIEngine(stocktest.NewMemory(), events)
	line := func(dish string, qty int) string {
		return `{"store_id":"s1","dish_id":"` + dish + `","period":"2026-11-25.lunch","quantity":` + string(rune('0'+qty)) + `}`
	}
	reserve := func(order string, lines ...string) string {
		return `{"order_id":"` + order + `","items":[` + strings.Join(lines, ",") + `]}`
	}
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/stock/restock", `{"store_id":"s1","dish_id":"soup","period":"2026-11-25.lunch","quantity":5,"restock_id":"r1","buckets":2}`, 200},
		{"POST", "/stock/restock", `{"store_id":"s1","dish_id":"soup","period":"2026-11-25.lunch","quantity":5,"restock_id":"r1"}`, 200},
		{"POST", "/stock/restock", `{"store_id":"s1","dish_id":"soup","period":"tomorrow","quantity":5,"restock_id":"r2"}`, 400},
		{"POST", "/stock/restock", `{"store_id":"s1","quantity":"5"}`, 400},
		{"POST", "/stock/restock", `{"store_id":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
		{"POST", "/reservations", reserve("o1", line("soup", 2)), 201},
		{"POST", "/reservations", reserve("o1", line("soup", 2)), 201},
		{"POST", "/reservations", reserve("o2", line("soup", 9)), 409},
		{"POST", "/reservations", reserve("o3", line("bread", 1)), 404},
		{"POST", "/reservations", reserve("o4"), 400},
		{"GET", "/stock/s1/soup/2026-11-25.lunch", "", 200},
		{"GET", "/stock/s1/bread/2026-11-25.lunch", "", 404},
		{"GET", "/stock/s1/soup/lunch", "", 400},
		{"POST", "/reservations/o1/confirm", "", 200},
		{"POST", "/reservations/o1/confirm", `{"items":[` + line("soup", 2) + `]}`, 200},
		{"POST", "/reservations/o1/release", `{}`, 409},
		{"POST", "/reservations", reserve("o5", line("soup", 1)), 201},
		{"POST", "/reservations/o5/release", `{"items":[]}`, 200},
		{"POST", "/reservations", reserve("o5", line("soup", 1)), 409},
		{"POST", "/reservations/o5/confirm", "", 409},
		{"POST", "/reservations/o6/confirm", "", 404},
		{"POST", "/reservations/o7/release", `{"items":[` + line("soup", 1) + `]}`, 200},
		{"POST", "/reservations/a%7Cb/release", `{"items":[` + line("soup", 1) + `]}`, 400},
		{"POST", "/reservations/o8/release", ``, 400},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			w := doc.Do(t, h, httptest.NewRequest(c.method, c.path, strings.NewReader(c.body)))
			require.Equal(t, c.want, w.Code, "%s", w.Body)
		})
	}

	broken := newOpenAPIEngine(unreachableStock{stocktest.NewMemory()}, &stocktest.Events{})
	require.Equal(t, http.StatusServiceUnavailable, doc.Do(t, broken, httptest.NewRequest("GET", "/stock/s1/soup/2026-11-25.lunch", nil)).Code)

	// The stock events the service published on the way are valid by the event contract.
	schema := apidoc.LoadSchema(t, "../../internal/event/schema/stock.json")
	require.NotEmpty(t, events.All)
	for _, e := range events.All {
		assert.NoError(t, schema.Validate(t, e), "%+v", e)
	}
}

// unreachableStock is a repository whose store cannot be reached.
type unreachableStock struct{ *stocktest.Memory }

func (unreachableStock) Buckets(context.Context, stock.Item, int) ([]stock.Bucket, []stock.Token, error) {
	return nil, nil, errors.New("state store unreachable")
}
