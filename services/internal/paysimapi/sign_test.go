package paysimapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The signature is the contract's, computed here independently of Sign.
func TestSignIsTheContractsHMAC(t *testing.T) {
	key, body := []byte("k1-secret"), []byte(`{"txn_id":"t1"}`)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("1764650000\nab12\n" + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	assert.Equal(t, want, Sign(key, "1764650000", "ab12", body))
	assert.True(t, Verify(key, "1764650000", "ab12", body, want))
}

func TestVerifyRefusesAnythingElse(t *testing.T) {
	key, body := []byte("k1-secret"), []byte(`{"txn_id":"t1","amount_cents":900}`)
	sig := Sign(key, "1764650000", "ab12", body)
	cases := map[string]bool{
		"other key":       Verify([]byte("k2-secret"), "1764650000", "ab12", body, sig),
		"other timestamp": Verify(key, "1764650001", "ab12", body, sig),
		"other nonce":     Verify(key, "1764650000", "ab13", body, sig),
		"tampered body":   Verify(key, "1764650000", "ab12", []byte(strings.Replace(string(body), "900", "1", 1)), sig),
		"truncated":       Verify(key, "1764650000", "ab12", body, sig[:62]),
		"not hex":         Verify(key, "1764650000", "ab12", body, "zz"+sig[2:]),
		"empty":           Verify(key, "1764650000", "ab12", body, ""),
	}
	for name, ok := range cases {
		assert.False(t, ok, name)
	}
}
