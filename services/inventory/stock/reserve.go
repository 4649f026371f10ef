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
// crashed one began (a hold is keyed by order id, so nothing is ever held twice).
//
// Holds are taken first, item by item in canonical order, and the order's reservation record is
// created last, create-only: whichever outcome is recorded first stands, and every call then makes
// the holds agree with it (kept for reserved, returned for released or sold out). So a Release
// that overtakes a Reserve, or a sold-out duplicate racing a successful one, never leaves stock
// held for an order that does not have it, nor takes it from one that does.
//
// Errors: *SoldOutError, ErrReleased, *UnknownStockError, *InvalidError; others are store faults.
func (s *Service) Reserve(ctx context.Context, orderID string, lines []Line) (Status, error) {
	if err := ValidateOrderID(orderID); err != nil {
		return "", err
	}
	lines, err := ValidateLines(lines)
	if err != nil {
		return "", err
	}
	if r, _, err := s.repo.Reservation(ctx, orderID); err == nil {
		return s.replay(ctx, r, lines)
	} else if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	// Every item must exist before the first hold, so that a refused request holds nothing.
	counts := make([]int, len(lines))
	for i, l := range lines {
		if counts[i], err = s.bucketCount(ctx, l.Item); errors.Is(err, ErrUnknownStock) {
			return "", &UnknownStockError{Item: l.Item}
		} else if err != nil {
			return "", err
		}
		if s.recentlySoldOut(l.Item) {
			return "", &SoldOutError{Item: l.Item}
		}
	}
	for i, l := range lines {
		err := s.hold(ctx, orderID, l, counts[i])
		if soldOut := (*SoldOutError)(nil); errors.As(err, &soldOut) {
			return s.settle(ctx, Reservation{OrderID: orderID, Status: SoldOut, Lines: lines, SoldOut: soldOut.Item}, lines[:i])
		}
		if err != nil {
			return "", err
		}
	}
	return s.settle(ctx, Reservation{OrderID: orderID, Status: Reserved, Lines: lines}, nil)
}

// settle records r as the order's outcome unless another call recorded one first, then brings the
// holds in line with the outcome that stands. A sold-out outcome is recorded before the lines this
// call held are given back, so that a duplicate that did reserve every item keeps its holds:
// whichever of the two records first wins, and the loser follows. Lines this call did not hold
// are left alone: a duplicate that held them meets the record in its own settle and gives them
// back there, which spares the common sold-out attempt (nothing held) a read.
func (s *Service) settle(ctx context.Context, r Reservation, held []Line) (Status, error) {
	err := s.repo.CreateReservation(ctx, r)
	if errors.Is(err, occ.ErrConflict) {
		cur, _, err := s.repo.Reservation(ctx, r.OrderID)
		if err != nil {
			return "", err
		}
		return s.replay(ctx, cur, r.Lines)
	}
	if err != nil {
		return "", fmt.Errorf("record reservation of %s: %w", r.OrderID, err)
	}
	if !r.Status.holdsStock() {
		ctx, cancel := detach(ctx)
		defer cancel()
		if err := s.unholdAll(ctx, r.OrderID, held, false); err != nil {
			return "", err
		}
	}
	return outcome(r)
}

// replay answers a Reserve of an order that already has a record, first finishing what a call
// killed half-way may have left: holds of a released or sold-out order are returned (a late
// duplicate can take them after the release), and a reserved or confirmed order keeps one hold per
// item (a killed duplicate can leave a second one in another bucket). lines, the request's, may
// name items the record lacks when a client reused an order id for another body.
func (s *Service) replay(ctx context.Context, r Reservation, lines []Line) (Status, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	all := union(r.Lines, lines)
	if !r.Status.holdsStock() {
		if err := s.unholdAll(ctx, r.OrderID, all, false); err != nil {
			return "", err
		}
		return outcome(r)
	}
	for _, l := range r.Lines {
		if err := s.tidy(ctx, r.OrderID, l.Item); err != nil {
			return "", err
		}
	}
	if err := s.unholdAll(ctx, r.OrderID, all[len(r.Lines):], false); err != nil {
		return "", err
	}
	return outcome(r)
}

// detach lets a clean-up finish when the caller goes away (a client timing out mid-request), so
// that it is not cut half-way; it stays bounded so that a stuck store cannot pin it forever.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}
