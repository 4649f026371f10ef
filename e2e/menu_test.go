package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type store struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Zone    string `json:"zone"`
	Busy    bool   `json:"busy"`
	Version int64  `json:"version"`
}

type dish struct {
	ID         string `json:"id"`
	StoreID    string `json:"store_id"`
	Name       string `json:"name"`
	Category   string `json:"category"`
	PriceCents int64  `json:"price_cents"`
	SoldOut    bool   `json:"sold_out"`
	Version    int64  `json:"version"`
}

type menu struct {
	Store      store `json:"store"`
	Categories []struct {
		Name   string `json:"name"`
		Dishes []dish `json:"dishes"`
	} `json:"categories"`
}

func menuURL(path string) string { return platform.App("menu").URL(path) }

func createStore(t *testing.T, name string) store {
	t.Helper()
	r := call(t, http.MethodPost, menuURL("stores"), map[string]any{
		"name": name, "zone": "north-campus", "opening_hours": []map[string]string{{"open": "10:30", "close": "14:00"}},
	})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	return decode[store](t, r)
}

func createDish(t *testing.T, storeID, name, category string, cents int64) dish {
	t.Helper()
	r := call(t, http.MethodPost, menuURL("stores/"+storeID+"/dishes"), map[string]any{"name": name, "category": category, "price_cents": cents})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	return decode[dish](t, r)
}

func TestMenuStaffEditAndCustomerBrowse(t *testing.T) {
	s := createStore(t, "North Canteen")
	rice := createDish(t, s.ID, "Braised pork rice", "Rice", 1800)
	noodles := createDish(t, s.ID, "Beef noodles", "Noodles", 1600)
	egg := createDish(t, s.ID, "Tomato egg rice", "Rice", 1200)

	r := call(t, http.MethodGet, menuURL("stores/"+s.ID+"/menu"), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	m := decode[menu](t, r)
	assert.Equal(t, "North Canteen", m.Store.Name)
	require.Len(t, m.Categories, 2)
	assert.Equal(t, "Rice", m.Categories[0].Name)
	assert.Equal(t, []string{rice.ID, egg.ID}, []string{m.Categories[0].Dishes[0].ID, m.Categories[0].Dishes[1].ID})
	assert.Equal(t, noodles.ID, m.Categories[1].Dishes[0].ID)
	assert.EqualValues(t, 1800, m.Categories[0].Dishes[0].PriceCents)

	// A client that accepts gzip gets the menu compressed through the sidecar, the same JSON.
	z, err := tryCallWith(http.MethodGet, menuURL("stores/"+s.ID+"/menu"), nil, map[string]string{"Accept-Encoding": "gzip"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, z.Status)
	require.Equal(t, "gzip", z.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(bytes.NewReader(z.Body))
	require.NoError(t, err)
	unzipped, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.JSONEq(t, string(r.Body), string(unzipped))

	// A staff edit with the version just read succeeds; the menu shows it at once on this replica.
	r = call(t, http.MethodPut, menuURL("stores/"+s.ID+"/dishes/"+rice.ID), map[string]any{
		"name": "Braised pork rice", "category": "Rice", "price_cents": 1900, "sold_out": true, "version": rice.Version,
	})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	updated := decode[dish](t, r)
	assert.EqualValues(t, 2, updated.Version)
	m = decode[menu](t, call(t, http.MethodGet, menuURL("stores/"+s.ID+"/menu"), nil))
	assert.EqualValues(t, 1900, m.Categories[0].Dishes[0].PriceCents)
	assert.True(t, m.Categories[0].Dishes[0].SoldOut)

	// The same edit again, carrying the version that is now stale, is refused and changes nothing.
	r = call(t, http.MethodPut, menuURL("stores/"+s.ID+"/dishes/"+rice.ID), map[string]any{
		"name": "Braised pork rice", "category": "Rice", "price_cents": 100, "version": rice.Version,
	})
	require.Equal(t, http.StatusConflict, r.Status, "%s", r.Body)
	assert.Equal(t, "version", decode[apiError](t, r).Error.Field)
	got := decode[dish](t, call(t, http.MethodGet, menuURL("stores/"+s.ID+"/dishes/"+rice.ID), nil))
	assert.EqualValues(t, 1900, got.PriceCents)
	assert.EqualValues(t, 2, got.Version)

	// Store details follow the same rule.
	r = call(t, http.MethodPut, menuURL("stores/"+s.ID), map[string]any{"name": "North Canteen", "zone": "north-campus", "busy": true, "version": s.Version})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.True(t, decode[store](t, r).Busy)
	r = call(t, http.MethodPut, menuURL("stores/"+s.ID), map[string]any{"name": "Stale", "zone": "north-campus", "version": s.Version})
	assert.Equal(t, http.StatusConflict, r.Status, "%s", r.Body)
}

// Concurrent staff edits from the same version: first write wins, every other one gets 409.
func TestMenuConcurrentEditsFirstWriteWins(t *testing.T) {
	s := createStore(t, "Contended Canteen")
	d := createDish(t, s.ID, "Dumplings", "Dumplings", 1000)
	const editors = 20
	var wg sync.WaitGroup
	statuses := make([]int, editors)
	for i := range editors {
		wg.Go(func() {
			r := call(t, http.MethodPut, menuURL("stores/"+s.ID+"/dishes/"+d.ID), map[string]any{
				"name": "Dumplings", "category": "Dumplings", "price_cents": 1000 + i, "version": d.Version,
			})
			statuses[i] = r.Status
		})
	}
	wg.Wait()
	var ok, conflict int
	for _, st := range statuses {
		switch st {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflict++
		}
	}
	assert.Equal(t, 1, ok, "statuses: %v", statuses)
	assert.Equal(t, editors-1, conflict, "statuses: %v", statuses)
	got := decode[dish](t, call(t, http.MethodGet, menuURL("stores/"+s.ID+"/dishes/"+d.ID), nil))
	assert.EqualValues(t, 2, got.Version)
}

func TestMenuBadInputGets4xxJSONAndWritesNothing(t *testing.T) {
	s := createStore(t, "Strict Canteen")
	d := createDish(t, s.ID, "Congee", "Breakfast", 500)
	dishes := "stores/" + s.ID + "/dishes"
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"malformed JSON", http.MethodPost, dishes, `{"name": "x",`, 400, ""},
		{"empty body", http.MethodPost, dishes, "", 400, ""},
		{"negative price", http.MethodPost, dishes, map[string]any{"name": "x", "category": "c", "price_cents": -1}, 400, "price_cents"},
		{"zero price", http.MethodPost, dishes, map[string]any{"name": "x", "category": "c", "price_cents": 0}, 400, "price_cents"},
		{"price as string", http.MethodPost, dishes, `{"name":"x","category":"c","price_cents":"12"}`, 400, "price_cents"},
		{"over-long name", http.MethodPost, dishes, map[string]any{"name": strings.Repeat("x", 81), "category": "c", "price_cents": 100}, 400, "name"},
		{"missing category", http.MethodPost, dishes, map[string]any{"name": "x", "price_cents": 100}, 400, "category"},
		{"bad image url", http.MethodPost, dishes, map[string]any{"name": "x", "category": "c", "price_cents": 100, "image_url": "javascript:alert(1)"}, 400, "image_url"},
		{"unknown field", http.MethodPost, dishes, map[string]any{"name": "x", "category": "c", "price_cents": 100, "price": 1}, 400, "price"},
		{"version on create", http.MethodPost, dishes, map[string]any{"name": "x", "category": "c", "price_cents": 100, "version": 3}, 400, "version"},
		{"unknown store", http.MethodPost, "stores/no-such-store/dishes", map[string]any{"name": "x", "category": "c", "price_cents": 100}, 404, ""},
		{"unknown dish", http.MethodGet, dishes + "/no-such-dish", nil, 404, ""},
		{"update without version", http.MethodPut, dishes + "/" + d.ID, map[string]any{"name": "x", "category": "c", "price_cents": 100}, 400, "version"},
		{"store with bad hours", http.MethodPost, "stores", map[string]any{"name": "x", "zone": "z", "opening_hours": []map[string]string{{"open": "14:00", "close": "10:00"}}}, 400, "opening_hours"},
		{"store without name", http.MethodPost, "stores", map[string]any{"zone": "z"}, 400, "name"},
		{"oversized body", http.MethodPost, "stores", `{"name":"` + strings.Repeat("x", 70000) + `"}`, 413, ""},
		{"unknown endpoint", http.MethodGet, "no/such/endpoint", nil, 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, menuURL(tc.path), tc.body)
			assert.Equal(t, tc.status, r.Status, "%s", r.Body)
			e := decode[apiError](t, r)
			assert.NotEmpty(t, e.Error.Code)
			assert.NotEmpty(t, e.Error.Message)
			assert.Equal(t, tc.field, e.Error.Field)
		})
	}
	// Nothing above was written: the menu still holds exactly the one dish, unchanged.
	m := decode[menu](t, call(t, http.MethodGet, menuURL("stores/"+s.ID+"/menu"), nil))
	require.Len(t, m.Categories, 1)
	require.Len(t, m.Categories[0].Dishes, 1)
	assert.Equal(t, d, m.Categories[0].Dishes[0])
}

// A crashed sidecar is restarted (as Kubernetes or Tilt would); the app carries on through it.
func TestMenuSurvivesSidecarRestart(t *testing.T) {
	s := createStore(t, "Resilient Canteen")
	d := createDish(t, s.ID, "Hotpot", "Hotpot", 4200)
	app := platform.App("menu")

	app.KillSidecar()
	require.NoError(t, app.StartSidecar(t.Context()))

	got := decode[dish](t, call(t, http.MethodGet, menuURL(fmt.Sprintf("stores/%s/dishes/%s", s.ID, d.ID)), nil))
	assert.Equal(t, d, got)
	m := decode[menu](t, call(t, http.MethodGet, menuURL("stores/"+s.ID+"/menu"), nil))
	require.Len(t, m.Categories, 1)
	// Writes work too, through the new sidecar.
	createDish(t, s.ID, "Hotpot for two", "Hotpot", 7800)
}
