// Package catalog is the menu service's domain: stores, their dishes and the menu customers
// browse. It knows nothing of Dapr or HTTP; storage comes in through the Repository port.
package catalog

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound: the store or dish does not exist.
	ErrNotFound = errors.New("not found")
	// ErrStale: the caller's version is not the current one; re-read and try again.
	ErrStale = errors.New("stale version")
)

// InvalidError is a refused input, naming the field at fault.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%s %s", e.Field, e.Reason) }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
