package paysimapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Headers of a notification: when it was signed (unix seconds), a random hex nonce, the id of the
// key that signed it, and the signature.
const (
	HeaderTimestamp = "Paysim-Timestamp"
	HeaderNonce     = "Paysim-Nonce"
	HeaderKeyID     = "Paysim-Key-Id"
	HeaderSignature = "Paysim-Signature"
)

// Secrets of the paysecrets secret store: SecretKeyID holds the id of the key paysim signs with,
// and SecretKey(id) each key.
const SecretKeyID = "signing-key-id"

// SecretKey names the secret holding the key whose id is id.
func SecretKey(id string) string { return "signing-key-" + id }

// Sign is the signature of a notification: lowercase hex of HMAC-SHA256(key,
// timestamp + "\n" + nonce + "\n" + body).
func Sign(key []byte, timestamp, nonce string, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(timestamp + "\n" + nonce + "\n"))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is Sign's for these inputs, in constant time (a timing
// difference would let a forger find the signature byte by byte).
func Verify(key []byte, timestamp, nonce string, body []byte, signature string) bool {
	got, err := hex.DecodeString(signature)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	want, _ := hex.DecodeString(Sign(key, timestamp, nonce, body))
	return hmac.Equal(got, want)
}
