package stock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/canteen/canteen/services/internal/occ"
)

// cleanupTimeout bounds a clean-up that runs on after its caller left.
const cleanupTimeout = 10 * time.Second

// Reserve holds every line of an order, or none, and returns the order's reservation status
// (Reserved, or Confirmed for a repeat after payment). It is idempotent and resumable by order id:
// a repeated call answers what the first one did, and a call after a crash completes the holds the
// crashed one began (it adopts the parts that one left, so nothing is ever held twice).
//
// A call holds item by item in canonical order (a fresh order's items all in one write, holdAll,
// when nothing stands in the way, with the record in that write when every item has one bucket),
// and the order's reservation record is created create-only, naming the parts that make up the
// lines: whichever outcome is recorded first stands, and every call then makes the holds agree
// with it (the named parts kept, or taken where they did not land, every other hold of the order
// returned). So a Release that overtakes a Reserve, or a sold-out duplicate racing a successful
// one, never leaves stock held for an order that does not have it, nor takes it from one that
// does.
//
// An order id stands for one body: a call with other lines than the recorded ones is refused with
// *MismatchError. Two bodies racing before either is recorded may both hold; the one recorded
// first stands, and the other's holds go back as strays (by its own call, or, if that call is
// killed first, by the reconciler, which settles every item an order holds).
//
// Errors: *SoldOutError, ErrReleased, *MismatchError, *UnknownStockError, *InvalidError,
// ErrIncomplete; others are store faults.
func (s *Service) Reserve(ctx context.Context, orderID string, lines []Line) (Status, error) {
	if err := ValidateOrderID(orderID); err != nil {
		return "", err
	}
	lines, err := ValidateLines(lines)
	if err != nil {
		return "", err
	}
	a := newAttempt(orderID, lines)
	// Once this replica knows every item's bucket count (after its first order of them), the
	// record and every bucket the holds start from come in one read.
	its, counts := make([]Item, len(lines)), make([]int, len(lines))
	known := true
	for i, l := range lines {
		its[i] = l.Item
		counts[i], known = s.knownCount(l.Item)
		if !known {
			break
		}
	}
	var p Prepared
	if known {
		p, err = s.repo.Prepare(ctx, orderID, its, counts)
	} else {
		p, err = s.repo.Prepare(ctx, orderID, nil, nil)
	}
	switch {
	case err != nil:
		return "", err
	case p.Reservation != nil:
		return s.replay(ctx, *p.Reservation, a)
	}
	// Every item must exist before the first hold, so that a refused request holds nothing.
	pre := make([]*read, len(lines))
	for i, l := range lines {
		if known {
			pre[i] = &read{p.Buckets[i], p.Tokens[i]}
		} else if counts[i], err = s.bucketCount(ctx, l.Item); errors.Is(err, ErrUnknownStock) {
			return "", &UnknownStockError{Item: l.Item}
		} else if err != nil {
			return "", err
		}
	}
	// The memo may answer only for an order that holds nothing, which Prepare's read shows when
	// it read the buckets. One holding some lines was begun by a call that may have been killed:
	// it must resume, and give them back if it ends sold out, not be left holding them until it
	// expires.
	if known && !holdsAny(orderID, pre) {
		for _, l := range lines {
			if s.recentlySoldOut(l.Item) {
				return "", &SoldOutError{Item: l.Item}
			}
		}
	}
	st, settled, held, err := s.holdAll(ctx, a, lines, counts, pre)
	if settled {
		return st, err
	}
	for i := 0; i < len(lines) && !held; i++ {
		l := lines[i]
		err := s.hold(ctx, a, l, counts[i], pre[i])
		if soldOut := (*SoldOutError)(nil); errors.As(err, &soldOut) {
			return s.settle(ctx, a, Reservation{OrderID: orderID, Status: SoldOut, Lines: lines, Digest: a.digest, SoldOut: soldOut.Item})
		}
		if err != nil {
			return "", err
		}
	}
	return s.settle(ctx, a, Reservation{OrderID: orderID, Status: Reserved, Lines: lines, Digest: a.digest, Parts: a.parts})
}

// holdsAny reports whether any bucket read holds a part of the order.
func holdsAny(order string, reads []*read) bool {
	for _, r := range reads {
		for _, b := range r.buckets {
			if len(b.partsOf(order)) > 0 {
				return true
			}
		}
	}
	return false
}

// settle records r as the order's outcome unless another call recorded one first, then brings the
// holds in line with the outcome that stands. A sold-out outcome is recorded before the holds
// this call met are given back, so that a duplicate that did reserve every item keeps its holds:
// whichever of the two records first wins, and the loser follows. Items this call did not touch
// are left alone: a duplicate that held them meets the record in its own settle and gives them
// back there, which spares the common attempts (nothing held, or nothing stray) any extra read.
func (s *Service) settle(ctx context.Context, a *attempt, r Reservation) (Status, error) {
	err := s.repo.CreateReservation(ctx, r)
	if errors.Is(err, occ.ErrConflict) {
		cur, _, err := s.repo.Reservation(ctx, r.OrderID)
		if err != nil {
			return "", err
		}
		return s.replay(ctx, cur, a)
	}
	if err != nil {
		return "", fmt.Errorf("record reservation of %s: %w", r.OrderID, err)
	}
	tidy := a.strays
	if !r.Status.holdsStock() {
		tidy = a.touched
	}
	if len(tidy) > 0 {
		ctx, cancel := detach(ctx)
		defer cancel()
		var its []Item
		for _, l := range r.Lines {
			if tidy[l.Item] {
				its = append(its, l.Item)
			}
		}
		if err := s.settleHolds(ctx, r, its, false); err != nil {
			return "", err
		}
	}
	return outcome(r)
}

// replay answers a Reserve of an order that already has a record, first finishing what a call
// killed half-way, or a write of the record with its holds refused in part, may have left: a
// reserved order's named holds that did not land are taken (ErrIncomplete if they cannot be),
// holds of a released or sold-out order are returned (a late duplicate can take them after the
// release), and a reserved or confirmed order keeps exactly the parts its record names (a killed
// duplicate can leave others). The request's lines may name items the record lacks when a client
// reused an order id for another body; their holds go back too, and the request is refused
// unless the order was released (which answers the same to every body).
func (s *Service) replay(ctx context.Context, r Reservation, a *attempt) (Status, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	err := s.settleHolds(ctx, r, items(r.Lines, a.lines), false)
	switch mismatch := r.Status != Released && !r.matches(a.lines, a.digest); {
	case mismatch && (err == nil || errors.Is(err, ErrIncomplete)):
		return "", &MismatchError{OrderID: r.OrderID}
	case err != nil:
		return "", err
	}
	return outcome(r)
}

// detach lets a clean-up finish when the caller goes away (a client timing out mid-request), so
// that it is not cut half-way; it stays bounded so that a stuck store cannot pin it forever.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}
