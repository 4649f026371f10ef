package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paysim is called through its sidecar only; the merchant below is the one thing paysim calls
// directly, as a real provider calls a merchant's public notify URL. Like every e2e test, these
// are a client written from the contract (services/paysim/openapi.yaml, the notification format
// of services/internal/paysimapi), not from paysim's Go: e2e may not import services/internal,
// so the merchant checks signatures with its own HMAC, from the documented format, which
// paysimapi's own test pins to an openssl-computed value.

func paysimURL(path string) string { return platform.App("paysim").URL(path) }

const (
	psPending, psSucceeded, psFailed, psRefunded = "pending", "succeeded", "failed", "refunded"
	psSecretStore                                = "paysecrets"
)

type psPayment struct {
	TxnID           string    `json:"txn_id"`
	MerchantOrderID string    `json:"merchant_order_id"`
	AmountCents     int64     `json:"amount_cents"`
	Status          string    `json:"status"`
	RefundedCents   int64     `json:"refunded_cents"`
	Version         int64     `json:"version"`
	PayToken        string    `json:"pay_token,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

type psNotification struct {
	NotificationID  string    `json:"notification_id"`
	TxnID           string    `json:"txn_id"`
	MerchantOrderID string    `json:"merchant_order_id"`
	AmountCents     int64     `json:"amount_cents"`
	Status          string    `json:"status"`
	Version         int64     `json:"version"`
	At              time.Time `json:"at"`
}

type psRefund struct {
	RefundID    string `json:"refund_id"`
	TxnID       string `json:"txn_id"`
	AmountCents int64  `json:"amount_cents"`
	Status      string `json:"status"`
}

// psFaults are the fault switches; nothing is omitted, as a PUT replaces them all.
type psFaults struct {
	Decline    bool  `json:"decline"`
	DelayMS    int64 `json:"delay_ms"`
	Duplicates int   `json:"duplicates"`
	Lose       bool  `json:"lose"`
	OutOfOrder bool  `json:"out_of_order"`
	Down       bool  `json:"down"`
}

func psPaymentPath(txn string) string { return "v1/payments/" + txn }
func psByOrderPath(order string) string {
	return "v1/payments?" + url.Values{"merchant_order_id": {order}}.Encode()
}

// verifySignature checks a notification's Paysim-Signature: lowercase hex of
// HMAC-SHA256(key, timestamp + "\n" + nonce + "\n" + body).
func verifySignature(key []byte, h http.Header, body []byte) bool {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("Paysim-Timestamp") + "\n" + h.Get("Paysim-Nonce") + "\n"))
	mac.Write(body)
	got, err := hex.DecodeString(h.Get("Paysim-Signature"))
	return err == nil && hmac.Equal(got, mac.Sum(nil))
}

// delivery is one notification as the merchant received it.
type delivery struct {
	n        psNotification
	keyID    string
	verified bool
	keyErr   string // why the key could not be read, if it could not
}

// merchant is a notify_url: it verifies each notification's signature with the key its
// Paysim-Key-Id names, read through the Dapr secrets API of paysim's sidecar, records it, and
// refuses the first refuse[txn] deliveries of a payment.
type merchant struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    map[string][]delivery // txn id -> deliveries, in arrival order
	refuse map[string]int
	keys   map[string][]byte
}

// newMerchant starts a merchant for one test, and turns paysim's global faults off first: they
// live in the state store, which outlives a platform (a run killed mid-test could leave it down).
// Right after the platform starts, paysim may answer 503 while its app connects to its sidecar
// (seen); a 503 means "retry", as any merchant does.
func newMerchant(t *testing.T) *merchant {
	t.Helper()
	var r response
	for range 50 {
		r = call(t, http.MethodPut, paysimURL("v1/faults"), psFaults{})
		if r.Status != http.StatusServiceUnavailable {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	m := &merchant{got: map[string][]delivery{}, refuse: map[string]int{}, keys: map[string][]byte{}}
	m.srv = httptest.NewServer(m)
	t.Cleanup(m.srv.Close)
	return m
}

func (m *merchant) notifyURL() string { return m.srv.URL + "/paysim/notify" }

func (m *merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var n psNotification
	if err := json.Unmarshal(body, &n); err != nil {
		http.Error(w, "not a notification", http.StatusBadRequest)
		return
	}
	h := r.Header
	keyID := h.Get("Paysim-Key-Id")
	key, keyErr := m.key(keyID)
	d := delivery{n: n, keyID: keyID, keyErr: keyErr, verified: key != nil && r.Header.Get("Content-Type") == "application/json" && verifySignature(key, h, body)}
	m.mu.Lock()
	m.got[n.TxnID] = append(m.got[n.TxnID], d)
	refused := m.refuse[n.TxnID] > 0
	if refused {
		m.refuse[n.TxnID]--
	}
	m.mu.Unlock()
	if refused {
		http.Error(w, `{"code":"FAIL"}`, http.StatusInternalServerError)
		return
	}
	io.WriteString(w, `{"code":"SUCCESS"}`)
}

// key is the signing key with id, through the Dapr secrets API. It runs in the server's
// goroutines, which may outlive the test: it reports a failure in the delivery, never to t.
func (m *merchant) key(id string) ([]byte, string) {
	m.mu.Lock()
	k, ok := m.keys[id]
	m.mu.Unlock()
	if ok {
		return k, ""
	}
	if id == "" {
		return nil, "no Paysim-Key-Id"
	}
	name := "signing-key-" + id
	r, err := tryCall(http.MethodGet, platform.App("paysim").DaprURL("/v1.0/secrets/"+psSecretStore+"/"+name), nil)
	var secret map[string]string
	if err != nil || r.Status != http.StatusOK || json.Unmarshal(r.Body, &secret) != nil || secret[name] == "" {
		return nil, fmt.Sprintf("cannot read %s: %v %d %s", name, err, r.Status, r.Body)
	}
	m.mu.Lock()
	m.keys[id] = []byte(secret[name])
	m.mu.Unlock()
	return []byte(secret[name]), ""
}

func (m *merchant) of(txn string) []delivery {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]delivery(nil), m.got[txn]...)
}

// waitFor waits until the payment's deliveries satisfy ok, and returns them.
func (m *merchant) waitFor(t *testing.T, txn string, ok func([]delivery) bool, what string) []delivery {
	t.Helper()
	require.Eventually(t, func() bool { return ok(m.of(txn)) }, 60*time.Second, 50*time.Millisecond, "%s: got %v", what, m.of(txn))
	return m.of(txn)
}

// copies counts the deliveries by version and status ("2 succeeded").
func copies(ds []delivery) map[string]int {
	out := map[string]int{}
	for _, d := range ds {
		out[fmt.Sprintf("%d %s", d.n.Version, d.n.Status)]++
	}
	return out
}

func psCreate(t *testing.T, m *merchant, amount int64) psPayment {
	t.Helper()
	r := call(t, http.MethodPost, paysimURL("v1/payments"), map[string]any{
		"merchant_order_id": "order-" + uuid.NewString(), "amount_cents": amount, "notify_url": m.notifyURL(), "description": "Braised pork rice",
	})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	return decode[psPayment](t, r)
}

func psPay(t *testing.T, p psPayment) psPayment {
	t.Helper()
	r := call(t, http.MethodPost, paysimURL(psPaymentPath(p.TxnID)+"/pay"), map[string]string{"pay_token": p.PayToken})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return decode[psPayment](t, r)
}

func setPaymentFaults(t *testing.T, txn string, f psFaults) {
	t.Helper()
	r := call(t, http.MethodPut, paysimURL(psPaymentPath(txn)+"/faults"), f)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
}

// setGlobalFaults switches the global faults until the test ends.
func setGlobalFaults(t *testing.T, f psFaults) {
	t.Helper()
	r := call(t, http.MethodPut, paysimURL("v1/faults"), f)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	t.Cleanup(func() {
		r, err := tryCall(http.MethodPut, paysimURL("v1/faults"), psFaults{})
		if err != nil || r.Status != http.StatusOK {
			t.Errorf("paysim's global faults stay on: %v %d %s", err, r.Status, r.Body)
		}
	})
}

func TestPaysimPaymentIsPaidAndNotifiedWithAValidSignature(t *testing.T) {
	m := newMerchant(t)
	p := psCreate(t, m, 1800)
	assert.Equal(t, psPending, p.Status)
	assert.EqualValues(t, 1, p.Version)
	require.NotEmpty(t, p.PayToken)

	again := call(t, http.MethodPost, paysimURL("v1/payments"), map[string]any{
		"merchant_order_id": p.MerchantOrderID, "amount_cents": 1800, "notify_url": m.notifyURL(),
	})
	require.Equal(t, http.StatusOK, again.Status, "%s", again.Body)
	same := decode[psPayment](t, again)
	assert.Equal(t, p.TxnID, same.TxnID)
	assert.Equal(t, p.PayToken, same.PayToken)
	other := call(t, http.MethodPost, paysimURL("v1/payments"), map[string]any{
		"merchant_order_id": p.MerchantOrderID, "amount_cents": 1900, "notify_url": m.notifyURL(),
	})
	assert.Equal(t, http.StatusConflict, other.Status)
	assert.Equal(t, "order_conflict", errorCode(other))

	wrong := call(t, http.MethodPost, paysimURL(psPaymentPath(p.TxnID)+"/pay"), map[string]string{"pay_token": "not-the-token"})
	assert.Equal(t, http.StatusForbidden, wrong.Status)
	assert.Equal(t, "invalid_token", errorCode(wrong))

	paid := psPay(t, p)
	assert.Equal(t, psSucceeded, paid.Status)
	assert.EqualValues(t, 2, paid.Version)
	assert.Empty(t, paid.PayToken, "only a create answers the token")
	assert.Equal(t, paid, psPay(t, p), "paying again answers the same")

	for _, path := range []string{psPaymentPath(p.TxnID), psByOrderPath(p.MerchantOrderID)} {
		r := call(t, http.MethodGet, paysimURL(path), nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assert.Equal(t, paid, decode[psPayment](t, r), path)
	}
	missing := call(t, http.MethodGet, paysimURL(psByOrderPath("order-"+uuid.NewString())), nil)
	assert.Equal(t, http.StatusNotFound, missing.Status)

	ds := m.waitFor(t, p.TxnID, func(ds []delivery) bool { return len(ds) >= 1 }, "the payment's notification")
	d := ds[0]
	assert.True(t, d.verified, "the signature verifies with the key Paysim-Key-Id names %s", d.keyErr)
	assert.Equal(t, "k1", d.keyID)
	assert.Equal(t, p.TxnID+"-v2", d.n.NotificationID)
	assert.Equal(t, p.MerchantOrderID, d.n.MerchantOrderID)
	assert.EqualValues(t, 1800, d.n.AmountCents)
	assert.Equal(t, psSucceeded, d.n.Status)
	assert.EqualValues(t, 2, d.n.Version)
	assert.True(t, d.n.At.Equal(paid.UpdatedAt))
}

func TestPaysimRetriesARefusedNotificationUntilTheMerchantAnswersSuccess(t *testing.T) {
	m := newMerchant(t)
	p := psCreate(t, m, 700)
	m.mu.Lock()
	m.refuse[p.TxnID] = 2
	m.mu.Unlock()
	psPay(t, p)
	ds := m.waitFor(t, p.TxnID, func(ds []delivery) bool { return len(ds) >= 3 }, "two refusals and the accepted retry")
	for _, d := range ds {
		assert.True(t, d.verified, "every attempt is signed %s", d.keyErr)
		assert.Equal(t, p.TxnID+"-v2", d.n.NotificationID, "a retry is the same notification")
	}
}

func TestPaysimDuplicatesAndOutOfOrderDeliverTheExpectedCopies(t *testing.T) {
	m := newMerchant(t)
	dup := psCreate(t, m, 1200)
	setPaymentFaults(t, dup.TxnID, psFaults{Duplicates: 2})
	shuffled := psCreate(t, m, 1300)
	setPaymentFaults(t, shuffled.TxnID, psFaults{Duplicates: 1, OutOfOrder: true})
	psPay(t, dup)
	psPay(t, shuffled)

	ds := m.waitFor(t, dup.TxnID, func(ds []delivery) bool { return len(ds) >= 3 }, "1+2 copies")
	assert.Equal(t, map[string]int{"2 succeeded": 3}, copies(ds))
	for _, d := range ds {
		assert.True(t, d.verified, d.keyErr)
		assert.Equal(t, dup.TxnID+"-v2", d.n.NotificationID, "copies share the notification id")
	}

	ds = m.waitFor(t, shuffled.TxnID, func(ds []delivery) bool { return len(ds) >= 3 }, "1+1 copies and a stale v1")
	assert.Equal(t, map[string]int{"2 succeeded": 2, "1 pending": 1}, copies(ds))
	for _, d := range ds {
		assert.True(t, d.verified, d.keyErr)
	}
}

func TestPaysimLoseSendsNothingWhileTheQueryAnswers(t *testing.T) {
	m := newMerchant(t)
	lost := psCreate(t, m, 900)
	setPaymentFaults(t, lost.TxnID, psFaults{Lose: true})
	control := psCreate(t, m, 901)
	psPay(t, lost)
	psPay(t, control)
	// The control, paid after the lost one with the same delay, arriving first says the lost one
	// was not merely late: it was never sent.
	m.waitFor(t, control.TxnID, func(ds []delivery) bool { return len(ds) >= 1 }, "the control's notification")
	assert.Empty(t, m.of(lost.TxnID))

	r := call(t, http.MethodGet, paysimURL(psByOrderPath(lost.MerchantOrderID)), nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, psSucceeded, decode[psPayment](t, r).Status, "reconciliation finds what the notification lost")
}

func TestPaysimDeclineAnswersFailedAndNotifiesIt(t *testing.T) {
	m := newMerchant(t)
	p := psCreate(t, m, 1500)
	setGlobalFaults(t, psFaults{Decline: true})
	failed := psPay(t, p)
	assert.Equal(t, psFailed, failed.Status)
	assert.EqualValues(t, 2, failed.Version)

	ds := m.waitFor(t, p.TxnID, func(ds []delivery) bool { return len(ds) >= 1 }, "the failure's notification")
	assert.Equal(t, psFailed, ds[0].n.Status)
	assert.True(t, ds[0].verified, ds[0].keyErr)

	r := call(t, http.MethodPost, paysimURL(psPaymentPath(p.TxnID)+"/refunds"), map[string]any{"refund_id": "r1", "amount_cents": 100})
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, "not_paid", errorCode(r))
}

func TestPaysimDownAnswers503WithRetryAfterButKeepsItsSwitches(t *testing.T) {
	m := newMerchant(t)
	p := psCreate(t, m, 1100)
	setGlobalFaults(t, psFaults{Down: true})

	for _, req := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, psPaymentPath(p.TxnID), nil},
		{http.MethodPost, psPaymentPath(p.TxnID) + "/pay", map[string]string{"pay_token": p.PayToken}},
		{http.MethodPost, "v1/payments", map[string]any{"merchant_order_id": "order-" + uuid.NewString(), "amount_cents": 5, "notify_url": m.notifyURL()}},
	} {
		httpReq, err := http.NewRequest(req.method, paysimURL(req.path), nil)
		require.NoError(t, err)
		if req.body != nil {
			raw, _ := json.Marshal(req.body)
			httpReq, _ = http.NewRequest(req.method, paysimURL(req.path), bytes.NewReader(raw))
		}
		resp, err := httpClient.Do(httpReq)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s %s: %s", req.method, req.path, body)
		assert.NotEmpty(t, resp.Header.Get("Retry-After"), "%s %s", req.method, req.path)
		assert.Equal(t, "unavailable", errorCode(response{Body: body}))
	}

	r := call(t, http.MethodGet, paysimURL("v1/faults"), nil)
	require.Equal(t, http.StatusOK, r.Status, "the switches answer while down")
	assert.True(t, decode[psFaults](t, r).Down)

	r = call(t, http.MethodPut, paysimURL("v1/faults"), psFaults{})
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, psSucceeded, psPay(t, p).Status, "up again, the payment was kept")
}

func TestPaysimRefundsAreIdempotentBoundedAndAFullOneIsNotified(t *testing.T) {
	m := newMerchant(t)
	p := psCreate(t, m, 2000)
	refund := func(id string, amount int64) response {
		return call(t, http.MethodPost, paysimURL(psPaymentPath(p.TxnID)+"/refunds"), map[string]any{"refund_id": id, "amount_cents": amount})
	}
	r := refund("r1", 500)
	assert.Equal(t, http.StatusConflict, r.Status, "not paid yet")
	assert.Equal(t, "not_paid", errorCode(r))
	psPay(t, p)

	first := refund("r1", 500)
	require.Equal(t, http.StatusOK, first.Status, "%s", first.Body)
	assert.Equal(t, psRefund{RefundID: "r1", TxnID: p.TxnID, AmountCents: 500, Status: "succeeded"}, decode[psRefund](t, first))
	repeat := refund("r1", 500)
	require.Equal(t, http.StatusOK, repeat.Status)
	assert.JSONEq(t, string(first.Body), string(repeat.Body), "a repeat answers the same refund")
	r = refund("r1", 600)
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, "refund_conflict", errorCode(r))
	r = refund("r2", 1501)
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, "refund_exceeds", errorCode(r))

	partial := decode[psPayment](t, call(t, http.MethodGet, paysimURL(psPaymentPath(p.TxnID)), nil))
	assert.Equal(t, psSucceeded, partial.Status)
	assert.EqualValues(t, 500, partial.RefundedCents)
	assert.EqualValues(t, 2, partial.Version, "a partial refund changes no status")

	require.Equal(t, http.StatusOK, refund("r2", 1500).Status)
	full := decode[psPayment](t, call(t, http.MethodGet, paysimURL(psPaymentPath(p.TxnID)), nil))
	assert.Equal(t, psRefunded, full.Status)
	assert.EqualValues(t, 3, full.Version)
	assert.EqualValues(t, 2000, full.RefundedCents)
	r = refund("r3", 1)
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, "not_paid", errorCode(r))

	ds := m.waitFor(t, p.TxnID, func(ds []delivery) bool { return copies(ds)["3 refunded"] >= 1 }, "the refund's notification")
	assert.Equal(t, map[string]int{"2 succeeded": 1, "3 refunded": 1}, copies(ds))
	for _, d := range ds {
		assert.True(t, d.verified, d.keyErr)
	}
}

func TestPaysimRefusesBadInputWith4xx(t *testing.T) {
	m := newMerchant(t)
	p := psCreate(t, m, 100)
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{http.MethodPost, "v1/payments", `{"merchant_order_id":"o","amount_cents":-1,"notify_url":"http://m/"}`, 400, "amount_cents"},
		{http.MethodPost, "v1/payments", `{"merchant_order_id":"o","amount_cents":1,"notify_url":"file:///etc/passwd"}`, 400, "notify_url"},
		{http.MethodPost, "v1/payments", `{"merchant_order_id":"o","amount_cents":1,"notify_url":"http://m/","x":1}`, 400, "x"},
		{http.MethodPost, "v1/payments", `[`, 400, ""},
		{http.MethodGet, "v1/payments", nil, 400, "merchant_order_id"},
		{http.MethodGet, psPaymentPath("a.b"), nil, 400, "txn"},
		{http.MethodPost, psPaymentPath(p.TxnID) + "/pay", `{"pay_token":7}`, 400, "pay_token"},
		{http.MethodPut, psPaymentPath(p.TxnID) + "/faults", `{"down":true}`, 400, "down"},
		{http.MethodPut, "v1/faults", `{"duplicates":99}`, 400, "duplicates"},
		{http.MethodGet, psPaymentPath("txn_nobody"), nil, 404, ""},
	} {
		r := call(t, c.method, paysimURL(c.path), c.body)
		assert.Equal(t, c.status, r.Status, "%s %s: %s", c.method, c.path, r.Body)
		e := decode[apiError](t, r)
		assert.Equal(t, c.field, e.Error.Field, "%s %s", c.method, c.path)
		assert.NotEmpty(t, e.Error.Code)
	}
}

// Payments live in the state store, so a query after paysim (app and sidecar) restarted still
// answers them; only pending notifications are lost, which is what the query is for.
func TestPaysimAnswersQueriesAfterItRestarts(t *testing.T) {
	m := newMerchant(t)
	p := psCreate(t, m, 1600)
	paid := psPay(t, p)
	ps := platform.App("paysim")
	ps.KillApp()
	require.NoError(t, ps.StartApp(t.Context()))
	ps.KillSidecar()
	require.NoError(t, ps.StartSidecar(t.Context()))

	var got psPayment
	require.Eventually(t, func() bool { // the app reconnects to its new sidecar: 503s for a moment
		r, err := tryCall(http.MethodGet, paysimURL(psByOrderPath(p.MerchantOrderID)), nil)
		return err == nil && r.Status == http.StatusOK && json.Unmarshal(r.Body, &got) == nil
	}, 60*time.Second, 100*time.Millisecond)
	assert.Equal(t, paid, got)

	again := psPay(t, p)
	assert.Equal(t, paid, again, "the pay token still pays, and the repeat changes nothing")
}
