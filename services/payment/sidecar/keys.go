package sidecar

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/payment/paying"
)

// SecretClient is the part of the Dapr client that reads secrets.
type SecretClient interface {
	GetBulkSecret(ctx context.Context, store string, meta map[string]string) (map[string]map[string]string, error)
}

// Keys gives the provider's signing keys by id, from the secret store (secrets
// paysimapi.SecretKey(id)), cached: a key id names one key for good (rotation adds a new id), so
// a cached key never goes stale. An id not in the cache makes it read the store again (a key
// added by a rotation), at most once per refreshEvery, so that forged ids cannot hammer the store.
type Keys struct {
	Client SecretClient
	Store  string

	mu       sync.Mutex
	keys     map[string][]byte
	lastRead time.Time
}

// refreshEvery bounds how often an unknown key id makes Keys read the secret store again.
const refreshEvery = time.Second

// Key returns the signing key with id; paying.ErrUnknownKey when the store has none, another
// error when the store cannot be read.
func (k *Keys) Key(ctx context.Context, id string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[id]; ok {
		return key, nil
	}
	if time.Since(k.lastRead) < refreshEvery {
		return nil, fmt.Errorf("signing key %q: %w", id, paying.ErrUnknownKey)
	}
	// One bulk read tells an absent key (the read succeeds without it) from a store fault.
	all, err := k.Client.GetBulkSecret(ctx, k.Store, nil)
	if err != nil {
		return nil, fmt.Errorf("read signing keys from %s: %w", k.Store, err)
	}
	k.lastRead = time.Now()
	k.keys = map[string][]byte{}
	prefix := paysimapi.KeySecret("")
	for name, values := range all {
		kid, ok := strings.CutPrefix(name, prefix)
		if !ok || kid == "" || kid == "id" { // signing-key-id names the key paysim signs with; not a key
			continue
		}
		// A single-valued store answers {name: value}; Kubernetes secrets may hold one entry
		// under another name: a key is the one value.
		for _, v := range values {
			k.keys[kid] = []byte(v)
		}
	}
	if key, ok := k.keys[id]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("signing key %q: %w", id, paying.ErrUnknownKey)
}
