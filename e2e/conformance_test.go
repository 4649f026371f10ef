package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The guarantees every service's correctness rests on, asked of the profile's state store through
// the Dapr state API. A store (or a component setting) that does not give them fails here, before a
// customer meets an oversold dish.
func TestStateStoreEnforcesETagsWithFirstWrite(t *testing.T) {
	stateURL := platform.App("menu").DaprURL("/v1.0/state/statestore")
	key := "conformance-" + uuid.NewString()
	firstWrite := map[string]string{"concurrency": "first-write", "consistency": "strong"}
	save := func(value string, etag string) response {
		item := map[string]any{"key": key, "value": value, "options": firstWrite}
		if etag != "" {
			item["etag"] = etag
		}
		return call(t, http.MethodPost, stateURL, []any{item})
	}
	read := func() (string, string) {
		req, err := http.NewRequest(http.MethodGet, stateURL+"/"+key, nil)
		require.NoError(t, err)
		resp, err := httpClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v string
		if resp.StatusCode == http.StatusOK {
			require.NoError(t, jsonDecode(resp, &v))
		}
		return v, resp.Header.Get("ETag")
	}

	require.Equal(t, http.StatusNoContent, save("first", "").Status)
	v, stale := read()
	require.Equal(t, "first", v)
	require.NotEmpty(t, stale, "the store must return an ETag")

	r := save("second", stale)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	v, current := read()
	assert.Equal(t, "second", v)
	assert.NotEqual(t, stale, current, "a write must change the ETag")

	r = save("lost update", stale)
	assert.Equal(t, http.StatusConflict, r.Status, "a stale ETag with first-write must be refused: %s", r.Body)
	v, _ = read()
	assert.Equal(t, "second", v, "a refused write must change nothing")

	// Create-only: first-write with no ETag on an existing key must not overwrite it (inventory's
	// reservation records rely on it). Stores refuse it with different errors; the value decides.
	assert.NotEqual(t, http.StatusNoContent, save("overwrite", "").Status, "first-write without ETag over an existing key must be refused")
	v, _ = read()
	assert.Equal(t, "second", v)

	del, err := http.NewRequest(http.MethodDelete, fmt.Sprintf("%s/%s", stateURL, key), nil)
	require.NoError(t, err)
	del.Header.Set("If-Match", stale)
	del.URL.RawQuery = "concurrency=first-write"
	resp, err := httpClient.Do(del)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "a delete with a stale ETag must be refused")
	v, _ = read()
	assert.Equal(t, "second", v)
}
