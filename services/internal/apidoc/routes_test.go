package apidoc

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOnlyDaprCallbacksAndTheHealthCheckAreLeftOut(t *testing.T) {
	for path, want := range map[string]bool{
		"/dapr/subscribe":           false,
		"/events/orders":            false,
		"/events/orders-deadletter": false,
		"/job/:name":                false,
		"/healthz":                  false,
		"/orders/:id":               true,
		"/ops/deadletters":          true,
		"/inventory/reconcile":      true,
		"/dapr/config":              false, // actor types, served by actorhost for daprd
		"/actors/:type/:id":         false, // actor callbacks (actorhost)
	} {
		assert.Equal(t, want, public(path), path)
	}
}

func TestGinPathsAreSpelledAsOpenAPITemplates(t *testing.T) {
	assert.Equal(t, "/stock/{store}/{dish}/{period}", OpenAPIPath("/stock/:store/:dish/:period"))
	assert.Equal(t, "/files/{path}", OpenAPIPath("/files/*path"))
	assert.Equal(t, "/orders", OpenAPIPath("/orders"))
}
