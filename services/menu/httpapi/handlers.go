package httpapi

import (
	"encoding/json"
	"net/http"

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
	body, err := h.encode(m)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// encode returns the menu's JSON answer, encoded once per cached menu.
func (h *handler) encode(m catalog.Menu) ([]byte, error) {
	id := m.Store.ID
	h.mu.Lock()
	e, ok := h.encoded[id]
	h.mu.Unlock()
	if ok && e.load == m.Load {
		return e.body, nil
	}
	body, err := json.Marshal(toMenuResponse(m))
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	if cur, ok := h.encoded[id]; !ok || cur.load < m.Load { // never back to an older menu
		h.encoded[id] = encodedMenu{load: m.Load, body: body}
	}
	h.mu.Unlock()
	return body, nil
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
