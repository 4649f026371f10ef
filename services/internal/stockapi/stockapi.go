// Package stockapi is inventory's call contract: the method paths, request and response bodies
// and error codes of its reservation API, served by inventory and used by its callers, as package
// event is for the events. The JSON is the wire format and stays language-neutral: a field's tag
// and a code's text are never renamed (callers in any language depend on them); add, do not change.
package stockapi

import (
	"net/url"
	"strconv"
	"strings"
)

// Method paths, relative to /v1.0/invoke/<inventory app id>/method/.
const (
	// PathReserve takes a ReserveRequest and answers 201 with a ReservationResponse.
	PathReserve = "reservations"
)

// ReleasePath takes a LinesRequest (the lines are used when the order was never reserved, so the
// release can still refuse a late reservation) and answers 200 with a ReservationResponse.
func ReleasePath(orderID string) string {
	return "reservations/" + url.PathEscape(orderID) + "/release"
}

// ConfirmPath takes an optional LinesRequest (the reservation's own lines are what gets sold) and
// answers 200 with a ReservationResponse.
func ConfirmPath(orderID string) string {
	return "reservations/" + url.PathEscape(orderID) + "/confirm"
}

// Line is a quantity of one dish of one store in one sale period ("2026-11-25.lunch").
type Line struct {
	StoreID  string `json:"store_id"`
	DishID   string `json:"dish_id"`
	Period   string `json:"period"`
	Quantity int64  `json:"quantity"`
}

// ReserveRequest holds an order's lines, all or none. Repeating it with the same order id and
// lines is answered as the first one was.
type ReserveRequest struct {
	OrderID string `json:"order_id"`
	Items   []Line `json:"items"`
}

// LinesRequest is the body of a release or a confirmation.
type LinesRequest struct {
	Items []Line `json:"items"`
}

// Status is where an order's reservation is.
type Status string

// Statuses a ReservationResponse reports.
const (
	Reserved  Status = "reserved"
	Released  Status = "released"
	Confirmed Status = "confirmed"
)

// ReservationResponse is inventory's answer to a reservation, release or confirmation.
type ReservationResponse struct {
	OrderID string `json:"order_id"`
	Status  Status `json:"status"`
}

// Code is an inventory refusal: the "code" of the apierr envelope it answers with. Callers map
// these, never the message, to their own errors.
type Code string

// Inventory's own codes; the shared ones (invalid_argument, not_found, unavailable, ...) are
// apierr's.
const (
	// CodeSoldOut (409): there is not enough of one line; the field names it ("items[1]") and
	// nothing of the order is held.
	CodeSoldOut Code = "sold_out"
	// CodeUnknownStock (404): one line's item was never restocked; the field names it and nothing
	// of the order is held.
	CodeUnknownStock Code = "unknown_stock"
	// CodeReleased (409): the order's reservation was released (cancelled or expired); it can be
	// neither reserved again nor confirmed.
	CodeReleased Code = "released"
	// CodeConfirmed (409): the order's stock is sold; it cannot be released.
	CodeConfirmed Code = "confirmed"
	// CodeReservationMismatch (409): the order id was reserved before with other lines; the first
	// reservation stands and nothing more is held.
	CodeReservationMismatch Code = "reservation_mismatch"
)

// LineField names the request's line i in an error's field, as inventory does: "items[1]".
func LineField(i int) string { return "items[" + strconv.Itoa(i) + "]" }

// LineIndex is the index of the line a field names ("items[1]" is 1); ok is false for a field
// that names no single line.
func LineIndex(field string) (i int, ok bool) {
	rest, found := strings.CutPrefix(field, "items[")
	if !found {
		return 0, false
	}
	n, found := strings.CutSuffix(rest, "]")
	if !found {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil && i >= 0
}
