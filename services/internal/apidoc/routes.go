package apidoc

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
)

// NotPublic are the path prefixes served for Dapr and the platform, not for clients: the
// subscription listing, actor configuration and callbacks (actorhost), pub/sub deliveries,
// scheduler job callbacks and the health check. Routes under them are left out of the documents;
// every other route must be documented.
var NotPublic = []string{"/dapr/subscribe", "/dapr/config", "/actors/", "/events/", "/job/", "/healthz"}

func public(path string) bool {
	for _, p := range NotPublic {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return true
}

// OpenAPIPath spells a gin route in OpenAPI's template syntax: /orders/:id becomes /orders/{id}.
func OpenAPIPath(ginPath string) string {
	parts := strings.Split(ginPath, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// CheckRoutes fails for every public route the engine serves that the document lacks, and for
// every documented operation the engine does not serve.
func (d *Doc) CheckRoutes(t *testing.T, routes gin.RoutesInfo) {
	t.Helper()
	served := map[string]bool{}
	for _, r := range routes {
		if public(r.Path) {
			served[r.Method+" "+OpenAPIPath(r.Path)] = true
		}
	}
	documented := map[string]bool{}
	for _, op := range d.Operations(t) {
		documented[op.Method+" "+op.Path] = true
		assert.True(t, public(op.Path), "%s documents %s %s, which is under a Dapr/platform prefix %v", d.path, op.Method, op.Path, NotPublic)
		d.checkPathParams(t, op)
	}
	for _, r := range keys(served) {
		assert.True(t, documented[r], "%s: route %s is served but not documented", d.path, r)
	}
	for _, r := range keys(documented) {
		assert.True(t, served[r], "%s: %s is documented but no such route is served", d.path, r)
	}
}

var templateVar = regexp.MustCompile(`\{([^}]+)\}`)

// checkPathParams: each {name} of the template is a required path parameter, and no other is.
func (d *Doc) checkPathParams(t *testing.T, op Operation) {
	t.Helper()
	inPath := map[string]bool{}
	for _, m := range templateVar.FindAllStringSubmatch(op.Path, -1) {
		inPath[m[1]] = true
	}
	declared := map[string]bool{}
	for _, p := range op.params {
		if p["in"] != "path" {
			continue
		}
		name, _ := p["name"].(string)
		declared[name] = true
		assert.Equal(t, true, p["required"], "%s: %s %s: path parameter %s must be required", d.path, op.Method, op.Path, name)
	}
	assert.Equal(t, keys(inPath), keys(declared), "%s: %s %s: the path's {names} and its path parameters differ", d.path, op.Method, op.Path)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
