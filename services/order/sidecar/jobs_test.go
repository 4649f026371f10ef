package sidecar

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/invoke"
	"github.com/canteen/canteen/services/order/ordering"
	"github.com/canteen/canteen/services/order/ordering/ordertest"
)

// jobsSidecar records the jobs scheduled through it, by name.
type jobsSidecar struct {
	mu   sync.Mutex
	jobs map[string]map[string]json.RawMessage
}

func (s *jobsSidecar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var job map[string]json.RawMessage
	if json.NewDecoder(r.Body).Decode(&job) != nil || !strings.HasPrefix(r.URL.Path, "/v1.0/jobs/") {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.jobs[strings.TrimPrefix(r.URL.Path, "/v1.0/jobs/")] = job
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// A batch of checkouts' expiries is one job naming every order, due at the latest of their
// times; an order alone keeps a job of its own.
func TestExpiriesOfABatchAreOneJob(t *testing.T) {
	sc := &jobsSidecar{jobs: map[string]map[string]json.RawMessage{}}
	srv := httptest.NewServer(sc)
	defer srv.Close()
	p := &Peers{Client: invoke.New(srv.URL, srv.Client())}
	at := time.Date(2026, 11, 25, 11, 45, 0, 0, time.UTC)
	order := func(id, store string) ordering.Order {
		return ordering.Order{ID: id, StoreID: store, Period: "2026-11-25.lunch"}
	}
	batch := []ordering.Expiry{{Order: order("a1", "s1"), At: at.Add(2 * time.Second)},
		{Order: order("b2", "s1"), At: at.Add(9 * time.Second)},
		{Order: order("c3", "s2"), At: at}}
	require.NoError(t, p.ScheduleExpiries(t.Context(), batch))
	require.NoError(t, p.ScheduleExpiries(t.Context(), batch[:1]))

	require.Len(t, sc.jobs, 2)
	alone := sc.jobs["expire-a1"]
	require.NotNil(t, alone, "an order alone: its own job")
	assert.JSONEq(t, `"2026-11-25T11:45:02Z"`, string(alone["dueTime"]))
	assert.JSONEq(t, `{"order_id":"a1","store_id":"s1","period":"2026-11-25.lunch","items":[]}`, string(alone["data"]))
	for name, job := range sc.jobs {
		if name == "expire-a1" {
			continue
		}
		assert.True(t, strings.HasPrefix(name, "expire-batch-"), name)
		assert.JSONEq(t, `"2026-11-25T11:45:09Z"`, string(job["dueTime"]), "the latest of the batch")
		var data ExpiryBatch
		require.NoError(t, json.Unmarshal(job["data"], &data))
		var ids []string
		for _, o := range data.Orders {
			ids = append(ids, o.OrderID)
		}
		assert.Equal(t, []string{"a1", "b2", "c3"}, ids)
	}
}

// noInventory releases whatever it is asked to.
type noInventory struct{ ordering.Inventory }

func (noInventory) Release(context.Context, ordering.Order) error { return nil }

// A batch's job expires every order it names, and one of an order alone its order; a body that
// names no order is dropped (200), as a retry would not mend it.
func TestAnExpiryJobExpiresEveryOrderItNames(t *testing.T) {
	repo := ordertest.NewMemory()
	svc := ordering.NewService(ordering.Deps{Repository: repo, Publisher: repo, Inventory: noInventory{},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, time.Minute)
	r := gin.New()
	RegisterCallbacks(r, svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	post := func(name, body string) int {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/job/"+name, strings.NewReader(body)))
		return w.Code
	}
	assert.Equal(t, http.StatusOK, post("expire-batch-1", `{"orders":[{"order_id":"a1","store_id":"s1","period":"2026-11-25.lunch"},{"order_id":"b2","store_id":"s1","period":"2026-11-25.lunch"}]}`))
	assert.Equal(t, http.StatusOK, post("expire-c3", `{"order_id":"c3","store_id":"s1","period":"2026-11-25.lunch"}`))
	assert.Equal(t, http.StatusOK, post("expire-batch-2", `{}`))
	for _, id := range []string{"a1", "b2", "c3"} {
		o, _, err := repo.Order(context.Background(), id)
		require.NoError(t, err, id)
		assert.Equal(t, ordering.Expired, o.Status, id)
	}
}
