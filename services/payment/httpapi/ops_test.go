package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/payment/httpapi"
	"github.com/canteen/canteen/services/payment/paying"
	"github.com/canteen/canteen/services/payment/paying/paytest"
	"github.com/canteen/canteen/services/payment/sidecar"
)

// The job tick and the operator endpoints: before any sweep GET answers 404; a tick sweeps, an
// unknown job is acknowledged and ignored; POST sweeps now; GET answers the last report.
func TestReconcileJobAndOpsEndpoints(t *testing.T) {
	mem := paytest.NewMemory()
	svc := paying.NewService(paying.Deps{Repository: mem, Index: mem, Publisher: mem, Orders: paytest.NewOrders(), Provider: paytest.NewProvider(), Log: quiet}, paying.Config{})
	rec := paying.NewReconciler(svc, mem, quiet)
	r := httpserver.NewEngine("payment", quiet)
	httpapi.RegisterOps(r, rec, quiet)
	sidecar.RegisterCallbacks(r, rec, quiet)
	send := func(method, path string) (int, map[string]any) {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		var out map[string]any
		if w.Body.Len() > 0 {
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), "%s", w.Body)
		}
		return w.Code, out
	}
	code, _ := send(http.MethodGet, "/ops/reconcile")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = send(http.MethodPost, "/job/something-else")
	assert.Equal(t, http.StatusOK, code)
	code, _ = send(http.MethodGet, "/ops/reconcile")
	assert.Equal(t, http.StatusNotFound, code, "an unknown job does not sweep")

	code, _ = send(http.MethodPost, "/job/"+sidecar.ReconcileJob)
	assert.Equal(t, http.StatusOK, code)
	code, body := send(http.MethodGet, "/ops/reconcile")
	require.Equal(t, http.StatusOK, code)
	for _, k := range []string{"started_at", "finished_at", "listed", "polled", "settled", "resumed", "refunded", "abandoned", "unlisted", "errors", "error_samples"} {
		assert.Contains(t, body, k)
	}
	code, body = send(http.MethodPost, "/ops/reconcile")
	require.Equal(t, http.StatusOK, code)
	assert.EqualValues(t, 0, body["errors"])
}
