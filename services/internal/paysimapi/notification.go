package paysimapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Notification is the body paysim POSTs (Content-Type application/json) to a payment's notify_url
// at every status change. All copies of one version carry the same NotificationID; a merchant
// keeps the highest Version it has seen.
type Notification struct {
	NotificationID  string    `json:"notification_id"`
	TxnID           string    `json:"txn_id"`
	MerchantOrderID string    `json:"merchant_order_id"`
	AmountCents     int64     `json:"amount_cents"`
	Status          Status    `json:"status"`
	Version         int64     `json:"version"`
	At              time.Time `json:"at"`
}

// NotificationAnswer is what the merchant answers, with a 2xx status, to accept a notification;
// any other answer (or none) is retried with backoff.
type NotificationAnswer struct {
	Code string `json:"code"`
}

// AnswerSuccess is NotificationAnswer.Code of an accepted notification.
const AnswerSuccess = "SUCCESS"

// Headers of a notification. The signature covers timestamp, nonce and body; every delivery
// attempt is signed afresh, with its own timestamp and nonce.
const (
	HeaderTimestamp = "Paysim-Timestamp" // unix seconds
	HeaderNonce     = "Paysim-Nonce"     // random hex
	HeaderKeyID     = "Paysim-Key-Id"    // the id of the key that signed, e.g. "k1"
	HeaderSignature = "Paysim-Signature" // Sign's result
)

// The signing keys live in the Dapr secret store SecretStore: SecretKeyID holds the id of the key
// paysim signs with, KeySecret(id) the key itself, whose text (as its bytes) is the HMAC key.
// Rotation: add the new key, point SecretKeyID at it, restart the sidecars; a merchant verifies
// with the key HeaderKeyID names, so both verify during the rollover.
const (
	SecretStore = "paysecrets"
	SecretKeyID = "signing-key-id"
)

// KeySecret is the secret name of the signing key with id.
func KeySecret(id string) string { return "signing-key-" + id }

// Sign is the signature of a notification: the lowercase hex of
// HMAC-SHA256(key, timestamp + "\n" + nonce + "\n" + body).
func Sign(key []byte, timestamp, nonce string, body []byte) string {
	return hex.EncodeToString(mac(key, timestamp, nonce, body))
}

// Verify reports whether signature is Sign's for these inputs, in constant time.
func Verify(key []byte, timestamp, nonce string, body []byte, signature string) bool {
	got, err := hex.DecodeString(signature)
	return err == nil && hmac.Equal(got, mac(key, timestamp, nonce, body))
}

func mac(key []byte, timestamp, nonce string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(timestamp))
	m.Write([]byte("\n"))
	m.Write([]byte(nonce))
	m.Write([]byte("\n"))
	m.Write(body)
	return m.Sum(nil)
}
