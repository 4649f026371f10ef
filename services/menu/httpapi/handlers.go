package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/menu/catalog"
)

func (h *handler) createStore(c *gin.Context) {
	var req storeRequest
	if !apierr.Decode(c, &req) {
		return
	}
	if req.Version != nil {
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, "version", "version is set by the server on create")
		return
	}
	st, err := h.svc.CreateStore(c, req.domain())
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusCreated, toStoreResponse(st))
}

func (h *handler) getStore(c *gin.Context) {
	if !apierr.PathIDs(c, "store") {
		return
	}
	st, err := h.svc.Store(c, c.Param("store"))
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toStoreResponse(st))
}

func (h *handler) updateStore(c *gin.Context) {
	var req storeRequest
	if !apierr.PathIDs(c, "store") || !apierr.Decode(c, &req) || !versioned(c, req.Version) {
		return
	}
	st, err := h.svc.UpdateStore(c, c.Param("store"), *req.Version, req.domain())
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toStoreResponse(st))
}

func (h *handler) getMenu(c *gin.Context) {
	if !apierr.PathIDs(c, "store") {
		return
	}
	m, err := h.svc.Menu(c, c.Param("store"))
	if err != nil {
		fail(c, h.log, err)
		return
	}
	e, err := h.encode(m)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	// A menu is about 230 bytes a dish: compressed, less than half of that for a phone to
	// download at every browse (on the 2-core bench box the sidecar relaying fewer bytes did not
	// raise browse throughput beyond the noise: BENCHMARKS.md). Its length is set, so that it
	// goes out in one piece rather than chunked.
	body := e.body
	c.Header("Vary", "Accept-Encoding")
	if acceptsGzip(c.GetHeader("Accept-Encoding")) {
		body = e.gzip
		c.Header("Content-Encoding", "gzip")
	}
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// encode returns the menu's JSON answer, plain and compressed, encoded once per cached menu.
func (h *handler) encode(m catalog.Menu) (encodedMenu, error) {
	id := m.Store.ID
	h.mu.Lock()
	e, ok := h.encoded[id]
	h.mu.Unlock()
	if ok && e.load == m.Load {
		return e, nil
	}
	body, err := json.Marshal(toMenuResponse(m))
	if err != nil {
		return encodedMenu{}, err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(body); err != nil {
		return encodedMenu{}, err
	}
	if err := zw.Close(); err != nil {
		return encodedMenu{}, err
	}
	e = encodedMenu{load: m.Load, body: body, gzip: gz.Bytes()}
	h.mu.Lock()
	if cur, ok := h.encoded[id]; !ok || cur.load < m.Load { // never back to an older menu
		h.encoded[id] = e
	}
	h.mu.Unlock()
	return e, nil
}

// acceptsGzip reports whether an Accept-Encoding header lists gzip with a quality above zero.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := 1.0 // no quality given
		if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}

func (h *handler) createDish(c *gin.Context) {
	var req dishRequest
	if !apierr.PathIDs(c, "store") || !apierr.Decode(c, &req) {
		return
	}
	if req.Version != nil {
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, "version", "version is set by the server on create")
		return
	}
	d, err := h.svc.CreateDish(c, c.Param("store"), req.domain())
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusCreated, toDishResponse(d))
}

func (h *handler) getDish(c *gin.Context) {
	if !apierr.PathIDs(c, "store", "dish") {
		return
	}
	d, err := h.svc.Dish(c, c.Param("store"), c.Param("dish"))
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toDishResponse(d))
}

func (h *handler) updateDish(c *gin.Context) {
	var req dishRequest
	if !apierr.PathIDs(c, "store", "dish") || !apierr.Decode(c, &req) || !versioned(c, req.Version) {
		return
	}
	d, err := h.svc.UpdateDish(c, c.Param("store"), c.Param("dish"), *req.Version, req.domain())
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toDishResponse(d))
}

// versioned refuses an update that does not say which version it replaces.
func versioned(c *gin.Context, v *int64) bool {
	if v == nil || *v < 1 {
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, "version", "version is required: the version you read and are replacing")
		return false
	}
	return true
}
