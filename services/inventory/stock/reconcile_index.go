package stock

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/canteen/canteen/services/internal/occ"
)

// The item index: the state store cannot list keys, so the reconciler finds the items that may
// hold stock through a list of sale dates and, per date, a list of the items restocked for it.
// Only restock writes it (a rare staff action, so the keys are never hot), before it adds any
// unit, so that no item has stock the sweep cannot find; items stocked before the index existed
// are added by their next restock.

// IndexedDate is a sale date with restocked items, and when an item of it was last restocked: a
// past date restocked lately (a late correction, or a test's fixed period) is swept as long as a
// recent one.
type IndexedDate struct {
	Date      string // "2026-11-25"
	Restocked time.Time
}

// dateRefresh is how stale an IndexedDate's Restocked may be before a restock rewrites it: most
// restocks then write nothing to the dates key.
const dateRefresh = time.Hour

// saleDate is the date part of an item's period ("2026-11-25" of "2026-11-25.lunch").
func saleDate(it Item) string { return it.Period[:10] }

// index records the item under its sale date, and the date in the list of dates; idempotent.
func (s *Service) index(ctx context.Context, it Item) error {
	date := saleDate(it)
	err := occ.Retry(ctx, func(ctx context.Context) error {
		items, tok, err := s.repo.IndexedItems(ctx, date)
		if err != nil || slices.Contains(items, it) {
			return err
		}
		return s.repo.PutIndexedItems(ctx, date, append(items, it), tok)
	})
	if err != nil {
		return fmt.Errorf("index %s: %w", it, err)
	}
	now := time.Now().UTC()
	err = occ.Retry(ctx, func(ctx context.Context) error {
		dates, tok, err := s.repo.IndexedDates(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(dates, func(d IndexedDate) bool { return d.Date == date })
		switch {
		case i < 0:
			dates = append(dates, IndexedDate{Date: date, Restocked: now})
		case now.Sub(dates[i].Restocked) < dateRefresh:
			return nil
		default:
			dates[i].Restocked = now
		}
		return s.repo.PutIndexedDates(ctx, dates, tok)
	})
	if err != nil {
		return fmt.Errorf("index date %s: %w", date, err)
	}
	return nil
}

// inWindow reports whether a date is swept: its sale date is at most days before today, or one
// of its items was restocked within that time.
func inWindow(d IndexedDate, now time.Time, days int) bool {
	since := now.AddDate(0, 0, -days)
	return d.Date >= since.Format(time.DateOnly) || d.Restocked.After(since)
}

// sweptItems returns every indexed item of the dates in the window, and prunes the dates that
// left it from the list (the sweep is then the list's only other writer, once a day at most).
func (r *Reconciler) sweptItems(ctx context.Context, now time.Time) ([]Item, error) {
	var keep []IndexedDate
	err := occ.Retry(ctx, func(ctx context.Context) error {
		dates, tok, err := r.repo.IndexedDates(ctx)
		if err != nil {
			return err
		}
		keep = slices.DeleteFunc(slices.Clone(dates), func(d IndexedDate) bool { return !inWindow(d, now, r.cfg.Days) })
		if len(keep) == len(dates) {
			return nil
		}
		return r.repo.PutIndexedDates(ctx, keep, tok)
	})
	if err != nil {
		return nil, fmt.Errorf("read the item index: %w", err)
	}
	var items []Item
	for _, d := range keep {
		its, _, err := r.repo.IndexedItems(ctx, d.Date)
		if err != nil {
			return nil, fmt.Errorf("read the items of %s: %w", d.Date, err)
		}
		items = append(items, its...)
	}
	return items, nil
}
