package stock

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Reservation records the outcome of an order's reservation, so that a retried, duplicated or late
// request answers the same and a released order is never reserved again. It is one record per
// order, created once and then moved only forward (reserved -> confirmed | released; confirmed ->
// returning -> returned when a paid order's money goes back); its lines,
// digest and parts never change after it is created.
type Reservation struct {
	OrderID string
	Status  Status
	Lines   []Line
	// Digest identifies Lines (see digest): a Reserve of the order with other lines is refused.
	Digest string
	// Parts are the holds that make up Lines, named by bucket and part id, when the order was
	// reserved. Any other hold of the order is a stray: a duplicate's extra or a late hold taken
	// after the order was sold or released, given back by whoever meets it. A record written in
	// one call with its holds (Repository.PutBuckets) may stand while a hold it names did not
	// land; nothing but a sale or a release ever removes a named hold, so a reserved record's
	// named hold that is missing was never written, and is taken before the order is answered.
	Parts []Part
	// SoldOut is the item that could not be had, when Status is SoldOut.
	SoldOut Item
}

// Part is one hold of an order: Quantity units of Item in bucket Bucket, under its own id.
type Part struct {
	Item     Item
	Bucket   int
	ID       string
	Quantity int64
}

// Status of a reservation.
type Status string

// The statuses a reservation record can have. Released, SoldOut and Returned are final; Confirmed
// is final but for a return (the order was refunded), Returning is a return under way.
const (
	Reserved  Status = "reserved"
	Released  Status = "released"
	Confirmed Status = "confirmed"
	SoldOut   Status = "sold_out"
	Returning Status = "returning"
	Returned  Status = "returned"
)

// holdsStock reports whether an order in this status keeps (or has sold) its units; any other
// outcome means every hold of the order must go back to available.
func (s Status) holdsStock() bool { return s == Reserved || s == Confirmed }

// owns reports whether the hold part of bucket i of it is one of the order's standing holds.
func (r Reservation) owns(it Item, i int, part string) bool {
	if !r.Status.holdsStock() {
		return false
	}
	if r.Parts == nil {
		// Written before records named their parts: every hold of the order on its items stands.
		return true
	}
	for _, p := range r.Parts {
		if p.Item == it && p.Bucket == i && p.ID == part {
			return true
		}
	}
	return false
}

// matches reports whether lines (canonical, with digest d) are the ones the order was recorded with.
func (r Reservation) matches(lines []Line, d string) bool {
	if r.Digest != "" {
		return r.Digest == d
	}
	return slices.Equal(r.Lines, lines) // a record written before digests existed
}

// outcome is the answer a reservation record gives to a repeated Reserve.
func outcome(r Reservation) (Status, error) {
	switch r.Status {
	case Reserved, Confirmed:
		return r.Status, nil
	case SoldOut:
		return r.Status, &SoldOutError{Item: r.SoldOut}
	case Released, Returning, Returned:
		return r.Status, ErrReleased
	default:
		return "", fmt.Errorf("reservation of %s has unknown status %q", r.OrderID, r.Status)
	}
}

// digest identifies an order's lines, given in canonical order: two bodies have the same digest
// exactly when they ask for the same quantities of the same items.
func digest(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.StoreID + "\x00" + l.DishID + "\x00" + l.Period + "\x00" + strconv.FormatInt(l.Quantity, 10) + "\n")
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:16])
}

// items lists the distinct items of a followed by those of b: every item an order may hold.
func items(a, b []Line) []Item {
	var out []Item
	for _, l := range append(slices.Clone(a), b...) {
		if !slices.Contains(out, l.Item) {
			out = append(out, l.Item)
		}
	}
	return out
}

// missing returns the parts a reserved record names in bucket i of it that are not among the
// order's parts there (ps, by id): holds of its write that did not land (see Parts).
func (r Reservation) missing(it Item, i int, ps map[string]int64) []Part {
	if r.Status != Reserved {
		return nil
	}
	var out []Part
	for _, p := range r.Parts {
		if _, ok := ps[p.ID]; !ok && p.Item == it && p.Bucket == i {
			out = append(out, p)
		}
	}
	return out
}
