// Package apidoc checks a service's Go code against its language-neutral contracts in tests: the
// OpenAPI 3.1 document of its HTTP API and the JSON Schemas of event payloads. The documents are
// the source of truth a service in any language can be held to; these checks fail when the Go
// routes, types or error codes drift from them.
package apidoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// Doc is a loaded OpenAPI document, kept as plain JSON values so that its schemas can be handed
// to a JSON Schema validator unchanged (OpenAPI 3.1 schemas are JSON Schema 2020-12).
type Doc struct {
	path    string
	root    map[string]any
	schemas map[string]any // components.schemas, or a JSON Schema file's root (as Root) and $defs
	valid   map[string]*jsonschema.Schema
	file    bool // a JSON Schema file, validated as it is
}

// methods are the OpenAPI operation keys of a path item.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Load reads the OpenAPI document at path (YAML or JSON).
func Load(t testing.TB, path string) *Doc {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var y any
	require.NoError(t, yaml.Unmarshal(raw, &y), "parse %s", path)
	root, ok := jsonValue(t, y).(map[string]any)
	require.True(t, ok, "%s is not a YAML mapping", path)
	require.Contains(t, root["openapi"], "3.1.", "%s: the checks rely on OpenAPI 3.1 (schemas are JSON Schema 2020-12)", path)
	comps, _ := root["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	return &Doc{path: path, root: root, schemas: schemas, valid: map[string]*jsonschema.Schema{}}
}

// jsonValue turns a YAML-decoded value into the shapes encoding/json produces (string keys,
// json.Number), which is what the validator expects. YAML keys like 200 become "200".
func jsonValue(t testing.TB, y any) any {
	t.Helper()
	b, err := json.Marshal(stringKeys(y))
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return v
}

func stringKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = stringKeys(e)
		}
		return v
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)] = stringKeys(e)
		}
		return out
	case []any:
		for i, e := range v {
			v[i] = stringKeys(e)
		}
	}
	return v
}

// Operation is one method of one path of the document.
type Operation struct {
	Method string // upper case, as gin and net/http spell it
	Path   string // the OpenAPI template, /orders/{id}
	node   map[string]any
	params []map[string]any // the path item's and the operation's, $refs resolved
}

// Operations lists the document's operations, sorted by path and method.
func (d *Doc) Operations(t testing.TB) []Operation {
	t.Helper()
	paths, _ := d.root["paths"].(map[string]any)
	var out []Operation
	for p, item := range paths {
		it, _ := item.(map[string]any)
		shared := d.params(t, it["parameters"])
		for _, m := range methods {
			op, ok := it[m].(map[string]any)
			if !ok {
				continue
			}
			out = append(out, Operation{Method: strings.ToUpper(m), Path: p, node: op, params: append(append([]map[string]any(nil), shared...), d.params(t, op["parameters"])...)})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Path+" "+out[a].Method < out[b].Path+" "+out[b].Method })
	return out
}

func (d *Doc) params(t testing.TB, v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, p := range list {
		out = append(out, d.resolve(t, p))
	}
	return out
}

// resolve follows a local $ref (#/components/...) to what it names.
func (d *Doc) resolve(t testing.TB, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	require.True(t, strings.HasPrefix(ref, "#/"), "%s: only local $refs are supported, got %s", d.path, ref)
	var cur any = d.root
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		next, ok := cur.(map[string]any)[part]
		require.True(t, ok, "%s: $ref %s names nothing", d.path, ref)
		cur = next
	}
	return d.resolve(t, cur)
}

// refName is the schema a {$ref: '#/components/schemas/X'} (or '#/$defs/X') names, or "".
func refName(s map[string]any) string {
	ref, _ := s["$ref"].(string)
	for _, prefix := range []string{"#/components/schemas/", "#/$defs/"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok {
			return name
		}
	}
	return ""
}

// bodySchema is the component schema named by a request body or response's application/json
// content, "" when it has none or is a text/event-stream. Bodies must name a component, so a test can map it to a Go type.
func (d *Doc) bodySchema(t testing.TB, where string, body map[string]any) string {
	t.Helper()
	content, _ := body["content"].(map[string]any)
	if len(content) == 0 {
		return ""
	}
	media, ok := content["application/json"].(map[string]any)
	if _, stream := content["text/event-stream"]; !ok && stream && len(content) == 1 {
		return "" // a Server-Sent Events stream: frames, not one JSON body (see Do)
	}
	require.True(t, ok, "%s: %s: only application/json bodies and event streams are described", d.path, where)
	schema, _ := media["schema"].(map[string]any)
	name := refName(schema)
	require.True(t, name != "" && d.schemas[name] != nil, "%s: %s: the body schema must be a $ref to components.schemas", d.path, where)
	return name
}

// Validator compiles the named component schema with every other component beside it, so that
// its $refs resolve, and with format assertions on (date-time, uri).
func (d *Doc) Validator(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	if v, ok := d.valid[name]; ok {
		return v
	}
	require.Contains(t, d.schemas, name, "%s has no components.schemas.%s", d.path, name)
	url, doc := "https://apidoc.invalid/schema.json", any(d.root) // a fresh compiler per schema: no clash
	if !d.file {
		defs := rewriteRefs(d.schemas).(map[string]any)
		doc = map[string]any{"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": defs, "$ref": "#/$defs/" + name}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	require.NoError(t, c.AddResource(url, doc))
	v, err := c.Compile(url)
	require.NoError(t, err, "%s: compile schema %s", d.path, name)
	d.valid[name] = v
	return v
}

// rewriteRefs copies v with #/components/schemas/ refs pointing at #/$defs/ instead.
func rewriteRefs(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				e = strings.Replace(s, "#/components/schemas/", "#/$defs/", 1)
			}
			out[k] = rewriteRefs(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = rewriteRefs(e)
		}
		return out
	}
	return v
}

// Enum returns the enum of property prop of component schema name.
func (d *Doc) Enum(t testing.TB, name, prop string) []string {
	t.Helper()
	s, _ := d.schemas[name].(map[string]any)
	props, _ := s["properties"].(map[string]any)
	p := d.resolve(t, props[prop])
	list, ok := p["enum"].([]any)
	require.True(t, ok, "%s: components.schemas.%s.properties.%s has no enum", d.path, name, prop)
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, fmt.Sprint(e))
	}
	return out
}
