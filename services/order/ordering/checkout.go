package ordering

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Limits of one checkout.
const (
	MaxItems    = 20
	MaxQuantity = 20
)

var (
	idPattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	keyPattern    = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,128}$`)
	periodPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\.[a-z]{1,16}$`)
	// buildingPattern: a building's name as people write it ("Dorm 5", "West Hall #2").
	buildingPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _.,#/-]{0,63}$`)
)

// InvalidError is a refused input naming the field at fault.
type InvalidError struct{ Field, Reason string }

func (e *InvalidError) Error() string { return e.Field + " " + e.Reason }

// NotOnMenuError refuses a checkout line whose dish the store's menu does not list: the request is
// well formed, but not something this store sells.
type NotOnMenuError struct{ Field, DishID string }

func (e *NotOnMenuError) Error() string {
	return e.Field + " " + e.DishID + " is not on this store's menu"
}

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// CheckoutRequest is what a customer sends to place an order.
type CheckoutRequest struct {
	CustomerID, IdempotencyKey, StoreID, Period string
	Items                                       []ItemRequest
	Delivery                                    *Delivery // nil: the customer picks it up
}

// Delivery is where a rider takes a delivery order: a building of a campus zone.
type Delivery struct{ Zone, Building string }

// ItemRequest is a dish and how many; the price comes from the menu.
type ItemRequest struct {
	DishID   string
	Quantity int64
}

// Validate checks the request field by field.
func (r CheckoutRequest) Validate() error {
	switch {
	case !idPattern.MatchString(r.CustomerID):
		return invalid("X-Customer-Id", "must be 1-64 letters, digits, '-' or '_'")
	case !keyPattern.MatchString(r.IdempotencyKey):
		return invalid("Idempotency-Key", "is required: 1-128 letters, digits or -_.:")
	case !idPattern.MatchString(r.StoreID):
		return invalid("store_id", "must be 1-64 letters, digits, '-' or '_'")
	case !periodPattern.MatchString(r.Period):
		return invalid("period", "must look like 2026-11-25.lunch")
	case len(r.Items) == 0 || len(r.Items) > MaxItems:
		return invalid("items", "must hold 1 to %d items", MaxItems)
	case r.Delivery != nil && !idPattern.MatchString(r.Delivery.Zone):
		return invalid("delivery.zone", "must be 1-64 letters, digits, '-' or '_'")
	case r.Delivery != nil && !buildingPattern.MatchString(r.Delivery.Building):
		return invalid("delivery.building", "must be 1-64 letters, digits, spaces or -_.,#/")
	}
	seen := map[string]bool{}
	for i, it := range r.Items {
		field := fmt.Sprintf("items[%d]", i)
		switch {
		case !idPattern.MatchString(it.DishID):
			return invalid(field+".dish_id", "must be 1-64 letters, digits, '-' or '_'")
		case it.Quantity < 1 || it.Quantity > MaxQuantity:
			return invalid(field+".quantity", "must be between 1 and %d", MaxQuantity)
		case seen[it.DishID]:
			return invalid(field+".dish_id", "appears twice in one order")
		}
		seen[it.DishID] = true
	}
	return nil
}

// OrderID is the order's id: the same customer and key always name the same order, so every
// retry of a checkout, on any replica, works on one order and one reservation.
func (r CheckoutRequest) OrderID() string {
	sum := sha256.Sum256([]byte(r.CustomerID + "\x00" + r.IdempotencyKey))
	return hex.EncodeToString(sum[:16])
}

// Hash identifies the request's content, whatever the order of its items.
func (r CheckoutRequest) Hash() string {
	items := append([]ItemRequest(nil), r.Items...)
	sort.Slice(items, func(a, b int) bool { return items[a].DishID < items[b].DishID })
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s", r.StoreID, r.Period)
	for _, it := range items {
		fmt.Fprintf(&b, "|%s*%d", it.DishID, it.Quantity)
	}
	if r.Delivery != nil { // appended only when set: a pickup order's hash is what it always was
		fmt.Fprintf(&b, "|delivery:%s\x00%s", r.Delivery.Zone, r.Delivery.Building)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
