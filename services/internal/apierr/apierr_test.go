package apierr

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeRefusesWhatIsNotTheExpectedObject(t *testing.T) {
	type req struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	cases := []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"valid", `{"name":"a","count":2}`, http.StatusOK, "", ""},
		{"empty", ``, http.StatusBadRequest, CodeMalformed, ""},
		{"truncated", `{"name":`, http.StatusBadRequest, CodeMalformed, ""},
		{"not an object", `[1,2]`, http.StatusBadRequest, CodeInvalid, ""},
		{"wrong type", `{"count":"two"}`, http.StatusBadRequest, CodeInvalid, "count"},
		{"unknown field", `{"name":"a","colour":"red"}`, http.StatusBadRequest, CodeInvalid, "colour"},
		{"trailing data", `{"name":"a"} {"name":"b"}`, http.StatusBadRequest, CodeMalformed, ""},
		{"too large", `{"name":"` + strings.Repeat("a", MaxBody) + `"}`, http.StatusRequestEntityTooLarge, CodeTooLarge, ""},
	}
	gin.SetMode(gin.TestMode)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			var dst req
			if Decode(c, &dst) {
				c.Status(http.StatusOK)
			}
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.status == http.StatusOK {
				assert.Equal(t, req{Name: "a", Count: 2}, dst)
				return
			}
			var body Body
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
			assert.Equal(t, tc.code, body.Error.Code)
			assert.Equal(t, tc.field, body.Error.Field)
			assert.NotEmpty(t, body.Error.Message)
		})
	}
}
