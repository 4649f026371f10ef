package sidecar_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/payment/paying"
	"github.com/canteen/canteen/services/payment/sidecar"
)

// secretStore is a fake secret store counting its reads.
type secretStore struct {
	mu      sync.Mutex
	secrets map[string]map[string]string
	reads   int
	down    bool
}

func (s *secretStore) GetBulkSecret(_ context.Context, store string, _ map[string]string) (map[string]map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.down || store != "paysecrets" {
		return nil, errors.New("secret store unreachable")
	}
	out := map[string]map[string]string{}
	for k, v := range s.secrets {
		out[k] = v
	}
	return out, nil
}

func (s *secretStore) put(name, value string) {
	s.mu.Lock()
	s.secrets[name] = map[string]string{name: value}
	s.mu.Unlock()
}

func TestKeysAreCachedAndAnUnknownIdReadsTheStoreAgain(t *testing.T) {
	ctx := context.Background()
	store := &secretStore{secrets: map[string]map[string]string{}}
	store.put("signing-key-id", "k1")
	store.put("signing-key-k1", "one")
	keys := &sidecar.Keys{Client: store, Store: "paysecrets"}

	key, err := keys.Key(ctx, "k1")
	require.NoError(t, err)
	assert.Equal(t, []byte("one"), key)
	for range 5 {
		_, err = keys.Key(ctx, "k1")
		require.NoError(t, err)
	}
	assert.Equal(t, 1, store.reads, "cached")

	_, err = keys.Key(ctx, "id")
	assert.ErrorIs(t, err, paying.ErrUnknownKey, "signing-key-id names a key; it is none")

	// Rotation: k2 is added; the first notification signed with it makes Keys read again (once
	// the refresh pause since the last read is over).
	store.put("signing-key-k2", "two")
	time.Sleep(1100 * time.Millisecond) // the refresh pause, a second; no assertion on time
	key, err = keys.Key(ctx, "k2")
	require.NoError(t, err)
	assert.Equal(t, []byte("two"), key)
	key, err = keys.Key(ctx, "k1")
	require.NoError(t, err)
	assert.Equal(t, []byte("one"), key, "old and new both verify during the rollover")

	// Forged ids do not hammer the store: within the pause they are refused from the cache.
	reads := store.reads
	for range 10 {
		_, err = keys.Key(ctx, "forged")
		assert.ErrorIs(t, err, paying.ErrUnknownKey)
	}
	assert.Equal(t, reads, store.reads)
}

func TestAnUnreadableStoreIsAFaultNotAnUnknownKey(t *testing.T) {
	keys := &sidecar.Keys{Client: &secretStore{down: true}, Store: "paysecrets"}
	_, err := keys.Key(context.Background(), "k1")
	require.Error(t, err)
	assert.NotErrorIs(t, err, paying.ErrUnknownKey)
}
