package httpapi_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/canteen/canteen/services/internal/apierr"
)

func TestMalformedPathIDsAre400NamingTheParameterBeforeAnyStateCall(t *testing.T) {
	// Every state call fails (a read with 503, a write with a panic): a 400 proves there was none.
	a := newAPI(t, brokenRepo{err: errors.New("a state call was made")})
	items := map[string]any{"items": []any{item("rice", 1)}}
	long := strings.Repeat("a", 65)
	cases := []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"store with pipes", http.MethodGet, "/stock/a||b/rice/" + period, nil, "store"},
		{"dish of 65 characters", http.MethodGet, "/stock/s1/" + long + "/" + period, nil, "dish"},
		{"period without a meal", http.MethodGet, "/stock/s1/rice/2026-11-25", nil, "period"},
		{"period with pipes", http.MethodGet, "/stock/s1/rice/a||b", nil, "period"},
		{"release, order with a space", http.MethodPost, "/reservations/%20/release", items, "order"},
		{"release, order of 65 characters", http.MethodPost, "/reservations/" + long + "/release", items, "order"},
		{"release, order with pipes and a malformed body", http.MethodPost, "/reservations/a||b/release", `{"items":`, "order"},
		{"confirm, order with pipes", http.MethodPost, "/reservations/a||b/confirm", nil, "order"},
		{"confirm, order with a dot", http.MethodPost, "/reservations/a.b/confirm", nil, "order"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := a.do(tc.method, tc.path, tc.body)
			assert.Equal(t, http.StatusBadRequest, status, "%v", body)
			code, field, msg := errorOf(body)
			assert.Equal(t, apierr.CodeInvalid, code)
			assert.Equal(t, tc.field, field)
			assert.NotEmpty(t, msg)
		})
	}
}
