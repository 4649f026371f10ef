package httpapi_test

import (
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

// The menu's JSON is encoded once per cached menu: a staff edit through this replica (which
// forgets the cached menu) shows in the very next answer, never the earlier encoding.
func TestAMenuAnswerFollowsAnEditOnTheReplica(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var ids atomic.Int64
	svc := catalog.NewService(catalogtest.NewMemory(), func() string { return fmt.Sprintf("id-%d", ids.Add(1)) }, time.Hour)
	r := httpserver.NewEngine("menu", quiet)
	httpapi.Register(r, svc, quiet)
	ctx := context.Background()
	st, err := svc.CreateStore(ctx, catalog.StoreInput{Name: "North", Zone: "north"})
	require.NoError(t, err)
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
