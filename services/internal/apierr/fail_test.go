package apierr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/occ"
)

// answer runs handle on a request to path, through an engine with route, and returns the answer.
func answer(t *testing.T, route, path string, handle gin.HandlerFunc) (*httptest.ResponseRecorder, Body) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET(route, handle)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	var body Body
	if w.Code != http.StatusOK {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
	}
	return w, body
}

func TestFailAnswersWhatNoServiceOwnsAs503WithRetryAfter(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		logged bool
	}{
		{"contention", occ.ErrExhausted, false},
		{"wrapped contention", fmt.Errorf("reserve o1: %w", occ.ErrExhausted), false},
		{"a fault", errors.New("sidecar unreachable"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			w, body := answer(t, "/orders/:id", "/orders/o1", func(c *gin.Context) { Fail(c, log, tc.err) })
			assert.Equal(t, http.StatusServiceUnavailable, w.Code)
			assert.Equal(t, RetryAfter, w.Header().Get("Retry-After"))
			assert.Equal(t, CodeUnavailable, body.Error.Code)
			assert.NotEmpty(t, body.Error.Message)
			assert.NotContains(t, body.Error.Message, "sidecar", "internal detail stays in the log")
			if tc.logged {
				assert.Contains(t, logs.String(), "sidecar unreachable")
				assert.Contains(t, logs.String(), "/orders/:id")
			} else {
				assert.Empty(t, logs.String(), "contention is expected, not logged")
			}
		})
	}
}

func TestHelpersWriteTheEnvelope(t *testing.T) {
	cases := []struct {
		name   string
		handle gin.HandlerFunc
		status int
		code   string
		field  string
	}{
		{"invalid", func(c *gin.Context) { Invalid(c, "store_id", "bad") }, http.StatusBadRequest, CodeInvalid, "store_id"},
		{"not found", func(c *gin.Context) { NotFound(c, "", "no such order") }, http.StatusNotFound, CodeNotFound, ""},
		{"unavailable", func(c *gin.Context) { Unavailable(c, "later") }, http.StatusServiceUnavailable, CodeUnavailable, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, body := answer(t, "/", "/", tc.handle)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.code, body.Error.Code)
			assert.Equal(t, tc.field, body.Error.Field)
			assert.NotEmpty(t, body.Error.Message)
			assert.Equal(t, tc.status == http.StatusServiceUnavailable, w.Header().Get("Retry-After") != "")
		})
	}
}

func TestPathIDsRefusesWhatIsNotAnIDNamingTheParameter(t *testing.T) {
	cases := []struct {
		name, path, field string
	}{
		{"both fine", "/s/store-1/d/Dish_2", ""},
		{"64 characters", "/s/" + strings.Repeat("a", 64) + "/d/x", ""},
		{"65 characters", "/s/" + strings.Repeat("a", 65) + "/d/x", "store"},
		{"pipes in the second", "/s/s1/d/a||b", "dish"},
		{"space", "/s/%20/d/x", "store"},
		{"dot", "/s/s1/d/a.b", "dish"},
		{"colon", "/s/a:b/d/x", "store"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reached := false
			w, body := answer(t, "/s/:store/d/:dish", tc.path, func(c *gin.Context) {
				if PathIDs(c, "store", "dish") {
					reached = true
					c.Status(http.StatusOK)
				}
			})
			switch {
			case tc.field == "":
				assert.Equal(t, http.StatusOK, w.Code)
				assert.True(t, reached)
			default:
				assert.Equal(t, http.StatusBadRequest, w.Code)
				assert.False(t, reached, "the handler stops at a malformed id")
				assert.Equal(t, CodeInvalid, body.Error.Code)
				assert.Equal(t, tc.field, body.Error.Field)
				assert.Contains(t, body.Error.Message, tc.field)
			}
		})
	}
}
