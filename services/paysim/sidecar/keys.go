package sidecar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/canteen/canteen/services/internal/paysimapi"
)

// SecretClient is the part of the Dapr client that reads secrets.
type SecretClient interface {
	GetSecret(ctx context.Context, storeName, key string, meta map[string]string) (map[string]string, error)
}

// Keys is the signing key read through the Dapr secrets API from the store named Store: the
// secret paysimapi.SecretKeyID names the key, paysimapi.KeySecret(id) holds it.
type Keys struct {
	Client SecretClient
	Store  string
	cur    atomic.Pointer[signingKey]
}

type signingKey struct {
	id  string
	key []byte
}

// Current is the key to sign with; ok is false until one was read.
func (k *Keys) Current() (id string, key []byte, ok bool) {
	c := k.cur.Load()
	if c == nil {
		return "", nil, false
	}
	return c.id, c.key, true
}

// Load reads the key id and the key it names, and makes them current.
func (k *Keys) Load(ctx context.Context) error {
	id, err := k.secret(ctx, paysimapi.SecretKeyID)
	if err != nil {
		return err
	}
	key, err := k.secret(ctx, paysimapi.KeySecret(id))
	if err != nil {
		return err
	}
	k.cur.Store(&signingKey{id: id, key: []byte(key)})
	return nil
}

// Run loads the key until it has one, every retry (the sidecar starts after the app), then again
// every refresh, so that a rotated key (file edited, sidecar restarted) is picked up; a failed
// refresh keeps the key it had. It returns when ctx ends.
func (k *Keys) Run(ctx context.Context, retry, refresh time.Duration, log *slog.Logger) {
	wait, had := time.Duration(0), ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		err := k.Load(ctx)
		id, _, ok := k.Current()
		switch {
		case err != nil && !ok:
			wait = retry
			log.Warn("signing key not readable yet", "secret_store", k.Store, "err", err)
			continue
		case err != nil:
			log.Warn("signing key refresh failed; keeping the current key", "key_id", id, "err", err)
		case id != had:
			log.Info("signing key loaded", "key_id", id) // never the key itself
			had = id
		}
		wait = refresh
	}
}

// secret is one secret's value. The local file store answers {name: value}; a Kubernetes secret
// may name its one key otherwise, so a single value is taken whatever its key.
func (k *Keys) secret(ctx context.Context, name string) (string, error) {
	data, err := k.Client.GetSecret(ctx, k.Store, name, nil)
	if err != nil {
		return "", fmt.Errorf("read secret %s from %s: %w", name, k.Store, err)
	}
	v, ok := data[name]
	if !ok && len(data) == 1 {
		for _, only := range data {
			v, ok = only, true
		}
	}
	if !ok || v == "" {
		return "", errors.New("secret " + name + " in " + k.Store + " is empty or has several values")
	}
	return v, nil
}
