package apidoc

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Do serves req with h and checks the exchange against the document: the route is documented,
// the status is one of the operation's responses, the body is valid against that response's
// schema and its required headers are set. A request the service accepted (2xx) must also be
// valid by the document: body, required parameters and their patterns, so that the document
// never refuses what the service takes. It returns the response.
func (d *Doc) Do(t *testing.T, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	var reqBody []byte
	if req.Body != nil {
		var err error
		reqBody, err = io.ReadAll(req.Body)
		require.NoError(t, err)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)

	what := fmt.Sprintf("%s: %s %s answered %d %s", d.path, req.Method, req.URL.Path, w.Code, w.Body)
	op, pathVals, ok := d.match(t, req.Method, req.URL.Path)
	if !ok {
		t.Errorf("%s: no documented operation matches", what)
		return w
	}
	responses, _ := op.node["responses"].(map[string]any)
	resp, ok := responses[strconv.Itoa(w.Code)]
	if !ok {
		resp, ok = responses["default"]
	}
	if !ok {
		t.Errorf("%s: status %d is not documented for %s %s", what, w.Code, op.Method, op.Path)
		return w
	}
	r := d.resolve(t, resp)
	content, _ := r["content"].(map[string]any)
	if _, stream := content["text/event-stream"]; stream {
		// A Server-Sent Events stream: no JSON to validate; its framing is the service's own
		// tests' to check, the media type is checked here.
		assert.Contains(t, w.Header().Get("Content-Type"), "text/event-stream", "%s: the document says an event stream", what)
	} else if name := d.bodySchema(t, op.Method+" "+op.Path, r); name != "" {
		d.validate(t, what+": response body", name, w.Body.Bytes())
	} else {
		assert.Empty(t, w.Body.String(), "%s: the document says no body", what)
	}
	headers, _ := r["headers"].(map[string]any)
	for _, name := range keys(headers) {
		if d.resolve(t, headers[name])["required"] == true {
			assert.NotEmpty(t, w.Header().Get(name), "%s: documented header %s is missing", what, name)
		}
	}
	if w.Code >= 200 && w.Code < 300 {
		d.checkAccepted(t, what, op, pathVals, req, reqBody)
	}
	return w
}

// checkAccepted: an accepted request satisfies the operation's parameters and request body.
func (d *Doc) checkAccepted(t *testing.T, what string, op Operation, pathVals map[string]string, req *http.Request, body []byte) {
	t.Helper()
	for _, p := range op.params {
		name, _ := p["name"].(string)
		var v string
		var present bool
		switch p["in"] {
		case "path":
			v, present = pathVals[name]
		case "query":
			present = req.URL.Query().Has(name)
			v = req.URL.Query().Get(name)
		case "header":
			v = req.Header.Get(name)
			present = v != ""
		}
		if !present {
			assert.NotEqual(t, true, p["required"], "%s: accepted without required %s parameter %s", what, p["in"], name)
			continue
		}
		schema, _ := p["schema"].(map[string]any)
		if pat, ok := schema["pattern"].(string); ok {
			assert.Regexp(t, regexp.MustCompile(pat), v, "%s: accepted %s parameter %s outside its documented pattern", what, p["in"], name)
		}
	}
	rb, ok := op.node["requestBody"]
	if !ok {
		return
	}
	r := d.resolve(t, rb)
	if len(bytes.TrimSpace(body)) == 0 {
		assert.NotEqual(t, true, r["required"], "%s: accepted without its required request body", what)
		return
	}
	d.validate(t, what+": accepted request body", d.bodySchema(t, op.Method+" "+op.Path, r), body)
}

func (d *Doc) validate(t *testing.T, what, schema string, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if !assert.NoError(t, err, "%s is not JSON", what) {
		return
	}
	assert.NoError(t, d.Validator(t, schema).Validate(v), "%s is not a valid %s", what, schema)
}

// match finds the operation serving method and path; where several templates match, the one with
// the most literal segments wins, as in gin. It returns the path parameters' values.
func (d *Doc) match(t testing.TB, method, path string) (Operation, map[string]string, bool) {
	segs := strings.Split(path, "/")
	var (
		best      Operation
		bestVals  map[string]string
		bestScore = -1
	)
	for _, op := range d.Operations(t) {
		tmpl := strings.Split(op.Path, "/")
		if op.Method != method || len(tmpl) != len(segs) {
			continue
		}
		vals, score, ok := map[string]string{}, 0, true
		for i, s := range tmpl {
			switch {
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
				vals[s[1:len(s)-1]] = segs[i]
			case s == segs[i]:
				score++
			default:
				ok = false
			}
		}
		if ok && score > bestScore {
			best, bestVals, bestScore = op, vals, score
		}
	}
	return best, bestVals, bestScore >= 0
}
