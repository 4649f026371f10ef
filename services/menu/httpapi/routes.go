// Package httpapi is the menu service's REST API, called through Dapr service invocation
// (/v1.0/invoke/menu/method/...): request and response types, their converters to and from the
// catalog domain, and the one place where domain errors become HTTP statuses.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/menu/catalog"
)

// handler serves the menu API over a catalog.Service.
type handler struct {
	svc *catalog.Service
	log *slog.Logger

	// encoded keeps, per store, the JSON of the last menu answered: a lunch rush reads the same
	// cached menu thousands of times, and encoding it was a quarter of a browse's CPU.
	mu      sync.Mutex
	encoded map[string]encodedMenu
}

type encodedMenu struct {
	load uint64 // catalog.Menu.Load of the menu encoded
	body []byte
	gzip []byte // body compressed, for clients that accept gzip
}

// Register adds the menu routes to r.
func Register(r gin.IRouter, svc *catalog.Service, log *slog.Logger) {
	h := &handler{svc: svc, log: log, encoded: map[string]encodedMenu{}}
	r.POST("/stores", h.createStore)
	r.GET("/stores/:store", h.getStore)
	r.PUT("/stores/:store", h.updateStore)
	r.GET("/stores/:store/menu", h.getMenu)
	r.POST("/stores/:store/dishes", h.createDish)
	r.GET("/stores/:store/dishes/:dish", h.getDish)
	r.PUT("/stores/:store/dishes/:dish", h.updateDish)
}

// fail answers the catalog's own errors, by type; everything else ends in apierr.Fail.
func fail(c *gin.Context, log *slog.Logger, err error) {
	var inv *catalog.InvalidError
	switch {
	case errors.As(err, &inv):
		apierr.Invalid(c, inv.Field, inv.Error())
	case errors.Is(err, catalog.ErrNotFound):
		apierr.NotFound(c, "", "no such store or dish")
	case errors.Is(err, catalog.ErrStale):
		apierr.Write(c, http.StatusConflict, apierr.CodeConflict, "version", "version is stale: someone else changed it; read it again and reapply your change")
	default:
		apierr.Fail(c, log, err)
	}
}
