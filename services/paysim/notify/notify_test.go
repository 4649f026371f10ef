package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/paysim/notify"
	"github.com/canteen/canteen/services/paysim/provider"
)

// keys is a notify.Keys whose key can be set while deliveries run.
type keys struct {
	mu  sync.Mutex
	id  string
	key []byte
}

func (k *keys) Current() (string, []byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.id, k.key, k.key != nil
}

func (k *keys) set(id string, key []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.id, k.key = id, key
}

// received is one delivery as the merchant saw it.
type received struct {
	n        paysimapi.Notification
	verified bool
	keyID    string
}

// merchant records deliveries and answers each with answer(i), i counting from 0.
type merchant struct {
	mu     sync.Mutex
	got    []received
	key    []byte
	answer func(i int) (int, string)
}

func (m *merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var n paysimapi.Notification
	_ = json.Unmarshal(body, &n)
	h := r.Header
	ok := r.Header.Get("Content-Type") == "application/json" &&
		paysimapi.Verify(m.key, h.Get(paysimapi.HeaderTimestamp), h.Get(paysimapi.HeaderNonce), body, h.Get(paysimapi.HeaderSignature))
	m.mu.Lock()
	i := len(m.got)
	m.got = append(m.got, received{n: n, verified: ok, keyID: h.Get(paysimapi.HeaderKeyID)})
	m.mu.Unlock()
	status, text := http.StatusOK, `{"code":"SUCCESS"}`
	if m.answer != nil {
		status, text = m.answer(i)
	}
	w.WriteHeader(status)
	io.WriteString(w, text)
}

func (m *merchant) deliveries() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.got...)
}

var key = []byte("0123456789abcdef0123456789abcdef")

func setup(t *testing.T, m *merchant, attempts int) (*notify.Notifier, *httptest.Server, *keys) {
	t.Helper()
	m.key = key
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	k := &keys{id: "k1", key: key}
	n := notify.New(ctx, k, notify.Config{Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, Attempts: attempts, Timeout: 5 * time.Second},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { cancel(); n.Wait() })
	return n, srv, k
}

func notice(version int64, status provider.Status) provider.Notice {
	return provider.Notice{ID: "txn_1-v" + string(rune('0'+version)), TxnID: "txn_1", MerchantOrderID: "o1", AmountCents: 1800, Status: status, Version: version,
		At: time.Date(2026, 12, 2, 11, 30, 0, 0, time.UTC)}
}

func TestANotificationArrivesSignedWithTheCurrentKey(t *testing.T) {
	m := &merchant{}
	n, srv, _ := setup(t, m, 3)
	n.Send(provider.Dispatch{URL: srv.URL + "/notify", Notices: []provider.Notice{notice(2, provider.Succeeded)}})
	n.Wait()
	got := m.deliveries()
	require.Len(t, got, 1)
	assert.True(t, got[0].verified, "signature verifies with the merchant's copy of the key")
	assert.Equal(t, "k1", got[0].keyID)
	assert.Equal(t, paysimapi.Notification{NotificationID: "txn_1-v2", TxnID: "txn_1", MerchantOrderID: "o1", AmountCents: 1800,
		Status: paysimapi.Succeeded, Version: 2, At: time.Date(2026, 12, 2, 11, 30, 0, 0, time.UTC)}, got[0].n)
}

func TestANotificationIsRetriedUntilTheMerchantAnswersSuccess(t *testing.T) {
	m := &merchant{answer: func(i int) (int, string) {
		switch i {
		case 0:
			return http.StatusInternalServerError, `{"code":"SUCCESS"}` // a 5xx is no acceptance
		case 1:
			return http.StatusOK, `{"code":"FAIL"}` // nor is another code
		case 2:
			return http.StatusOK, `not json`
		}
		return http.StatusOK, `{"code":"SUCCESS"}`
	}}
	n, srv, _ := setup(t, m, 10)
	n.Send(provider.Dispatch{URL: srv.URL, Notices: []provider.Notice{notice(2, provider.Succeeded)}})
	n.Wait()
	got := m.deliveries()
	require.Len(t, got, 4, "three refusals, then accepted, then no more")
	for _, r := range got {
		assert.True(t, r.verified)
		assert.Equal(t, "txn_1-v2", r.n.NotificationID)
	}
}

func TestANotificationIsGivenUpAfterItsAttempts(t *testing.T) {
	m := &merchant{answer: func(int) (int, string) { return http.StatusServiceUnavailable, "" }}
	n, srv, _ := setup(t, m, 5)
	n.Send(provider.Dispatch{URL: srv.URL, Notices: []provider.Notice{notice(2, provider.Succeeded)}})
	n.Wait()
	assert.Len(t, m.deliveries(), 5)
}

func TestWithoutAKeyNothingUnsignedIsSentAndDeliveryWaitsForTheKey(t *testing.T) {
	m := &merchant{}
	n, srv, k := setup(t, m, 1000)
	k.set("", nil)
	n.Send(provider.Dispatch{URL: srv.URL, Notices: []provider.Notice{notice(2, provider.Succeeded)}})
	k.set("k2", key)
	n.Wait()
	got := m.deliveries()
	require.Len(t, got, 1)
	assert.True(t, got[0].verified)
	assert.Equal(t, "k2", got[0].keyID)
}

func TestCopiesGoOutOneByOneAndAPaymentsDispatchesInOrder(t *testing.T) {
	var refusedOnce atomic.Bool
	m := &merchant{answer: func(int) (int, string) {
		if refusedOnce.CompareAndSwap(false, true) {
			return http.StatusBadGateway, "" // the first copy needs a retry; the rest must wait for it
		}
		return http.StatusOK, `{"code":"SUCCESS"}`
	}}
	n, srv, _ := setup(t, m, 10)
	v2 := notice(2, provider.Succeeded)
	n.Send(provider.Dispatch{URL: srv.URL, Notices: []provider.Notice{v2, v2}})
	n.Send(provider.Dispatch{URL: srv.URL, Notices: []provider.Notice{notice(3, provider.Refunded)}})
	n.Wait()
	var versions []int64
	for _, r := range m.deliveries() {
		versions = append(versions, r.n.Version)
	}
	assert.Equal(t, []int64{2, 2, 2, 3}, versions, "a refused copy, its retry, the duplicate, then the next version")
}

func TestConcurrentDispatchDeliversEveryNotice(t *testing.T) {
	m := &merchant{}
	n, srv, _ := setup(t, m, 3)
	n.Send(provider.Dispatch{URL: srv.URL, Concurrent: true, Notices: []provider.Notice{
		notice(2, provider.Succeeded), notice(1, provider.Pending), notice(2, provider.Succeeded),
	}})
	n.Wait()
	count := map[int64]int{}
	for _, r := range m.deliveries() {
		assert.True(t, r.verified)
		count[r.n.Version]++
	}
	assert.Equal(t, map[int64]int{1: 1, 2: 2}, count)
}

func TestPendingDeliveriesEndWithTheContext(t *testing.T) {
	m := &merchant{}
	srv := httptest.NewServer(m)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	n := notify.New(ctx, &keys{id: "k1", key: key}, notify.Config{Backoff: time.Millisecond, MaxBackoff: time.Millisecond, Attempts: 3, Timeout: time.Second},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	n.Send(provider.Dispatch{URL: srv.URL, Delay: time.Hour, Notices: []provider.Notice{notice(2, provider.Succeeded)}})
	cancel()
	n.Wait() // returns: the hour's wait ended with the context
	assert.Empty(t, m.deliveries())
}
