package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/payment/paying"
)

// notification takes the provider's signed callback. The signature is checked over the exact
// bytes received, before anything is decoded or read from the store: a request without a valid
// signature of a known key is 401 and changes nothing. A replayed notification needs no time
// window: applying one is idempotent (forward-only by version), so a replay changes nothing.
func (h *handler) notification(c *gin.Context) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, apierr.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		apierr.Write(c, http.StatusRequestEntityTooLarge, apierr.CodeTooLarge, "", "notification body is too large")
		return
	case err != nil:
		apierr.Write(c, http.StatusBadRequest, apierr.CodeMalformed, "", "notification body could not be read")
		return
	}
	if reason, fault := h.verify(c, body); fault != nil {
		apierr.Fail(c, h.log, fault) // the key store cannot be read: the provider retries
		return
	} else if reason != "" {
		h.log.Warn("notification refused: bad signature", "reason", reason, "key_id", c.GetHeader(paysimapi.HeaderKeyID), "remote", c.RemoteIP())
		apierr.Write(c, http.StatusUnauthorized, CodeInvalidSignature, paysimapi.HeaderSignature, "the notification's signature is missing or invalid")
		return
	}
	var n paysimapi.Notification
	// Strict, as every request body here: paysim and payment share paysimapi.Notification, so an
	// unknown field is a contract broken, and the reconciler still settles the payment by asking.
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil || dec.More() {
		h.log.Warn("signed notification refused: not the contract's body", "err", err)
		apierr.Write(c, http.StatusBadRequest, apierr.CodeMalformed, "", "the notification is not the contract's JSON object")
		return
	}
	applied, err := h.svc.Notify(c, paying.Notice{OrderID: n.MerchantOrderID, TxnID: n.TxnID, AmountCents: n.AmountCents,
		Status: paying.ProviderStatus(n.Status), Version: n.Version})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.log.Info("notification taken", "order", n.MerchantOrderID, "status", n.Status, "version", n.Version, "applied", applied)
	c.JSON(http.StatusOK, paysimapi.NotificationAnswer{Code: paysimapi.AnswerSuccess})
}

// verify checks the notification's signature: reason says why it is refused ("" when valid);
// fault is set when the keys cannot be read.
func (h *handler) verify(c *gin.Context, body []byte) (reason string, fault error) {
	ts, nonce := c.GetHeader(paysimapi.HeaderTimestamp), c.GetHeader(paysimapi.HeaderNonce)
	kid, sig := c.GetHeader(paysimapi.HeaderKeyID), c.GetHeader(paysimapi.HeaderSignature)
	switch {
	case ts == "" || nonce == "" || kid == "" || sig == "":
		return "missing signature headers", nil
	case !apierr.ValidID(kid): // a key id becomes part of a secret's name
		return "malformed key id", nil
	}
	key, err := h.keys.Key(c, kid)
	switch {
	case errors.Is(err, paying.ErrUnknownKey):
		return "unknown key id", nil
	case err != nil:
		return "", err
	case !paysimapi.Verify(key, ts, nonce, body, sig):
		return "signature does not match", nil
	}
	return "", nil
}
