package provider_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/paysim/provider"
	"github.com/canteen/canteen/services/paysim/provider/providertest"
)

var t0 = time.Date(2026, 12, 2, 11, 30, 0, 0, time.UTC)

type fixture struct {
	svc      *provider.Service
	repo     *providertest.Memory
	notifier *providertest.Notifier
}

func newFixture() *fixture {
	f := &fixture{repo: providertest.NewMemory(), notifier: &providertest.Notifier{}}
	n := 0
	f.svc = provider.NewService(f.repo, f.notifier, provider.Options{
		NotifyDelay: 100 * time.Millisecond,
		Now:         func() time.Time { return t0 },
		NewToken:    func() string { n++; return "token-" + string(rune('0'+n)) },
		Shuffle:     func([]provider.Notice) {}, // tests check what is sent, not the shuffle
	})
	return f
}

func input(order string, amount int64) provider.PaymentInput {
	return provider.PaymentInput{MerchantOrderID: order, AmountCents: amount, NotifyURL: "https://merchant.example/notify", Description: "lunch"}
}

func (f *fixture) created(t *testing.T, order string) provider.Payment {
	t.Helper()
	p, created, err := f.svc.Create(context.Background(), input(order, 1800))
	require.NoError(t, err)
	require.True(t, created)
	return p
}

func TestCreateIsIdempotentByMerchantOrderAndRefusesAnotherAmount(t *testing.T) {
	f, ctx := newFixture(), context.Background()
	p := f.created(t, "o1")
	assert.Equal(t, provider.Pending, p.Status)
	assert.EqualValues(t, 1, p.Version)
	assert.Equal(t, provider.TxnID("o1"), p.TxnID)
	assert.NotEmpty(t, p.PayToken)

	again, created, err := f.svc.Create(ctx, input("o1", 1800))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, p, again, "same txn id and pay token")

	_, _, err = f.svc.Create(ctx, input("o1", 1900))
	assert.ErrorIs(t, err, provider.ErrOrderConflict)

	byOrder, err := f.svc.PaymentByOrder(ctx, "o1")
	require.NoError(t, err)
	assert.Equal(t, p, byOrder)
	_, err = f.svc.PaymentByOrder(ctx, "o2")
	assert.ErrorIs(t, err, provider.ErrNotFound)
	assert.Equal(t, 1, f.repo.Writes())
}

func TestCreateRefusesBadInputNamingTheField(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*provider.PaymentInput)
		field string
	}{
		{"no order", func(in *provider.PaymentInput) { in.MerchantOrderID = " " }, "merchant_order_id"},
		{"long order", func(in *provider.PaymentInput) { in.MerchantOrderID = strings.Repeat("o", 129) }, "merchant_order_id"},
		{"control character", func(in *provider.PaymentInput) { in.MerchantOrderID = "o\x001" }, "merchant_order_id"},
		{"zero amount", func(in *provider.PaymentInput) { in.AmountCents = 0 }, "amount_cents"},
		{"negative amount", func(in *provider.PaymentInput) { in.AmountCents = -5 }, "amount_cents"},
		{"huge amount", func(in *provider.PaymentInput) { in.AmountCents = provider.MaxAmountCents + 1 }, "amount_cents"},
		{"relative url", func(in *provider.PaymentInput) { in.NotifyURL = "/notify" }, "notify_url"},
		{"ftp url", func(in *provider.PaymentInput) { in.NotifyURL = "ftp://m/notify" }, "notify_url"},
		{"no url", func(in *provider.PaymentInput) { in.NotifyURL = "" }, "notify_url"},
		{"long description", func(in *provider.PaymentInput) { in.Description = strings.Repeat("d", 257) }, "description"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			in := input("o1", 1800)
			tc.edit(&in)
			_, _, err := f.svc.Create(context.Background(), in)
			var inv *provider.InvalidError
			require.ErrorAs(t, err, &inv)
			assert.Equal(t, tc.field, inv.Field)
			assert.Zero(t, f.repo.Writes())
		})
	}
}

func TestPayWithTheTokenSucceedsOnceAndNotifiesTheNewVersion(t *testing.T) {
	f, ctx := newFixture(), context.Background()
	p := f.created(t, "o1")

	_, err := f.svc.Pay(ctx, p.TxnID, "not-the-token")
	assert.ErrorIs(t, err, provider.ErrInvalidToken)
	_, err = f.svc.Pay(ctx, p.TxnID, "")
	var inv *provider.InvalidError
	assert.ErrorAs(t, err, &inv)
	_, err = f.svc.Pay(ctx, provider.TxnID("nobody"), p.PayToken)
	assert.ErrorIs(t, err, provider.ErrNotFound)

	paid, err := f.svc.Pay(ctx, p.TxnID, p.PayToken)
	require.NoError(t, err)
	assert.Equal(t, provider.Succeeded, paid.Status)
	assert.EqualValues(t, 2, paid.Version)
	assert.Equal(t, []provider.Change{{Version: 1, Status: provider.Pending, At: t0}, {Version: 2, Status: provider.Succeeded, At: t0}}, paid.History)

	again, err := f.svc.Pay(ctx, p.TxnID, p.PayToken)
	require.NoError(t, err)
	assert.Equal(t, paid, again, "a repeat answers the same")
	_, err = f.svc.Pay(ctx, p.TxnID, "not-the-token")
	assert.ErrorIs(t, err, provider.ErrInvalidToken, "even once paid")

	sent := f.notifier.Sent()
	require.Len(t, sent, 1, "one status change, one dispatch")
	assert.Equal(t, provider.Dispatch{
		URL: p.NotifyURL, Delay: 100 * time.Millisecond,
		Notices: []provider.Notice{{ID: p.TxnID + "-v2", TxnID: p.TxnID, MerchantOrderID: "o1", AmountCents: 1800, Status: provider.Succeeded, Version: 2, At: t0}},
	}, sent[0])
}

func TestConcurrentPaysMoveThePaymentOnceAndNotifyOnce(t *testing.T) {
	f, ctx := newFixture(), context.Background()
	p := f.created(t, "o1")
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			got, err := f.svc.Pay(ctx, p.TxnID, p.PayToken)
			assert.NoError(t, err)
			assert.EqualValues(t, 2, got.Version)
		})
	}
	wg.Wait()
	assert.Len(t, f.notifier.Sent(), 1)
	assert.Equal(t, 2, f.repo.Writes(), "the create and one status change")
}

func TestFaultSwitchesShapeWhatPayAndItsNotificationDo(t *testing.T) {
	cases := []struct {
		name       string
		global     provider.Faults
		own        *provider.Faults
		status     provider.Status
		versions   []int64 // of the notices sent, in order; nil when nothing is sent
		delay      time.Duration
		concurrent bool
	}{
		{"none", provider.Faults{}, nil, provider.Succeeded, []int64{2}, 100 * time.Millisecond, false},
		{"decline", provider.Faults{Decline: true}, nil, provider.Failed, []int64{2}, 100 * time.Millisecond, false},
		{"delay", provider.Faults{Delay: 3 * time.Second}, nil, provider.Succeeded, []int64{2}, 3 * time.Second, false},
		{"duplicates", provider.Faults{Duplicates: 2}, nil, provider.Succeeded, []int64{2, 2, 2}, 100 * time.Millisecond, false},
		{"lose", provider.Faults{Lose: true}, nil, provider.Succeeded, nil, 0, false},
		{"out of order", provider.Faults{OutOfOrder: true, Duplicates: 1}, nil, provider.Succeeded, []int64{2, 2, 1}, 100 * time.Millisecond, true},
		{"own switches replace the global ones", provider.Faults{Decline: true, Lose: true}, &provider.Faults{Duplicates: 1}, provider.Succeeded, []int64{2, 2}, 100 * time.Millisecond, false},
		{"own decline", provider.Faults{}, &provider.Faults{Decline: true}, provider.Failed, []int64{2}, 100 * time.Millisecond, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ctx := newFixture(), context.Background()
			p := f.created(t, "o1")
			_, err := f.svc.SetFaults(ctx, tc.global)
			require.NoError(t, err)
			if tc.own != nil {
				_, err := f.svc.SetPaymentFaults(ctx, p.TxnID, *tc.own)
				require.NoError(t, err)
			}
			paid, err := f.svc.Pay(ctx, p.TxnID, p.PayToken)
			require.NoError(t, err)
			assert.Equal(t, tc.status, paid.Status)
			assert.EqualValues(t, 2, paid.Version, "a decline is a status change too")

			sent := f.notifier.Sent()
			if tc.versions == nil {
				assert.Empty(t, sent)
				return
			}
			require.Len(t, sent, 1)
			var versions []int64
			for _, n := range sent[0].Notices {
				versions = append(versions, n.Version)
				assert.Equal(t, p.TxnID+"-v"+string(rune('0'+n.Version)), n.ID, "copies of a version share its id")
				if n.Version == 1 {
					assert.Equal(t, provider.Pending, n.Status, "the stale copy tells the old status")
				} else {
					assert.Equal(t, tc.status, n.Status)
				}
			}
			assert.Equal(t, tc.versions, versions)
			assert.Equal(t, tc.delay, sent[0].Delay)
			assert.Equal(t, tc.concurrent, sent[0].Concurrent)
		})
	}
}

func TestDownRefusesEveryPaymentCallButTheSwitchesThemselves(t *testing.T) {
	f, ctx := newFixture(), context.Background()
	p := f.created(t, "o1")
	_, err := f.svc.SetFaults(ctx, provider.Faults{Down: true})
	require.NoError(t, err)
	writes := f.repo.Writes()

	calls := map[string]func() error{
		"create":         func() error { _, _, err := f.svc.Create(ctx, input("o2", 100)); return err },
		"get":            func() error { _, err := f.svc.Payment(ctx, p.TxnID); return err },
		"get by order":   func() error { _, err := f.svc.PaymentByOrder(ctx, "o1"); return err },
		"pay":            func() error { _, err := f.svc.Pay(ctx, p.TxnID, p.PayToken); return err },
		"refund":         func() error { _, err := f.svc.Refund(ctx, p.TxnID, "r1", 100); return err },
		"payment faults": func() error { _, err := f.svc.SetPaymentFaults(ctx, p.TxnID, provider.Faults{}); return err },
	}
	for name, call := range calls {
		assert.ErrorIs(t, call(), provider.ErrDown, name)
	}
	assert.Equal(t, writes, f.repo.Writes(), "nothing written while down")
	assert.Empty(t, f.notifier.Sent())

	got, err := f.svc.Faults(ctx)
	require.NoError(t, err)
	assert.True(t, got.Down)
	_, err = f.svc.SetFaults(ctx, provider.Faults{})
	require.NoError(t, err)
	_, err = f.svc.Pay(ctx, p.TxnID, p.PayToken)
	assert.NoError(t, err, "up again")
}

func TestFaultSwitchesAreValidated(t *testing.T) {
	f, ctx := newFixture(), context.Background()
	p := f.created(t, "o1")
	cases := []struct {
		name       string
		faults     provider.Faults
		perPayment bool
		field      string
	}{
		{"negative delay", provider.Faults{Delay: -time.Millisecond}, false, "delay_ms"},
		{"delay over ten minutes", provider.Faults{Delay: provider.MaxDelay + time.Millisecond}, false, "delay_ms"},
		{"negative duplicates", provider.Faults{Duplicates: -1}, true, "duplicates"},
		{"too many duplicates", provider.Faults{Duplicates: provider.MaxDuplicates + 1}, false, "duplicates"},
		{"down on one payment", provider.Faults{Down: true}, true, "down"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.perPayment {
				_, err = f.svc.SetPaymentFaults(ctx, p.TxnID, tc.faults)
			} else {
				_, err = f.svc.SetFaults(ctx, tc.faults)
			}
			var inv *provider.InvalidError
			require.ErrorAs(t, err, &inv)
			assert.Equal(t, tc.field, inv.Field)
		})
	}
	_, err := f.svc.SetPaymentFaults(ctx, provider.TxnID("nobody"), provider.Faults{})
	assert.ErrorIs(t, err, provider.ErrNotFound)
}

func TestRefundsAreIdempotentByIDBoundedByTheAmountAndAFullOneIsANewVersion(t *testing.T) {
	f, ctx := newFixture(), context.Background()
	p := f.created(t, "o1")

	_, err := f.svc.Refund(ctx, p.TxnID, "r1", 500)
	assert.ErrorIs(t, err, provider.ErrNotPaid, "pending")
	_, err = f.svc.Pay(ctx, p.TxnID, p.PayToken)
	require.NoError(t, err)

	r1, err := f.svc.Refund(ctx, p.TxnID, "r1", 500)
	require.NoError(t, err)
	assert.Equal(t, provider.Refund{ID: "r1", AmountCents: 500, At: t0}, r1)
	writes := f.repo.Writes()
	again, err := f.svc.Refund(ctx, p.TxnID, "r1", 500)
	require.NoError(t, err)
	assert.Equal(t, r1, again)
	assert.Equal(t, writes, f.repo.Writes(), "a repeat writes nothing")
	_, err = f.svc.Refund(ctx, p.TxnID, "r1", 600)
	assert.ErrorIs(t, err, provider.ErrRefundConflict)

	partial, err := f.svc.Payment(ctx, p.TxnID)
	require.NoError(t, err)
	assert.Equal(t, provider.Succeeded, partial.Status)
	assert.EqualValues(t, 2, partial.Version, "a partial refund changes no status")
	assert.EqualValues(t, 500, partial.RefundedCents)

	_, err = f.svc.Refund(ctx, p.TxnID, "r2", 1301)
	var exceeds *provider.RefundExceedsError
	require.ErrorAs(t, err, &exceeds)
	assert.EqualValues(t, 1300, exceeds.Left)

	_, err = f.svc.Refund(ctx, p.TxnID, "r2", 1300)
	require.NoError(t, err)
	full, err := f.svc.Payment(ctx, p.TxnID)
	require.NoError(t, err)
	assert.Equal(t, provider.Refunded, full.Status)
	assert.EqualValues(t, 3, full.Version)
	assert.EqualValues(t, 1800, full.RefundedCents)

	sent := f.notifier.Sent()
	require.Len(t, sent, 2, "pay and the full refund")
	require.Len(t, sent[1].Notices, 1)
	assert.Equal(t, provider.Refunded, sent[1].Notices[0].Status)
	assert.EqualValues(t, 3, sent[1].Notices[0].Version)

	_, err = f.svc.Refund(ctx, p.TxnID, "r3", 1)
	assert.ErrorIs(t, err, provider.ErrNotPaid, "refunded is not succeeded")
	r2, err := f.svc.Refund(ctx, p.TxnID, "r2", 1300)
	require.NoError(t, err, "a repeat still answers once refunded")
	assert.EqualValues(t, 1300, r2.AmountCents)
}

func TestRefundsOfADeclinedPaymentAreRefusedAndBadOnesNameTheField(t *testing.T) {
	f, ctx := newFixture(), context.Background()
	p := f.created(t, "o1")
	_, err := f.svc.SetPaymentFaults(ctx, p.TxnID, provider.Faults{Decline: true})
	require.NoError(t, err)
	_, err = f.svc.Pay(ctx, p.TxnID, p.PayToken)
	require.NoError(t, err)
	_, err = f.svc.Refund(ctx, p.TxnID, "r1", 100)
	assert.ErrorIs(t, err, provider.ErrNotPaid)

	for field, call := range map[string]func() error{
		"refund_id":    func() error { _, err := f.svc.Refund(ctx, p.TxnID, "", 100); return err },
		"amount_cents": func() error { _, err := f.svc.Refund(ctx, p.TxnID, "r1", 0); return err },
	} {
		var inv *provider.InvalidError
		if assert.True(t, errors.As(call(), &inv), field) {
			assert.Equal(t, field, inv.Field)
		}
	}
}

func TestAPaymentTakesAtMostMaxRefunds(t *testing.T) {
	f, ctx := newFixture(), context.Background()
	p := f.created(t, "o1")
	_, err := f.svc.Pay(ctx, p.TxnID, p.PayToken)
	require.NoError(t, err)
	for i := range provider.MaxRefunds {
		_, err := f.svc.Refund(ctx, p.TxnID, "r"+strings.Repeat("x", i), 1)
		require.NoError(t, err)
	}
	_, err = f.svc.Refund(ctx, p.TxnID, "one-more", 1)
	var exceeds *provider.RefundExceedsError
	require.ErrorAs(t, err, &exceeds)
	assert.True(t, exceeds.TooMany)
}
