package subscribe

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/occ"
)

// StateClient is the part of the Dapr client the letter store uses.
type StateClient interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
}

// StateLetters keeps dead letters in a Dapr state store: one key per letter and one index key
// listing them (dead letters are rare, and the index is written only when one comes or goes).
type StateLetters struct {
	Client     StateClient
	StateStore string
}

const lettersIndexKey = "deadletters"

func letterKey(id string) string { return "deadletter:" + id }

// Keep stores the letter (again, after a failed replay) and lists it.
func (s *StateLetters) Keep(ctx context.Context, l Letter) error {
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	// The letter first, then the index: an index entry never names a letter that is not there.
	if err := s.Client.SaveBulkState(ctx, s.StateStore, &dapr.SetStateItem{Key: letterKey(l.ID), Value: raw}); err != nil {
		return fmt.Errorf("keep letter %s: %w", l.ID, err)
	}
	return s.edit(ctx, func(ids []string) []string {
		if slices.Contains(ids, l.ID) {
			return nil
		}
		return append(ids, l.ID)
	})
}

// Remove unlists the letter (its record is left to be overwritten if it ever comes back).
func (s *StateLetters) Remove(ctx context.Context, id string) error {
	return s.edit(ctx, func(ids []string) []string {
		i := slices.Index(ids, id)
		if i < 0 {
			return nil
		}
		return slices.Delete(ids, i, i+1)
	})
}

// Letters lists every kept letter, oldest first.
func (s *StateLetters) Letters(ctx context.Context) ([]Letter, error) {
	ids, _, err := s.index(ctx)
	if err != nil || len(ids) == 0 {
		return []Letter{}, err
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = letterKey(id)
	}
	items, err := s.Client.GetBulkState(ctx, s.StateStore, keys, nil, 8)
	if err != nil {
		return nil, err
	}
	out := make([]Letter, 0, len(items))
	for _, it := range items {
		var l Letter
		if len(it.Value) == 0 || json.Unmarshal(it.Value, &l) != nil {
			continue
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Letter) int { return a.At.Compare(b.At) })
	return out, nil
}

// Letter reads one listed letter.
func (s *StateLetters) Letter(ctx context.Context, id string) (Letter, error) {
	ids, _, err := s.index(ctx)
	if err != nil {
		return Letter{}, err
	}
	if !slices.Contains(ids, id) {
		return Letter{}, ErrNoLetter
	}
	it, err := s.Client.GetState(ctx, s.StateStore, letterKey(id), nil)
	if err != nil {
		return Letter{}, err
	}
	var l Letter
	if len(it.Value) == 0 {
		return Letter{}, ErrNoLetter
	}
	return l, json.Unmarshal(it.Value, &l)
}

func (s *StateLetters) index(ctx context.Context) ([]string, string, error) {
	it, err := s.Client.GetState(ctx, s.StateStore, lettersIndexKey, nil)
	if err != nil {
		return nil, "", err
	}
	var ids []string
	if len(it.Value) > 0 {
		if err := json.Unmarshal(it.Value, &ids); err != nil {
			return nil, "", fmt.Errorf("decode %s: %w", lettersIndexKey, err)
		}
	}
	return ids, it.Etag, nil
}

// edit changes the index with its ETag; change returns nil for "nothing to do".
func (s *StateLetters) edit(ctx context.Context, change func([]string) []string) error {
	return occ.Retry(ctx, func(ctx context.Context) error {
		ids, etag, err := s.index(ctx)
		if err != nil {
			return err
		}
		next := change(ids)
		if next == nil {
			return nil
		}
		raw, _ := json.Marshal(next)
		return daprconn.Save(ctx, s.Client, s.StateStore, lettersIndexKey, raw, etag)
	})
}
