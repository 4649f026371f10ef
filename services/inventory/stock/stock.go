// Package stock is the inventory domain: how many units of a dish a store can sell in a sale
// period, and reservations of them by orders that never oversell. Every unit is always in exactly
// one place: available, held by one order, or sold, so restocked = sold + reserved + available.
package stock

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
)

// Limits on requests, keeping one order's reservation bounded in work and storage.
const (
	MaxItems       = 20
	MaxQuantity    = 100
	MaxRestock     = 1_000_000
	MaxBuckets     = 64
	DefaultBuckets = 1
)

var (
	idPattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	periodPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\.[a-z]{1,16}$`)
)

var (
	// ErrUnknownStock: the item was never restocked.
	ErrUnknownStock = errors.New("no stock was ever added for this item")
	// ErrReleased: the order's reservation was released (cancelled or expired) and cannot come back.
	ErrReleased = errors.New("the order's reservation was released")
	// ErrConfirmed: the order's stock is sold and cannot be released.
	ErrConfirmed = errors.New("the order's stock is already sold")
	// ErrNotFound: no such reservation or stock.
	ErrNotFound = errors.New("not found")
	// ErrLinesMismatch: the order id was already reserved for other lines.
	ErrLinesMismatch = errors.New("the order was reserved with other lines")
	// ErrIncomplete: the order's record stands, but a hold it names did not land and its bucket
	// no longer has the units; the order is not answered "reserved" until it has them, and is
	// released like any other that was never created (a retry may find the units given back).
	ErrIncomplete = errors.New("the order's reservation could not be completed")
)

// Item identifies one dish of one store in one sale period ("2026-11-25.lunch").
type Item struct {
	StoreID, DishID, Period string
}

// String names the item as store/dish/period, for logs and errors.
func (it Item) String() string { return it.StoreID + "/" + it.DishID + "/" + it.Period }

// Line is an item and a quantity of it.
type Line struct {
	Item
	Quantity int64
}

// SoldOutError says which item could not be reserved; nothing of the order is held.
type SoldOutError struct{ Item Item }

// Error names the dish, for the client's message.
func (e *SoldOutError) Error() string {
	return fmt.Sprintf("dish %s is sold out in %s", e.Item.DishID, e.Item.Period)
}

// MismatchError says that the order id was already used for other lines (another item or quantity):
// an order id stands for one body, and a second body is refused rather than answered as the first.
// Nothing of the refused request is held.
type MismatchError struct{ OrderID string }

// Error names the order, for the client's message.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("order %s was already reserved with other items or quantities", e.OrderID)
}

// Unwrap makes errors.Is(err, ErrLinesMismatch) hold.
func (e *MismatchError) Unwrap() error { return ErrLinesMismatch }

// UnknownStockError says which item of a request was never restocked; nothing of the order is held.
type UnknownStockError struct{ Item Item }

// Error names the dish, for the client's message.
func (e *UnknownStockError) Error() string {
	return fmt.Sprintf("no stock was ever added for dish %s in %s", e.Item.DishID, e.Item.Period)
}

// Unwrap makes errors.Is(err, ErrUnknownStock) hold.
func (e *UnknownStockError) Unwrap() error { return ErrUnknownStock }

// InvalidError is a refused input naming the field at fault.
type InvalidError struct{ Field, Reason string }

// Error says which field is wrong and why.
func (e *InvalidError) Error() string { return e.Field + " " + e.Reason }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ValidateItem checks one item's ids, naming field (e.g. "items[2]") at fault.
func ValidateItem(field string, it Item) error {
	switch {
	case !idPattern.MatchString(it.StoreID):
		return invalid(field+".store_id", "must be 1-64 letters, digits, '-' or '_'")
	case !idPattern.MatchString(it.DishID):
		return invalid(field+".dish_id", "must be 1-64 letters, digits, '-' or '_'")
	case !periodPattern.MatchString(it.Period):
		return invalid(field+".period", "must look like 2026-11-25.lunch")
	}
	return nil
}

// ValidateOrderID checks an order id.
func ValidateOrderID(id string) error {
	if !idPattern.MatchString(id) {
		return invalid("order_id", "must be 1-64 letters, digits, '-' or '_'")
	}
	return nil
}

// ValidateLines checks an order's lines and returns them in canonical order (by item), the order
// every reservation of them works in, so that two orders never take their items in opposite turns.
func ValidateLines(lines []Line) ([]Line, error) {
	if len(lines) == 0 || len(lines) > MaxItems {
		return nil, invalid("items", "must hold 1 to %d items", MaxItems)
	}
	seen := map[Item]bool{}
	for i, l := range lines {
		field := fmt.Sprintf("items[%d]", i)
		if err := ValidateItem(field, l.Item); err != nil {
			return nil, err
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			return nil, invalid(field+".quantity", "must be between 1 and %d", MaxQuantity)
		}
		if seen[l.Item] {
			return nil, invalid(field+".dish_id", "appears twice in one order")
		}
		seen[l.Item] = true
	}
	sorted := append([]Line(nil), lines...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].Item.String() < sorted[b].Item.String() })
	return sorted, nil
}
