// Package sidecar is paysim's Dapr I/O: payments and the global fault switches in a Dapr state
// store, every write guarded by the ETag it was read with and first-write concurrency, and the
// signing keys read from a Dapr secret store.
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/paysim/provider"
)

// Client is the part of the Dapr client the repository uses.
type Client interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
}

// Repository implements provider.Repository on the Dapr state store named StateStore.
type Repository struct {
	Client     Client
	StateStore string
}

var _ provider.Repository = (*Repository)(nil)

// faultsKey holds the global fault switches: in the store, not in memory, so that every replica
// obeys a switch whichever replica the test's PUT reached.
const faultsKey = "faults"

func paymentKey(txnID string) string { return "payment:" + txnID }

// Payment reads a payment; provider.ErrNotFound when there is none.
func (r *Repository) Payment(ctx context.Context, txnID string) (provider.Payment, provider.Token, error) {
	var rec paymentRecord
	etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, paymentKey(txnID), &rec)
	switch {
	case err != nil:
		return provider.Payment{}, "", err
	case !found:
		return provider.Payment{}, "", provider.ErrNotFound
	}
	return rec.domain(txnID), provider.Token(etag), nil
}

// PutPayment writes a payment with the token it was read with, or creates it ("" token): a
// create of a payment that exists is occ.ErrConflict.
func (r *Repository) PutPayment(ctx context.Context, p provider.Payment, t provider.Token) error {
	return r.put(ctx, paymentKey(p.TxnID), toPaymentRecord(p), t)
}

// Faults reads the global switches; all off, with no token, when none were ever set.
func (r *Repository) Faults(ctx context.Context) (provider.Faults, provider.Token, error) {
	var rec faultsRecord
	etag, _, err := daprconn.Get(ctx, r.Client, r.StateStore, faultsKey, &rec)
	if err != nil {
		return provider.Faults{}, "", err
	}
	return rec.domain(), provider.Token(etag), nil
}

// PutFaults writes the global switches with the token they were read with ("" creates them).
func (r *Repository) PutFaults(ctx context.Context, f provider.Faults, t provider.Token) error {
	return r.put(ctx, faultsKey, toFaultsRecord(f), t)
}

// put writes v under key: with a token, only while the stored ETag equals it; without, only when
// the key is new (daprconn.Create tells a refused create from a fault by reading back).
func (r *Repository) put(ctx context.Context, key string, v any, t provider.Token) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if t == "" {
		return daprconn.Create(ctx, r.Client, r.StateStore, key, data)
	}
	return daprconn.Save(ctx, r.Client, r.StateStore, key, data, string(t))
}
