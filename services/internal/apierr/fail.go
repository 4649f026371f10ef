package apierr

import (
	"errors"
	"log/slog"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/occ"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidID reports whether s is a well-formed id: 1-64 letters, digits, '-' or '_', which every
// state store and daprd take in a key.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Fail is the shared ending of every service's error mapping, for errors no domain case claimed:
// contention that outlasted the retries, and faults of the store or of another service, are 503
// with Retry-After (logged, since they are ours), never a 500.
func Fail(c *gin.Context, log *slog.Logger, err error) {
	c.Header("Retry-After", "1")
	if errors.Is(err, occ.ErrExhausted) {
		Write(c, http.StatusServiceUnavailable, CodeUnavailable, "", "too many concurrent changes; try again")
		return
	}
	log.Error("request failed", "path", c.FullPath(), "err", err)
	Write(c, http.StatusServiceUnavailable, CodeUnavailable, "", "a store or service this request needs is unavailable; try again")
}
