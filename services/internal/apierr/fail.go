package apierr

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/occ"
)

// RetryAfter is the Retry-After of every 503: the faults behind one (contention, a sidecar or a
// peer restarting) clear in about a second, and every Canteen write is safe to repeat.
const RetryAfter = "1"

// Fail is the common ending of every service's error mapping: a service's fail answers its own
// domain errors, by type, and hands everything else here. occ.ErrExhausted is contention that a
// repeat resolves; any other error is a fault of ours or of a dependency (the sidecar, a peer),
// logged here and answered 503, never blamed on the client.
func Fail(c *gin.Context, log *slog.Logger, err error) {
	if errors.Is(err, occ.ErrExhausted) {
		Unavailable(c, "too many concurrent changes to the same record; try again")
		return
	}
	log.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	Unavailable(c, "a store or service this request needs is unavailable; try again")
}

// Unavailable answers 503 with Retry-After: the request was fine and may be repeated as it is.
func Unavailable(c *gin.Context, message string) {
	c.Header("Retry-After", RetryAfter)
	Write(c, http.StatusServiceUnavailable, CodeUnavailable, "", message)
}

// Invalid answers 400: field (a body field, header or path parameter) is not acceptable.
func Invalid(c *gin.Context, field, message string) {
	Write(c, http.StatusBadRequest, CodeInvalid, field, message)
}

// NotFound answers 404: what the request names does not exist (or is not the caller's to see).
func NotFound(c *gin.Context, field, message string) {
	Write(c, http.StatusNotFound, CodeNotFound, field, message)
}
