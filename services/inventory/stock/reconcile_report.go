package stock

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/canteen/canteen/services/internal/occ"
)

// OrderStatus is what the reconciler needs to know of an order's status in the order service.
type OrderStatus string

// The order statuses the reconciler tells apart; the order service's paid, accepted, ready and
// completed are all OrderPaid here (the stock is sold).
const (
	OrderPending   OrderStatus = "pending_payment"
	OrderPaid      OrderStatus = "paid"
	OrderCancelled OrderStatus = "cancelled"
	OrderExpired   OrderStatus = "expired"
)

// OrderState is an order as the order service reports it to the reconciler.
type OrderState struct {
	Status    OrderStatus
	CreatedAt time.Time
}

// Orders asks the order service about orders in one call. Orders it does not know are absent
// from the answer; an error means nothing can be concluded about any of them.
type Orders interface {
	Statuses(ctx context.Context, orderIDs []string) (map[string]OrderState, error)
}

// Reason says why the reconciler released, repaired or sold an order's holds.
type Reason string

// Reasons of a fix.
const (
	// The hold's order was cancelled or expired, and the event that should have released it was
	// lost (or failed).
	ReasonCancelled Reason = "order_cancelled"
	ReasonExpired   Reason = "order_expired"
	// The order service does not know the order, past the payment timeout: a checkout that died
	// between reserving and storing its order, whose expiry job was lost too.
	ReasonMissing Reason = "order_missing"
	// The order is still unpaid well past its payment timeout: its expiry job was lost.
	ReasonOverdue Reason = "order_overdue"
	// The order is paid but its stock was never sold: the payment event was lost.
	ReasonPaid Reason = "order_paid"
	// Repairs: the order's own reservation record is final, yet a hold is left (a Release,
	// Confirm or late duplicate Reserve that died half-way).
	ReasonRecordReleased  Reason = "record_released"
	ReasonRecordSoldOut   Reason = "record_sold_out"
	ReasonRecordConfirmed Reason = "record_confirmed"
)

// Limits that keep a report and the reconciler's state small whatever the sweep finds.
const (
	MaxReportFixes   = 100
	MaxReportErrors  = 20
	MaxTrackedAbsent = 10_000
)

// Fix is one order the sweep released, repaired or sold, with the holds it found.
type Fix struct {
	OrderID string
	Reason  Reason
	Lines   []Line
}

// Report is what one sweep checked and fixed.
type Report struct {
	StartedAt, FinishedAt time.Time
	// Checked: items read, holds found on them, and the distinct orders holding them.
	Items, Holds, Orders int
	// Waiting: holds of orders the order service does not know, seen for less than the payment
	// timeout (and margin) so far: a checkout may still be storing them.
	Waiting int
	// Released (cancelled, expired, missing, overdue orders), Repaired (final records with holds
	// left) and Confirmed (paid orders' stock sold) count orders; ByReason splits them.
	Released, Repaired, Confirmed int
	ByReason                      map[Reason]int
	Fixes                         []Fix // the first MaxReportFixes
	Errors                        int
	ErrorSamples                  []string // the first MaxReportErrors
}

// SweepState is what the reconciler keeps between sweeps, in the store: when each hold of an
// unknown order was first seen (in memory it would restart its clock with every deploy, and
// replicas would disagree), and the last report.
type SweepState struct {
	FirstAbsent map[string]time.Time
	Last        *Report
}

func (rep *Report) fixed(order string, reason Reason, lines []Line) {
	switch reason {
	case ReasonRecordReleased, ReasonRecordSoldOut, ReasonRecordConfirmed:
		rep.Repaired++
	case ReasonPaid:
		rep.Confirmed++
	default:
		rep.Released++
	}
	rep.ByReason[reason]++
	if len(rep.Fixes) < MaxReportFixes {
		rep.Fixes = append(rep.Fixes, Fix{OrderID: order, Reason: reason, Lines: lines})
	}
}

func (rep *Report) failed(err error) {
	rep.Errors++
	if len(rep.ErrorSamples) < MaxReportErrors {
		rep.ErrorSamples = append(rep.ErrorSamples, err.Error())
	}
}

// saveState stores this sweep's report and its clocks of unknown orders. A concurrent sweep's
// clocks are merged by keeping the earlier time of an order both saw; an order only the other
// sweep saw is dropped, which at worst restarts its clock (a later release, never an early one).
func (r *Reconciler) saveState(ctx context.Context, absent map[string]time.Time, rep Report) error {
	err := occ.Retry(ctx, func(ctx context.Context) error {
		st, tok, err := r.repo.SweepState(ctx)
		if err != nil {
			return err
		}
		next := make(map[string]time.Time, len(absent))
		for id, t := range absent {
			if theirs, ok := st.FirstAbsent[id]; ok && theirs.Before(t) {
				t = theirs
			}
			next[id] = t
		}
		return r.repo.PutSweepState(ctx, SweepState{FirstAbsent: bounded(next), Last: &rep}, tok)
	})
	if err != nil {
		return fmt.Errorf("save the reconciler's state: %w", err)
	}
	return nil
}

// bounded keeps the MaxTrackedAbsent earliest clocks: the dropped ones restart on the next sweep.
func bounded(m map[string]time.Time) map[string]time.Time {
	if len(m) <= MaxTrackedAbsent {
		return m
	}
	ids := slices.SortedFunc(maps.Keys(m), func(a, b string) int { return m[a].Compare(m[b]) })
	for _, id := range ids[MaxTrackedAbsent:] {
		delete(m, id)
	}
	return m
}
