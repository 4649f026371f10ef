package stock

import "fmt"

// Reservation records the outcome of an order's reservation, so that a retried, duplicated or late
// request answers the same and a released order is never reserved again. It is one record per
// order, created once and then moved only forward (reserved -> confirmed | released).
type Reservation struct {
	OrderID string
	Status  Status
	Lines   []Line
	// SoldOut is the item that could not be had, when Status is SoldOut.
	SoldOut Item
}

// Status of a reservation.
type Status string

// The statuses a reservation record can have. Released, Confirmed and SoldOut are final.
const (
	Reserved  Status = "reserved"
	Released  Status = "released"
	Confirmed Status = "confirmed"
	SoldOut   Status = "sold_out"
)

// holdsStock reports whether an order in this status keeps (or has sold) its units; any other
// outcome means every hold of the order must go back to available.
func (s Status) holdsStock() bool { return s == Reserved || s == Confirmed }

// outcome is the answer a reservation record gives to a repeated Reserve.
func outcome(r Reservation) (Status, error) {
	switch r.Status {
	case Reserved, Confirmed:
		return r.Status, nil
	case SoldOut:
		return r.Status, &SoldOutError{Item: r.SoldOut}
	case Released:
		return r.Status, ErrReleased
	default:
		return "", fmt.Errorf("reservation of %s has unknown status %q", r.OrderID, r.Status)
	}
}

// union is a followed by the lines of b whose item a lacks: every item an order may hold.
func union(a, b []Line) []Line {
	out := append([]Line(nil), a...)
	for _, l := range b {
		found := false
		for _, m := range a {
			found = found || m.Item == l.Item
		}
		if !found {
			out = append(out, l)
		}
	}
	return out
}
