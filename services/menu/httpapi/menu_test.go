package httpapi_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/menu/catalog"
	"github.com/canteen/canteen/services/menu/catalog/catalogtest"
	"github.com/canteen/canteen/services/menu/httpapi"
)

var ctx = context.Background()

// menuAPI is the menu's API over an in-memory catalog, with one store.
func menuAPI(t *testing.T) (http.Handler, *catalog.Service, catalog.Store) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var ids atomic.Int64
	svc := catalog.NewService(catalogtest.NewMemory(), func() string { return fmt.Sprintf("id-%d", ids.Add(1)) }, time.Hour)
	r := httpserver.NewEngine("menu", quiet)
	httpapi.Register(r, svc, quiet)
	st, err := svc.CreateStore(ctx, catalog.StoreInput{Name: "North", Zone: "north"})
	require.NoError(t, err)
	return r, svc, st
}

// The menu's JSON is encoded once per cached menu: a staff edit through this replica (which
// forgets the cached menu) shows in the very next answer, never the earlier encoding.
func TestAMenuAnswerFollowsAnEditOnTheReplica(t *testing.T) {
	r, svc, st := menuAPI(t)
	d, err := svc.CreateDish(ctx, st.ID, catalog.DishInput{Name: "Rice", Category: "Mains", PriceCents: 900})
	require.NoError(t, err)

	price := func() int64 {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/stores/"+st.ID+"/menu", nil))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
		var m struct {
			Categories []struct {
				Dishes []struct {
					PriceCents int64 `json:"price_cents"`
				} `json:"dishes"`
			} `json:"categories"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &m))
		require.Len(t, m.Categories, 1)
		require.Len(t, m.Categories[0].Dishes, 1)
		return m.Categories[0].Dishes[0].PriceCents
	}
	assert.EqualValues(t, 900, price())
	assert.EqualValues(t, 900, price(), "the cached menu's encoding")
	_, err = svc.UpdateDish(ctx, st.ID, d.ID, d.Version, catalog.DishInput{Name: "Rice", Category: "Mains", PriceCents: 1100})
	require.NoError(t, err)
	assert.EqualValues(t, 1100, price(), "the edited menu, not the earlier encoding")
}

// A client that accepts gzip gets the menu compressed, the same JSON once decompressed; one that
// refuses it (q=0) or does not say gets it plain. Both carry their length.
func TestAMenuIsCompressedForClientsThatAcceptIt(t *testing.T) {
	r, svc, st := menuAPI(t)
	for i := range 30 {
		_, err := svc.CreateDish(ctx, st.ID, catalog.DishInput{Name: fmt.Sprintf("Dish %d", i), Category: "Mains", PriceCents: 900})
		require.NoError(t, err)
	}
	get := func(acceptEncoding string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/stores/"+st.ID+"/menu", nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, fmt.Sprint(w.Body.Len()), w.Header().Get("Content-Length"))
		assert.Equal(t, "Accept-Encoding", w.Header().Get("Vary"))
		return w
	}
	plain := get("")
	assert.Empty(t, plain.Header().Get("Content-Encoding"))
	assert.True(t, json.Valid(plain.Body.Bytes()))
	for _, refused := range []string{"identity", "gzip;q=0", "br, gzip; q=0"} {
		w := get(refused)
		assert.Empty(t, w.Header().Get("Content-Encoding"), refused)
		assert.Equal(t, plain.Body.String(), w.Body.String(), refused)
	}
	for _, accepted := range []string{"gzip", "gzip, deflate, br", "br;q=1.0, GZIP;q=0.5"} {
		w := get(accepted)
		require.Equal(t, "gzip", w.Header().Get("Content-Encoding"), accepted)
		assert.Less(t, w.Body.Len(), plain.Body.Len()/2, "compressed")
		zr, err := gzip.NewReader(w.Body)
		require.NoError(t, err)
		got, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, plain.Body.String(), string(got), accepted)
	}
}
