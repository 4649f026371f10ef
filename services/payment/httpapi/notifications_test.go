package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/payment/httpapi"
	"github.com/canteen/canteen/services/payment/paying"
)

// created is an API whose o1 has a pending payment at the provider.
func created(t *testing.T) *api {
	t.Helper()
	a := newAPI(testKeys)
	w := a.do(a.request(http.MethodPost, "/payments", "c1", `{"order_id":"o1"}`))
	require.Equal(t, http.StatusCreated, w.Code, "%s", w.Body)
	return a
}

func TestAValidNotificationIsAppliedAndAnsweredSuccess(t *testing.T) {
	a := created(t)
	for range 2 { // the second is a duplicate: still SUCCESS, nothing more
		w := a.do(signed("k2", notificationBody("succeeded", 2, 2400)))
		require.Equal(t, http.StatusOK, w.Code, "%s", w.Body)
		assert.JSONEq(t, `{"code":"SUCCESS"}`, w.Body.String())
	}
	in, _, err := a.mem.Intent(context.Background(), "o1")
	require.NoError(t, err)
	assert.Equal(t, paying.Succeeded, in.Status)
	assert.Len(t, a.mem.Published, 1)
}

// Anything but a valid signature of a known key over these exact bytes is 401 and changes nothing.
func TestForgedTamperedOrUnsignedNotificationsAre401AndChangeNothing(t *testing.T) {
	a := created(t)
	writes := a.mem.WriteCount()
	body := notificationBody("succeeded", 2, 2400)
	forge := func(change func(r *http.Request)) *http.Request {
		r := signed("k1", body)
		change(r)
		return r
	}
	cases := map[string]*http.Request{
		"no signature":      forge(func(r *http.Request) { r.Header.Del(paysimapi.HeaderSignature) }),
		"no timestamp":      forge(func(r *http.Request) { r.Header.Del(paysimapi.HeaderTimestamp) }),
		"no nonce":          forge(func(r *http.Request) { r.Header.Del(paysimapi.HeaderNonce) }),
		"no key id":         forge(func(r *http.Request) { r.Header.Del(paysimapi.HeaderKeyID) }),
		"unknown key id":    forge(func(r *http.Request) { r.Header.Set(paysimapi.HeaderKeyID, "k9") }),
		"malformed key id":  forge(func(r *http.Request) { r.Header.Set(paysimapi.HeaderKeyID, "../k1") }),
		"signed by another": forge(func(r *http.Request) { r.Header.Set(paysimapi.HeaderKeyID, "k2") }),
		"another timestamp": forge(func(r *http.Request) { r.Header.Set(paysimapi.HeaderTimestamp, "1764650001") }),
		"another nonce":     forge(func(r *http.Request) { r.Header.Set(paysimapi.HeaderNonce, "ffff") }),
		"not hex":           forge(func(r *http.Request) { r.Header.Set(paysimapi.HeaderSignature, "not-a-signature") }),
		"forged with a guess": forge(func(r *http.Request) {
			r.Header.Set(paysimapi.HeaderSignature, paysimapi.Sign([]byte("guess"), "1764650000", "0a1b2c", []byte(body)))
		}),
		"tampered amount": func() *http.Request {
			r := signed("k1", body)
			tampered := strings.Replace(body, `"amount_cents":2400`, `"amount_cents":1`, 1)
			r2 := a.request(http.MethodPost, "/notifications", "", tampered)
			r2.Header = r.Header.Clone()
			return r2
		}(),
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			w := a.do(req)
			require.Equal(t, http.StatusUnauthorized, w.Code, "%s", w.Body)
			var e apierr.Body
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
			assert.Equal(t, httpapi.CodeInvalidSignature, e.Error.Code)
		})
	}
	assert.Equal(t, writes, a.mem.WriteCount(), "no state change")
	assert.Empty(t, a.mem.Published)
	in, _, err := a.mem.Intent(context.Background(), "o1")
	require.NoError(t, err)
	assert.Equal(t, paying.Pending, in.Status)
}

func TestSignedButWrongNotificationsAre4xxAndChangeNothing(t *testing.T) {
	a := created(t)
	writes := a.mem.WriteCount()
	cases := []struct {
		name, body string
		status     int
		code       string
	}{
		{"malformed JSON", `{"txn_id":`, 400, apierr.CodeMalformed},
		{"not an object", `[1]`, 400, apierr.CodeMalformed},
		{"unknown status", notificationBody("lost", 2, 2400), 400, apierr.CodeInvalid},
		{"version zero", notificationBody("succeeded", 0, 2400), 400, apierr.CodeInvalid},
		{"another amount", notificationBody("succeeded", 2, 1), 409, httpapi.CodeNotificationMismatch},
		{"an order with no payment", strings.Replace(notificationBody("succeeded", 2, 2400), `"o1"`, `"o2"`, 1), 404, apierr.CodeNotFound},
		{"a malformed order id", strings.Replace(notificationBody("succeeded", 2, 2400), `"o1"`, `"a||b"`, 1), 400, apierr.CodeInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := a.do(signed("k1", tc.body))
			require.Equal(t, tc.status, w.Code, "%s", w.Body)
			var e apierr.Body
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
			assert.Equal(t, tc.code, e.Error.Code)
		})
	}
	assert.Equal(t, writes, a.mem.WriteCount(), "no state change")
	assert.Empty(t, a.mem.Published)
}

// The key store down is our fault, not the provider's: 503, and the provider retries.
func TestAKeyStoreFaultIs503(t *testing.T) {
	a := newAPI(keys{down: true})
	w := a.do(signed("k1", notificationBody("succeeded", 2, 2400)))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
}
