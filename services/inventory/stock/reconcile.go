package stock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// The reconciler makes every hold end in a sale or a release without relying on one event or one
// job: a periodic sweep reads every hold of the indexed items, asks the order service about the
// holding orders, and releases (or sells) what a lost event, a failed release or a late duplicate
// Reserve left behind. It only calls Release and Confirm, which are idempotent and resumable, so
// a sweep run twice, or on two replicas at once, changes nothing the first did not.

// ReconcileConfig tunes the reconciler.
type ReconcileConfig struct {
	// PaymentTimeout is the order service's: how long an order may stay unpaid.
	PaymentTimeout time.Duration
	// Margin is added to the payment timeout before a hold of an unknown or unpaid order is
	// released, so that the order service's own expiry acts first.
	Margin time.Duration
	// Days: the sale dates swept are those at most Days before today, and later ones.
	Days int
	// PageSize is how many orders one call to the order service asks about.
	PageSize int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Reconciler sweeps the holds; see above.
type Reconciler struct {
	svc    *Service
	repo   Repository
	orders Orders
	cfg    ReconcileConfig
	log    *slog.Logger
	// running serialises this replica's sweeps: a job tick arriving while one runs is skipped
	// (TrySweep), an operator's sweep waits for it (Sweep).
	running sync.Mutex
}

// NewReconciler returns the reconciler of svc's stock, asking orders about the holders.
func NewReconciler(svc *Service, orders Orders, cfg ReconcileConfig, log *slog.Logger) *Reconciler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 200
	}
	if cfg.Days <= 0 {
		cfg.Days = 3
	}
	return &Reconciler{svc: svc, repo: svc.repo, orders: orders, cfg: cfg, log: log}
}

// Sweep runs one sweep, after any this replica is running, and returns its report. Faults met on
// single items or pages are in the report; an error means the sweep could not run at all.
func (r *Reconciler) Sweep(ctx context.Context) (Report, error) {
	r.running.Lock()
	defer r.running.Unlock()
	return r.sweep(ctx)
}

// TrySweep runs a sweep unless this replica is running one already (ran false).
func (r *Reconciler) TrySweep(ctx context.Context) (rep Report, ran bool, err error) {
	if !r.running.TryLock() {
		return Report{}, false, nil
	}
	defer r.running.Unlock()
	rep, err = r.sweep(ctx)
	return rep, true, err
}

// LastReport returns the report of the last sweep of any replica; ErrNotFound before the first.
func (r *Reconciler) LastReport(ctx context.Context) (Report, error) {
	st, _, err := r.repo.SweepState(ctx)
	if err != nil {
		return Report{}, err
	}
	if st.Last == nil {
		return Report{}, fmt.Errorf("reconciler report: %w", ErrNotFound)
	}
	return *st.Last, nil
}

func (r *Reconciler) sweep(ctx context.Context) (Report, error) {
	now := r.cfg.Now().UTC()
	rep := Report{StartedAt: now, ByReason: map[Reason]int{}}
	holders, err := r.scan(ctx, now, &rep)
	if err != nil {
		return Report{}, err
	}
	st, _, err := r.repo.SweepState(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("read the reconciler's state: %w", err)
	}
	absent := map[string]time.Time{} // this sweep's view: only unknown orders still holding
	ids := slices.Sorted(maps.Keys(holders))
	for page := range slices.Chunk(ids, r.cfg.PageSize) {
		states, err := r.orders.Statuses(ctx, page)
		if err != nil {
			rep.failed(fmt.Errorf("ask the order service about %d orders: %w", len(page), err))
			for _, id := range page { // nothing learnt: keep their clocks running
				if t, ok := st.FirstAbsent[id]; ok {
					absent[id] = t
				}
			}
			continue
		}
		for _, id := range page {
			o, known := states[id]
			if err := r.resolve(ctx, id, holders[id], o, known, now, st.FirstAbsent, absent, &rep); err != nil {
				rep.failed(fmt.Errorf("order %s: %w", id, err))
			}
		}
	}
	rep.FinishedAt = r.cfg.Now().UTC()
	if err := r.saveState(ctx, absent, rep); err != nil {
		rep.failed(err)
	}
	r.log.Info("stock reconciled", "items", rep.Items, "holds", rep.Holds, "orders", rep.Orders, "waiting", rep.Waiting,
		"released", rep.Released, "repaired", rep.Repaired, "confirmed", rep.Confirmed, "by_reason", rep.ByReason,
		"errors", rep.Errors, "took", rep.FinishedAt.Sub(rep.StartedAt).String())
	return rep, nil
}

// scan reads every indexed item of the window and returns, per holding order, the lines it holds.
func (r *Reconciler) scan(ctx context.Context, now time.Time, rep *Report) (map[string][]Line, error) {
	items, err := r.sweptItems(ctx, now)
	if err != nil {
		return nil, err
	}
	holders := map[string][]Line{}
	for _, it := range items {
		v, err := r.svc.View(ctx, it)
		if errors.Is(err, ErrNotFound) {
			continue // indexed by a restock that failed before adding anything
		}
		if err != nil {
			rep.failed(fmt.Errorf("read %s: %w", it, err))
			continue
		}
		rep.Items++
		for order, q := range v.Holds {
			rep.Holds++
			holders[order] = append(holders[order], Line{Item: it, Quantity: min(max(q, 1), MaxQuantity)})
		}
	}
	rep.Orders = len(holders)
	return holders, nil
}

// resolve decides about one holding order. o and known are the order service's answer; seen is
// when earlier sweeps first saw the order unknown, and absent collects this sweep's such orders.
func (r *Reconciler) resolve(ctx context.Context, order string, held []Line, o OrderState, known bool,
	now time.Time, seen, absent map[string]time.Time, rep *Report) error {
	grace := r.cfg.PaymentTimeout + r.cfg.Margin
	switch {
	case known && o.Status == OrderPending && now.Sub(o.CreatedAt) <= grace:
		return nil // a live order: the common case, decided without a read
	case known && o.Status == OrderPending:
		return r.release(ctx, order, held, ReasonOverdue, rep)
	case !known:
		// A checkout reserves before it stores its order: give it the payment timeout and the
		// margin, counted from when a sweep first saw the hold, before reading anything.
		first, ok := seen[order]
		if !ok {
			first = now
		}
		if now.Sub(first) <= grace {
			absent[order] = first
			rep.Waiting++
			return nil
		}
	}
	res, _, err := r.repo.Reservation(ctx, order)
	recorded := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	// The order's own record is final: the holds must follow it, whatever the order service says.
	switch {
	case recorded && (res.Status == Released || res.Status == Returning || res.Status == Returned):
		return r.repair(ctx, order, held, ReasonRecordReleased, rep)
	case recorded && res.Status == SoldOut:
		return r.repair(ctx, order, held, ReasonRecordSoldOut, rep)
	case recorded && res.Status == Confirmed:
		return r.repair(ctx, order, held, ReasonRecordConfirmed, rep)
	}
	// The record says reserved, or there is none (a Reserve killed before recording).
	switch {
	case !known:
		return r.release(ctx, order, held, ReasonMissing, rep)
	case o.Status == OrderCancelled:
		return r.release(ctx, order, held, ReasonCancelled, rep)
	case o.Status == OrderExpired:
		return r.release(ctx, order, held, ReasonExpired, rep)
	case o.Status == OrderPaid && recorded:
		if err := r.svc.Confirm(ctx, order); err != nil && !errors.Is(err, ErrReleased) {
			return err
		}
		rep.fixed(order, ReasonPaid, held)
		return nil
	case o.Status == OrderPaid:
		return errors.New("paid, but its stock has no reservation record: left for an operator")
	}
	return fmt.Errorf("unknown order status %q: left alone", o.Status)
}

// release releases the order's holds (writing a released tombstone when it has no record, so that
// a late Reserve holds nothing). ErrConfirmed: it was sold meanwhile, which settles it too.
func (r *Reconciler) release(ctx context.Context, order string, held []Line, reason Reason, rep *Report) error {
	err := r.svc.Release(ctx, order, held)
	if errors.Is(err, ErrConfirmed) {
		return nil
	}
	if err != nil {
		return err
	}
	rep.fixed(order, reason, held)
	return nil
}

// repair makes the holds of an order with a final record follow it: Release returns them for a
// released or sold-out record, Confirm sells them for a confirmed one, and every item the order
// holds is settled against the record, also one the record does not name (a stray of a killed
// call of another body of the order). A hold still there after that is reported for an operator.
func (r *Reconciler) repair(ctx context.Context, order string, held []Line, reason Reason, rep *Report) error {
	var err error
	if reason == ReasonRecordConfirmed {
		err = r.svc.confirm(ctx, order, held)
	} else {
		err = r.svc.Release(ctx, order, held)
	}
	if err != nil {
		return err
	}
	rep.fixed(order, reason, held)
	for _, l := range held {
		v, err := r.svc.View(ctx, l.Item)
		if err != nil {
			return err
		}
		if _, ok := v.Holds[order]; ok {
			return fmt.Errorf("still holds %s, which its %s reservation does not name", l.Item, reason)
		}
	}
	return nil
}
