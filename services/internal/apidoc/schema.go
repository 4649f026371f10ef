package apidoc

import (
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Root names a JSON Schema file's top-level schema among its $defs.
const Root = "#"

// LoadSchema reads a JSON Schema file (draft 2020-12), such as an event payload's.
func LoadSchema(t testing.TB, path string) *Doc {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	root, ok := jsonValue(t, json.RawMessage(raw)).(map[string]any)
	require.True(t, ok, "%s is not a JSON object", path)
	require.Equal(t, "https://json-schema.org/draft/2020-12/schema", root["$schema"], "%s: $schema must be draft 2020-12", path)
	schemas := map[string]any{}
	if defs, ok := root["$defs"].(map[string]any); ok {
		maps.Copy(schemas, defs)
	}
	schemas[Root] = root
	return &Doc{path: path, root: root, schemas: schemas, valid: map[string]*jsonschema.Schema{}, file: true}
}

// CheckType compares Go value v's type with the file's root schema as CheckTypes does for a
// response (the Go type is the writer): the same JSON names and types both ways, and required
// lists exactly the fields Go always writes.
func (d *Doc) CheckType(t *testing.T, v any) {
	t.Helper()
	c := &typeChecker{d: d, t: t, used: map[string]bool{}, top: map[string]bool{}, seen: map[visit]bool{}}
	c.compare(Root, reflect.TypeOf(v), d.root, response)
	for _, name := range keys(d.schemas) {
		assert.True(t, name == Root || c.used[name], "%s: $defs.%s is not used", d.path, name)
	}
}

// Validate marshals v as encoding/json does and validates it against the file's root schema.
func (d *Doc) Validate(t *testing.T, v any) error {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	inst := jsonValue(t, json.RawMessage(raw))
	return d.Validator(t, Root).Validate(inst)
}

// Annotation returns a string keyword of the root schema, such as x-topic.
func (d *Doc) Annotation(key string) string {
	s, _ := d.root[key].(string)
	return s
}

// AnnotationMap returns an object keyword of the root schema whose values are strings, such as
// x-topic-by-type.
func (d *Doc) AnnotationMap(key string) map[string]string {
	out := map[string]string{}
	m, _ := d.root[key].(map[string]any)
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
