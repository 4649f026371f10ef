package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/payment/paying"
)

// indexShards splits the open intents over several keys: a lunch rush creates hundreds of
// payments at once, and one key would make them queue on its ETag. Each shard holds only open
// intents (unlisted once settled), so it stays small; the reconciler reads all in one bulk call.
const indexShards = 16

const reportKey = "recon:report"

func shardKey(i int) string { return fmt.Sprintf("open:%d", i) }

func shardOf(orderID string) int {
	h := fnv.New32a()
	h.Write([]byte(orderID))
	return int(h.Sum32() % indexShards)
}

// Mark lists the order in its shard at time at (refreshing an older mark).
func (r *Repository) Mark(ctx context.Context, orderID string, at time.Time) error {
	return r.editShard(ctx, shardOf(orderID), func(marks map[string]time.Time) bool {
		if cur, ok := marks[orderID]; ok && cur.Equal(at) {
			return false
		}
		marks[orderID] = at
		return true
	})
}

// Marked reads every shard.
func (r *Repository) Marked(ctx context.Context) (map[string]time.Time, error) {
	keys := make([]string, indexShards)
	for i := range keys {
		keys[i] = shardKey(i)
	}
	items, err := daprconn.GetBulk[map[string]time.Time](ctx, r.Client, r.StateStore, keys)
	if err != nil {
		return nil, fmt.Errorf("read the open intents: %w", err)
	}
	out := map[string]time.Time{}
	for _, it := range items {
		for id, at := range it.Value {
			out[id] = at
		}
	}
	return out, nil
}

// Unmark removes each order whose mark is still the time given, one write per shard touched.
func (r *Repository) Unmark(ctx context.Context, marks map[string]time.Time) error {
	byShard := map[int]map[string]time.Time{}
	for id, at := range marks {
		s := shardOf(id)
		if byShard[s] == nil {
			byShard[s] = map[string]time.Time{}
		}
		byShard[s][id] = at
	}
	for s, gone := range byShard {
		err := r.editShard(ctx, s, func(cur map[string]time.Time) bool {
			changed := false
			for id, at := range gone {
				if m, ok := cur[id]; ok && m.Equal(at) {
					delete(cur, id)
					changed = true
				}
			}
			return changed
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// editShard changes one shard with its ETag; change reports whether it changed anything.
func (r *Repository) editShard(ctx context.Context, shard int, change func(map[string]time.Time) bool) error {
	key := shardKey(shard)
	err := occ.Retry(ctx, func(ctx context.Context) error {
		marks := map[string]time.Time{}
		etag, _, err := daprconn.Get(ctx, r.Client, r.StateStore, key, &marks)
		if err != nil {
			return err
		}
		if marks == nil {
			marks = map[string]time.Time{}
		}
		if !change(marks) {
			return nil
		}
		raw, err := json.Marshal(marks)
		if err != nil {
			return err
		}
		if etag == "" {
			return daprconn.Create(ctx, r.Client, r.StateStore, key, raw)
		}
		return daprconn.Save(ctx, r.Client, r.StateStore, key, raw, etag)
	})
	if err != nil {
		return fmt.Errorf("edit %s: %w", key, err)
	}
	return nil
}

// LastReport reads the reconciler's last report.
func (r *Repository) LastReport(ctx context.Context) (paying.Report, error) {
	var rec reportRecord
	_, found, err := daprconn.Get(ctx, r.Client, r.StateStore, reportKey, &rec)
	switch {
	case err != nil:
		return paying.Report{}, err
	case !found:
		return paying.Report{}, fmt.Errorf("reconciler report: %w", paying.ErrNotFound)
	}
	return paying.Report(rec), nil
}

// PutReport replaces the last report (the last sweep to finish wins).
func (r *Repository) PutReport(ctx context.Context, rep paying.Report) error {
	raw, err := json.Marshal(reportRecord(rep))
	if err != nil {
		return err
	}
	return occ.Retry(ctx, func(ctx context.Context) error {
		var cur reportRecord
		etag, _, err := daprconn.Get(ctx, r.Client, r.StateStore, reportKey, &cur)
		if err != nil {
			return err
		}
		if etag == "" {
			return daprconn.Create(ctx, r.Client, r.StateStore, reportKey, raw)
		}
		return daprconn.Save(ctx, r.Client, r.StateStore, reportKey, raw, etag)
	})
}
