package apidoc

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// direction says which way a body travels, which decides what "required" must mean.
type direction string

const (
	request  direction = "request"
	response direction = "response"
)

// CheckTypes compares every request and response body schema of the document with the Go type
// types maps its component name to (a value of the type, e.g. "Order": orderResponse{}), field by
// field and recursively: JSON names and JSON types must match both ways. For responses, required
// must list exactly the fields Go always writes (those without omitempty); for requests, whose
// required fields are a rule of the domain, required must name known fields, and the schema must
// refuse unknown properties (additionalProperties: false) because apierr.Decode does. Every
// component schema must be used by some body, and every entry of types must name a body schema.
func (d *Doc) CheckTypes(t *testing.T, types map[string]any) {
	t.Helper()
	c := &typeChecker{d: d, t: t, types: types, used: map[string]bool{}, top: map[string]bool{}, seen: map[visit]bool{}}
	for _, op := range d.Operations(t) {
		where := op.Method + " " + op.Path
		for _, p := range op.params {
			schema, _ := p["schema"].(map[string]any)
			if name := refName(schema); name != "" {
				c.used[name] = true // a parameter's schema, e.g. an id pattern
			}
		}
		if rb, ok := op.node["requestBody"]; ok {
			c.body(d.bodySchema(t, where+" request", d.resolve(t, rb)), request, where)
		}
		responses, _ := op.node["responses"].(map[string]any)
		for _, code := range keys(responses) {
			c.body(d.bodySchema(t, where+" "+code, d.resolve(t, responses[code])), response, where)
		}
	}
	for _, name := range keys(d.schemas) {
		assert.True(t, c.used[name], "%s: components.schemas.%s is used by no request or response body", d.path, name)
	}
	for _, name := range keys(types) {
		assert.True(t, c.top[name], "%s: the test maps a Go type to %s, which is no request or response body", d.path, name)
	}
}

type visit struct {
	t    reflect.Type
	name string
	dir  direction
}

type typeChecker struct {
	d     *Doc
	t     *testing.T
	types map[string]any
	used  map[string]bool // component schemas reached
	top   map[string]bool // component schemas that are a body
	seen  map[visit]bool
}

func (c *typeChecker) body(name string, dir direction, where string) {
	if name == "" {
		return
	}
	c.top[name] = true
	v, ok := c.types[name]
	if !ok {
		c.used[name] = true
		c.errorf("%s: schema %s (a %s body of %s) has no Go type in the test's map", c.d.path, name, dir, where)
		return
	}
	c.compare(name, reflect.TypeOf(v), map[string]any{"$ref": "#/components/schemas/" + name}, dir)
}

func (c *typeChecker) errorf(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf(format, args...)
}

var timeType = reflect.TypeOf(time.Time{})

// compare checks Go type gt against schema s at where (a path like Order.items[]).
func (c *typeChecker) compare(where string, gt reflect.Type, s map[string]any, dir direction) {
	if name := refName(s); name != "" {
		c.used[name] = true
		s, _ = c.d.schemas[name].(map[string]any)
		if s == nil {
			c.errorf("%s: %s: $ref to unknown schema %s", c.d.path, where, name)
			return
		}
		k := visit{gt, name, dir}
		if c.seen[k] {
			return
		}
		c.seen[k] = true
	}
	for gt.Kind() == reflect.Pointer {
		gt = gt.Elem()
	}
	want := jsonType(gt)
	if want == "" {
		return // an interface: any JSON value
	}
	if got := schemaTypes(s); !slices.Contains(got, want) {
		c.errorf("%s: %s: Go type %s is JSON %s, the schema says type %v", c.d.path, where, gt, want, got)
		return
	}
	switch {
	case gt == timeType:
		if s["format"] != "date-time" {
			c.errorf("%s: %s: Go time.Time is an RFC 3339 string: the schema needs format: date-time", c.d.path, where)
		}
	case gt.Kind() == reflect.Struct:
		c.object(where, gt, s, dir)
	case gt.Kind() == reflect.Slice || gt.Kind() == reflect.Array:
		items, _ := s["items"].(map[string]any)
		if items == nil {
			c.errorf("%s: %s: an array needs items", c.d.path, where)
			return
		}
		c.compare(where+"[]", gt.Elem(), items, dir)
	case gt.Kind() == reflect.Map:
		extra, _ := s["additionalProperties"].(map[string]any)
		if extra == nil {
			c.errorf("%s: %s: a Go map needs additionalProperties with a schema", c.d.path, where)
			return
		}
		c.compare(where+"{}", gt.Elem(), extra, dir)
	}
}

func (c *typeChecker) object(where string, gt reflect.Type, s map[string]any, dir direction) {
	props, _ := s["properties"].(map[string]any)
	fields := jsonFields(gt)
	always := map[string]bool{}
	for _, f := range fields {
		p, ok := props[f.name].(map[string]any)
		if !ok {
			c.errorf("%s: %s: Go field %s.%s (json %q) is missing from the schema's properties", c.d.path, where, gt, f.goName, f.name)
			continue
		}
		if !f.omitempty {
			always[f.name] = true
		}
		c.compare(where+"."+f.name, f.typ, p, dir)
	}
	for _, name := range keys(props) {
		if !slices.ContainsFunc(fields, func(f field) bool { return f.name == name }) {
			c.errorf("%s: %s: schema property %q has no field in Go type %s", c.d.path, where, name, gt)
		}
	}
	var required []string
	for _, r := range asList(s["required"]) {
		required = append(required, fmt.Sprint(r))
		if _, ok := props[fmt.Sprint(r)]; !ok {
			c.errorf("%s: %s: required names %v, which is no property", c.d.path, where, r)
		}
	}
	sort.Strings(required)
	switch dir {
	case response:
		// A field without omitempty is always written, so a client may rely on it: it is required.
		if want := keys(always); !slices.Equal(want, required) {
			c.errorf("%s: %s: as a response, required must be the fields Go always writes (no omitempty): want %v, the schema says %v", c.d.path, where, want, required)
		}
	case request:
		if s["additionalProperties"] != false {
			c.errorf("%s: %s: as a request body, the schema must say additionalProperties: false: apierr.Decode refuses unknown fields", c.d.path, where)
		}
	}
}

type field struct {
	name, goName string
	omitempty    bool
	typ          reflect.Type
}

// jsonFields lists the fields encoding/json reads and writes for struct type t.
func jsonFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, field{name: name, goName: f.Name, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty"), typ: f.Type})
	}
	return out
}

// jsonType is the JSON Schema type encoding/json gives t, "" when any.
func jsonType(t reflect.Type) string {
	if t == timeType {
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return ""
}

func schemaTypes(s map[string]any) []string {
	if one, ok := s["type"].(string); ok {
		return []string{one}
	}
	var out []string
	for _, e := range asList(s["type"]) {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
