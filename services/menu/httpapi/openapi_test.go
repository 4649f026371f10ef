package httpapi

// The menu API's contract is services/menu/openapi.yaml, a hand-written OpenAPI 3.1 document: the
// source of truth a client, or a rewrite in another language, is held to. We check Go against it
// rather than generate Go from it, so that the Go types stay the plain, reviewed ones; these tests
// fail when the two disagree (see services/internal/apidoc): the routes gin serves, the JSON of
// every request and response type, the error codes the package can write, and real answers of the
// handlers over the in-memory catalog validated against the documented response schemas.

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
	"github.com/canteen/canteen/services/menu/catalog"
	"github.com/canteen/canteen/services/menu/catalog/catalogtest"
)

const openAPI = "../openapi.yaml"

func newOpenAPIEngine(repo catalog.Repository) http.Handler {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := httpserver.NewEngine("menu", quiet)
	n := 0
	Register(r, catalog.NewService(repo, func() string { n++; return "id" + string(rune('0'+n)) }, 0), quiet)
	return r
}

func TestOpenAPIDocumentMatchesTheMenuAPI(t *testing.T) {
	r := httpserver.NewEngine("menu", slog.New(slog.NewTextHandler(io.Discard, nil)))
	Register(r, nil, nil)
	apidoc.Check(t, openAPI, r, map[string]any{
		"StoreRequest": storeRequest{},
		"Store":        storeResponse{},
		"DishRequest":  dishRequest{},
		"Dish":         dishResponse{},
		"Menu":         menuResponse{},
	})
}

func TestMenuAnswersAreValidByTheOpenAPIDocument(t *testing.T) {
	doc := apidoc.Load(t, openAPI)
	mem := catalogtest.NewMemory()
	h := newOpenAPIEngine(mem)
	do := func(t *testing.T, method, path, body string) int {
		t.Helper()
		return doc.Do(t, h, httptest.NewRequest(method, path, strings.NewReader(body))).Code
	}
	store := `{"name":"North","zone":"A","opening_hours":[{"open":"11:30","close":"14:00"}]}`
	dish := `{"name":"Soup","category":"Starters","price_cents":450,"image_url":"https://img.example/soup.png"}`
	require.Equal(t, http.StatusCreated, do(t, "POST", "/stores", store))
	require.Equal(t, http.StatusCreated, do(t, "POST", "/stores/id1/dishes", dish))
	// The kitchen has announced the store's load: the store's answers carry it.
	require.NoError(t, catalog.NewService(mem, nil, 0).ApplyLoad(context.Background(), "id1",
		catalog.KitchenLoad{Busy: true, Wait: 25 * time.Minute, Seq: 1, At: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)}))
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/stores/id1", "", 200},
		{"GET", "/stores/id1/menu", "", 200},
		{"GET", "/stores/id1/dishes/id2", "", 200},
		{"PUT", "/stores/id1", `{"name":"North","zone":"B","busy":true,"version":1}`, 200},
		{"PUT", "/stores/id1/dishes/id2", `{"name":"Soup","category":"Starters","price_cents":500,"sold_out":true,"version":1}`, 200},
		{"PUT", "/stores/id1", `{"name":"North","zone":"B","version":1}`, 409},
		{"PUT", "/stores/id1/dishes/id2", `{"name":"Soup","category":"Starters","price_cents":500}`, 400},
		{"POST", "/stores", `{"name":"North","zone":"A","colour":"red"}`, 400},
		{"POST", "/stores", `{"name":`, 400},
		{"POST", "/stores", `{"name":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
		{"POST", "/stores/id1/dishes", `{"name":"Soup","category":"Starters","price_cents":0}`, 400},
		{"GET", "/stores/nope", "", 404},
		{"GET", "/stores/a%7C%7Cb", "", 400},
		{"GET", "/stores/id1/dishes/nope", "", 404},
		{"POST", "/stores/nope/dishes", dish, 404},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			require.Equal(t, c.want, do(t, c.method, c.path, c.body))
		})
	}

	broken := newOpenAPIEngine(unreachableCatalog{catalogtest.NewMemory()})
	require.Equal(t, http.StatusServiceUnavailable, doc.Do(t, broken, httptest.NewRequest("GET", "/stores/id1/menu", nil)).Code)
}

// unreachableCatalog is a repository whose store cannot be reached.
type unreachableCatalog struct{ *catalogtest.Memory }

func (unreachableCatalog) Store(context.Context, string) (catalog.Store, catalog.Token, error) {
	return catalog.Store{}, "", errors.New("state store unreachable")
}
