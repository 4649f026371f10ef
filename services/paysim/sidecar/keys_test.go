package sidecar

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secrets is a SecretClient over a map of secret name to its data.
type secrets map[string]map[string]string

func (s secrets) GetSecret(_ context.Context, store, key string, _ map[string]string) (map[string]string, error) {
	if store != "paysecrets" {
		return nil, errors.New("no such store")
	}
	d, ok := s[key]
	if !ok {
		return nil, errors.New("secret " + key + " not found")
	}
	return d, nil
}

func TestKeysReadTheKeyTheIDNamesAndKeepItWhenARefreshFails(t *testing.T) {
	ctx := context.Background()
	s := secrets{
		"signing-key-id": {"signing-key-id": "k1"},
		"signing-key-k1": {"signing-key-k1": "one"},
		"signing-key-k2": {"value": "two"}, // a Kubernetes secret whose one key is named otherwise
	}
	k := &Keys{Client: s, Store: "paysecrets"}
	_, _, ok := k.Current()
	assert.False(t, ok, "no key before the first load")

	require.NoError(t, k.Load(ctx))
	id, key, ok := k.Current()
	assert.True(t, ok)
	assert.Equal(t, "k1", id)
	assert.Equal(t, []byte("one"), key)

	s["signing-key-id"] = map[string]string{"signing-key-id": "k2"}
	require.NoError(t, k.Load(ctx))
	id, key, _ = k.Current()
	assert.Equal(t, "k2", id, "rotated")
	assert.Equal(t, []byte("two"), key)

	s["signing-key-id"] = map[string]string{"signing-key-id": "k3"}
	assert.Error(t, k.Load(ctx), "k3 does not exist")
	id, _, _ = k.Current()
	assert.Equal(t, "k2", id, "a failed load keeps the key")

	s["signing-key-id"] = map[string]string{"a": "k1", "b": "k2"}
	assert.Error(t, k.Load(ctx), "ambiguous")
}
