package providertest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/paysim/provider"
)

// RunRepositoryContract checks the rules provider relies on from any Repository: an absent
// payment is ErrNotFound, payments read back as written (history, refunds, own faults), creating
// an existing payment and writing with a stale token are refused, and the global fault switches
// are off until set and guarded by their token too. It changes the global switches and leaves
// them all off.
func RunRepositoryContract(t *testing.T, repo provider.Repository) {
	ctx := context.Background()
	// Times are whole microseconds in UTC, what a JSON record keeps of a time.Time.
	now := time.Now().UTC().Truncate(time.Microsecond)
	newPayment := func(t *testing.T) provider.Payment {
		p, err := provider.NewPayment(provider.PaymentInput{
			MerchantOrderID: "contract-" + uuid.NewString(), AmountCents: 1800, NotifyURL: "http://127.0.0.1:1/notify", Description: "Braised pork rice",
		}, "token-"+uuid.NewString(), now)
		require.NoError(t, err)
		return p
	}

	t.Run("absent payment is ErrNotFound", func(t *testing.T) {
		_, _, err := repo.Payment(ctx, provider.TxnID(uuid.NewString()))
		assert.ErrorIs(t, err, provider.ErrNotFound)
	})

	t.Run("created payment reads back with a token, and cannot be created twice", func(t *testing.T) {
		p := newPayment(t)
		require.NoError(t, repo.PutPayment(ctx, p, ""))
		got, tok, err := repo.Payment(ctx, p.TxnID)
		require.NoError(t, err)
		assert.Equal(t, p, got)
		assert.NotEmpty(t, tok)
		assert.ErrorIs(t, repo.PutPayment(ctx, p, ""), occ.ErrConflict)
	})

	t.Run("everything a payment holds reads back", func(t *testing.T) {
		p := newPayment(t)
		require.NoError(t, repo.PutPayment(ctx, p, ""))
		_, tok, err := repo.Payment(ctx, p.TxnID)
		require.NoError(t, err)
		later := now.Add(time.Second)
		p.Status, p.Version, p.RefundedCents, p.UpdatedAt = provider.Refunded, 3, 1800, later
		p.History = append(p.History, provider.Change{Version: 2, Status: provider.Succeeded, At: later}, provider.Change{Version: 3, Status: provider.Refunded, At: later})
		p.Refunds = []provider.Refund{{ID: "r1", AmountCents: 800, At: later}, {ID: "r2", AmountCents: 1000, At: later}}
		p.Faults = &provider.Faults{Decline: true, Delay: 1500 * time.Millisecond, Duplicates: 2, Lose: true, OutOfOrder: true}
		require.NoError(t, repo.PutPayment(ctx, p, tok))
		got, _, err := repo.Payment(ctx, p.TxnID)
		require.NoError(t, err)
		assert.Equal(t, p, got)
	})

	t.Run("stale token is a conflict, current token writes", func(t *testing.T) {
		p := newPayment(t)
		require.NoError(t, repo.PutPayment(ctx, p, ""))
		_, first, err := repo.Payment(ctx, p.TxnID)
		require.NoError(t, err)
		p.Status, p.Version = provider.Succeeded, 2
		require.NoError(t, repo.PutPayment(ctx, p, first))
		p.Status = provider.Failed
		assert.ErrorIs(t, repo.PutPayment(ctx, p, first), occ.ErrConflict)
		got, _, err := repo.Payment(ctx, p.TxnID)
		require.NoError(t, err)
		assert.Equal(t, provider.Succeeded, got.Status)
	})

	t.Run("global faults: written with their token, a stale one refused", func(t *testing.T) {
		_, tok, err := repo.Faults(ctx)
		require.NoError(t, err)
		set := provider.Faults{Decline: true, Delay: 250 * time.Millisecond, Duplicates: 1, Lose: true, OutOfOrder: true, Down: true}
		require.NoError(t, repo.PutFaults(ctx, set, tok))
		got, cur, err := repo.Faults(ctx)
		require.NoError(t, err)
		assert.Equal(t, set, got)
		assert.NotEmpty(t, cur)
		if tok != "" {
			assert.ErrorIs(t, repo.PutFaults(ctx, provider.Faults{}, tok), occ.ErrConflict)
		} else {
			assert.ErrorIs(t, repo.PutFaults(ctx, provider.Faults{}, ""), occ.ErrConflict, "creating switches that exist")
		}
		require.NoError(t, repo.PutFaults(ctx, provider.Faults{}, cur))
		got, _, err = repo.Faults(ctx)
		require.NoError(t, err)
		assert.Equal(t, provider.Faults{}, got)
	})
}
