package apidoc

import (
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/canteen/canteen/services/internal/apierr"
)

// The error envelope's component names, the same in every service's document.
const (
	ErrorSchema       = "Error"
	ErrorDetailSchema = "ErrorDetail"
)

// Check holds a service to its OpenAPI document at docPath: the engine's public routes (see
// CheckRoutes), the body types (types maps component schema names to Go values, see CheckTypes;
// the error envelope is added here), and the error codes its handlers can answer (see ErrorCodes)
// against the enum of ErrorDetail.code. The handlers are in codeDirs, by default the test's working
// directory (the service's httpapi package); name more when public routes live elsewhere too. It
// returns the document for further checks such as Do.
func Check(t *testing.T, docPath string, engine *gin.Engine, types map[string]any, codeDirs ...string) *Doc {
	t.Helper()
	doc := Load(t, docPath)
	all := map[string]any{ErrorSchema: apierr.Body{}}
	for k, v := range types {
		all[k] = v
	}
	t.Run("routes", func(t *testing.T) { doc.CheckRoutes(t, engine.Routes()) })
	t.Run("types", func(t *testing.T) { doc.CheckTypes(t, all) })
	t.Run("error codes", func(t *testing.T) {
		if len(codeDirs) == 0 {
			codeDirs = []string{"."}
		}
		assert.ElementsMatch(t, ErrorCodes(t, codeDirs...), doc.Enum(t, ErrorDetailSchema, "code"),
			"%s: %s.code must list exactly the codes the service writes", docPath, ErrorDetailSchema)
	})
	return doc
}
