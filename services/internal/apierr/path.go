package apierr

import (
	"regexp"

	"github.com/gin-gonic/gin"
)

// idPattern is the shape of every id in a Canteen path: what the services issue, and what every
// state store and daprd take as (part of) a key. daprd refuses some other characters in keys
// ("a||b") with an error a service would answer 503, so malformed ids stop at the edge.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// IDMessage says what an id must look like.
const IDMessage = "must be 1-64 letters, digits, '-' or '_'"

// ValidID reports whether s has the shape of an id.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// PathIDs reports whether the named path parameters all hold ids; otherwise it answers 400 naming
// the first that does not. Handlers call it before anything else, so no malformed id reaches a
// state call.
func PathIDs(c *gin.Context, params ...string) bool {
	for _, p := range params {
		if !ValidID(c.Param(p)) {
			Invalid(c, p, "path parameter "+p+" "+IDMessage)
			return false
		}
	}
	return true
}
