package orderapi

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// Order reads part of the order service's answer: every field it reads must be a property of the
// order API's Order schema, of the same JSON type, and one the order service always writes.
func TestOrderReadsFieldsTheOrderAPIAnswers(t *testing.T) {
	raw, err := os.ReadFile("../../order/openapi.yaml")
	require.NoError(t, err)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Type       string                    `yaml:"type"`
				Required   []string                  `yaml:"required"`
				Properties map[string]map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	schema := doc.Components.Schemas["Order"]
	jsonType := map[reflect.Kind]string{reflect.String: "string", reflect.Int64: "integer"}
	typ := reflect.TypeOf(Order{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		prop, ok := schema.Properties[name]
		require.True(t, ok, "Order.%s (json %q) is not in the order API's Order", f.Name, name)
		assert.Contains(t, schema.Required, name, "%s is not always written", name)
		want, _ := prop["type"].(string)
		if ref, isRef := prop["$ref"].(string); isRef { // Id, Status
			want = doc.Components.Schemas[ref[strings.LastIndex(ref, "/")+1:]].Type
		}
		assert.Equal(t, jsonType[f.Type.Kind()], want, "type of %s", name)
	}
}
