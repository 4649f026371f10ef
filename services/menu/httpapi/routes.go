// Package httpapi is the menu service's REST API, called through Dapr service invocation
// (/v1.0/invoke/menu/method/...): request and response types, their converters to and from the
// catalog domain, and the one place where domain errors become HTTP statuses.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/menu/catalog"
)

// Handler serves the menu API over a catalog.Service.
type Handler struct {
	svc *catalog.Service
	log *slog.Logger
}

// Register adds the menu routes to r.
func Register(r gin.IRouter, svc *catalog.Service, log *slog.Logger) {
	h := &Handler{svc: svc, log: log}
	r.POST("/stores", h.createStore)
	r.GET("/stores/:store", h.getStore)
	r.PUT("/stores/:store", h.updateStore)
	r.GET("/stores/:store/menu", h.getMenu)
	r.POST("/stores/:store/dishes", h.createDish)
	r.GET("/stores/:store/dishes/:dish", h.getDish)
	r.PUT("/stores/:store/dishes/:dish", h.updateDish)
}

// idPattern is what the service issues; anything else cannot name a record and is not looked up.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ids returns the path's store and dish ids, answering 404 for ones that cannot exist.
func ids(c *gin.Context) (store, dish string, ok bool) {
	store, dish = c.Param("store"), c.Param("dish")
	if !idPattern.MatchString(store) || (dish != "" && !idPattern.MatchString(dish)) {
		fail(c, nil, catalog.ErrNotFound)
		return "", "", false
	}
	return store, dish, true
}

// fail answers err as the status it means. Only faults of ours or the sidecar's are 5xx.
func fail(c *gin.Context, log *slog.Logger, err error) {
	var inv *catalog.InvalidError
	switch {
	case errors.As(err, &inv):
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, inv.Field, inv.Error())
	case errors.Is(err, catalog.ErrNotFound):
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, "", "no such store or dish")
	case errors.Is(err, catalog.ErrStale):
		apierr.Write(c, http.StatusConflict, apierr.CodeConflict, "version", "version is stale: someone else changed it; read it again and reapply your change")
	case errors.Is(err, occ.ErrExhausted):
		c.Header("Retry-After", "1")
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", "too many concurrent edits; try again")
	default:
		log.Error("request failed", "path", c.FullPath(), "err", err)
		c.Header("Retry-After", "1")
		apierr.Write(c, http.StatusServiceUnavailable, apierr.CodeUnavailable, "", "the menu store is unavailable; try again")
	}
}
