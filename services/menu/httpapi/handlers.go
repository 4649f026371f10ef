package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
)

func (h *Handler) createStore(c *gin.Context) {
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

func (h *Handler) getStore(c *gin.Context) {
	id, _, ok := ids(c)
	if !ok {
		return
	}
	st, err := h.svc.Store(c, id)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toStoreResponse(st))
}

func (h *Handler) updateStore(c *gin.Context) {
	id, _, ok := ids(c)
	var req storeRequest
	if !ok || !apierr.Decode(c, &req) || !versioned(c, req.Version) {
		return
	}
	st, err := h.svc.UpdateStore(c, id, *req.Version, req.domain())
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toStoreResponse(st))
}

func (h *Handler) getMenu(c *gin.Context) {
	id, _, ok := ids(c)
	if !ok {
		return
	}
	m, err := h.svc.Menu(c, id)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toMenuResponse(m))
}

func (h *Handler) createDish(c *gin.Context) {
	storeID, _, ok := ids(c)
	var req dishRequest
	if !ok || !apierr.Decode(c, &req) {
		return
	}
	if req.Version != nil {
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, "version", "version is set by the server on create")
		return
	}
	d, err := h.svc.CreateDish(c, storeID, req.domain())
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusCreated, toDishResponse(d))
}

func (h *Handler) getDish(c *gin.Context) {
	storeID, dishID, ok := ids(c)
	if !ok {
		return
	}
	d, err := h.svc.Dish(c, storeID, dishID)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toDishResponse(d))
}

func (h *Handler) updateDish(c *gin.Context) {
	storeID, dishID, ok := ids(c)
	var req dishRequest
	if !ok || !apierr.Decode(c, &req) || !versioned(c, req.Version) {
		return
	}
	d, err := h.svc.UpdateDish(c, storeID, dishID, *req.Version, req.domain())
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
