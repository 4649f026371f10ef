package sidecar

import (
	"context"
	"time"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/inventory/stock"
)

// The reconciler's index and state: three kinds of key, each written with its ETag.
const (
	indexDatesKey = "recon:dates"
	sweepStateKey = "recon:state"
)

func indexItemsKey(date string) string { return "recon:items:" + date }

type indexedDateRecord struct {
	Date      string    `json:"date"`
	Restocked time.Time `json:"restocked"`
}

type sweepStateRecord struct {
	FirstAbsent map[string]time.Time `json:"first_absent,omitempty"`
	Last        *reportRecord        `json:"last,omitempty"`
}

type reportRecord struct {
	StartedAt    time.Time      `json:"started_at"`
	FinishedAt   time.Time      `json:"finished_at"`
	Items        int            `json:"items"`
	Holds        int            `json:"holds"`
	Orders       int            `json:"orders"`
	Waiting      int            `json:"waiting"`
	Released     int            `json:"released"`
	Repaired     int            `json:"repaired"`
	Confirmed    int            `json:"confirmed"`
	ByReason     map[string]int `json:"by_reason,omitempty"`
	Fixes        []fixRecord    `json:"fixes,omitempty"`
	Errors       int            `json:"errors"`
	ErrorSamples []string       `json:"error_samples,omitempty"`
}

type fixRecord struct {
	OrderID string       `json:"order_id"`
	Reason  string       `json:"reason"`
	Lines   []lineRecord `json:"lines"`
}

// IndexedDates reads the list of sale dates with restocked items.
func (r *Repository) IndexedDates(ctx context.Context) ([]stock.IndexedDate, stock.Token, error) {
	var recs []indexedDateRecord
	tok, err := r.read(ctx, indexDatesKey, &recs)
	out := make([]stock.IndexedDate, len(recs))
	for i, d := range recs {
		out[i] = stock.IndexedDate(d)
	}
	return out, tok, err
}

// PutIndexedDates writes the list of dates with the token it was read with ("" for a new list).
func (r *Repository) PutIndexedDates(ctx context.Context, dates []stock.IndexedDate, t stock.Token) error {
	recs := make([]indexedDateRecord, len(dates))
	for i, d := range dates {
		recs[i] = indexedDateRecord(d)
	}
	return r.write(ctx, indexDatesKey, recs, t)
}

// IndexedItems reads the items restocked for a sale date.
func (r *Repository) IndexedItems(ctx context.Context, date string) ([]stock.Item, stock.Token, error) {
	var recs []itemRecord
	tok, err := r.read(ctx, indexItemsKey(date), &recs)
	out := make([]stock.Item, len(recs))
	for i, it := range recs {
		out[i] = it.domain()
	}
	return out, tok, err
}

// PutIndexedItems writes a date's items with the token they were read with ("" for a new list).
func (r *Repository) PutIndexedItems(ctx context.Context, date string, items []stock.Item, t stock.Token) error {
	recs := make([]itemRecord, len(items))
	for i, it := range items {
		recs[i] = toItemRecord(it)
	}
	return r.write(ctx, indexItemsKey(date), recs, t)
}

// SweepState reads the reconciler's state.
func (r *Repository) SweepState(ctx context.Context) (stock.SweepState, stock.Token, error) {
	var rec sweepStateRecord
	tok, err := r.read(ctx, sweepStateKey, &rec)
	st := stock.SweepState{FirstAbsent: rec.FirstAbsent}
	if rec.Last != nil {
		last := rec.Last.domain()
		st.Last = &last
	}
	return st, tok, err
}

// PutSweepState writes the reconciler's state with the token it was read with ("" when new).
func (r *Repository) PutSweepState(ctx context.Context, st stock.SweepState, t stock.Token) error {
	rec := sweepStateRecord{FirstAbsent: st.FirstAbsent}
	if st.Last != nil {
		last := toReportRecord(*st.Last)
		rec.Last = &last
	}
	return r.write(ctx, sweepStateKey, rec, t)
}

// read decodes key into v; an absent key leaves v alone and has no token.
func (r *Repository) read(ctx context.Context, key string, v any) (stock.Token, error) {
	etag, _, err := daprconn.Get(ctx, r.Client, r.StateStore, key, v)
	return stock.Token(etag), err
}

func (r *Repository) write(ctx context.Context, key string, v any, t stock.Token) error {
	if t == "" {
		return r.create(ctx, key, v, 0)
	}
	return r.save(ctx, key, v, t, 0)
}

func toReportRecord(rep stock.Report) reportRecord {
	rec := reportRecord{
		StartedAt: rep.StartedAt, FinishedAt: rep.FinishedAt, Items: rep.Items, Holds: rep.Holds, Orders: rep.Orders,
		Waiting: rep.Waiting, Released: rep.Released, Repaired: rep.Repaired, Confirmed: rep.Confirmed,
		ByReason: map[string]int{}, Errors: rep.Errors, ErrorSamples: rep.ErrorSamples,
	}
	for reason, n := range rep.ByReason {
		rec.ByReason[string(reason)] = n
	}
	for _, f := range rep.Fixes {
		fr := fixRecord{OrderID: f.OrderID, Reason: string(f.Reason)}
		for _, l := range f.Lines {
			fr.Lines = append(fr.Lines, lineRecord{itemRecord: toItemRecord(l.Item), Quantity: l.Quantity})
		}
		rec.Fixes = append(rec.Fixes, fr)
	}
	return rec
}

func (rec reportRecord) domain() stock.Report {
	rep := stock.Report{
		StartedAt: rec.StartedAt, FinishedAt: rec.FinishedAt, Items: rec.Items, Holds: rec.Holds, Orders: rec.Orders,
		Waiting: rec.Waiting, Released: rec.Released, Repaired: rec.Repaired, Confirmed: rec.Confirmed,
		ByReason: map[stock.Reason]int{}, Errors: rec.Errors, ErrorSamples: rec.ErrorSamples,
	}
	for reason, n := range rec.ByReason {
		rep.ByReason[stock.Reason(reason)] = n
	}
	for _, f := range rec.Fixes {
		fix := stock.Fix{OrderID: f.OrderID, Reason: stock.Reason(f.Reason)}
		for _, l := range f.Lines {
			fix.Lines = append(fix.Lines, stock.Line{Item: l.itemRecord.domain(), Quantity: l.Quantity})
		}
		rep.Fixes = append(rep.Fixes, fix)
	}
	return rep
}
