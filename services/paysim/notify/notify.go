// Package notify delivers paysim's notifications to merchants: signed HTTP POSTs to a payment's
// notify_url, sent asynchronously after the dispatch's delay and retried with backoff until the
// merchant accepts them (2xx and {"code":"SUCCESS"}) or the attempts run out. Pending deliveries
// live in memory only: a restart loses them, which a merchant's reconciliation (querying the
// payment) covers, as with a real provider.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/paysim/provider"
)

// Keys gives the key to sign with and its id; ok is false until one was read.
type Keys interface {
	Current() (id string, key []byte, ok bool)
}

// Config is the delivery policy.
type Config struct {
	Backoff    time.Duration // the first pause between attempts, doubling
	MaxBackoff time.Duration // the longest pause
	Attempts   int           // attempts per notification, the first included
	Timeout    time.Duration // of one attempt
}

// Notifier is a provider.Notifier over HTTP. One payment's dispatches go out in the order they
// were sent (a later one starts when the earlier one is done), so only the out-of-order switch
// reorders a payment's notifications.
type Notifier struct {
	ctx    context.Context
	keys   Keys
	cfg    Config
	log    *slog.Logger
	client *http.Client
	now    func() time.Time

	wg   sync.WaitGroup
	mu   sync.Mutex
	last map[string]chan struct{} // txn id -> closed when its latest dispatch is done
}

var _ provider.Notifier = (*Notifier)(nil)

// New returns a Notifier whose pending deliveries end when ctx does.
func New(ctx context.Context, keys Keys, cfg Config, log *slog.Logger) *Notifier {
	return &Notifier{
		ctx: ctx, keys: keys, cfg: cfg, log: log, now: time.Now,
		client: &http.Client{Timeout: cfg.Timeout}, last: map[string]chan struct{}{},
	}
}

// Send delivers d in the background and returns at once.
func (n *Notifier) Send(d provider.Dispatch) {
	if len(d.Notices) == 0 {
		return
	}
	txn := d.Notices[0].TxnID
	done := make(chan struct{})
	n.mu.Lock()
	prev := n.last[txn]
	n.last[txn] = done
	n.mu.Unlock()

	n.wg.Go(func() {
		defer func() {
			close(done)
			n.mu.Lock()
			if n.last[txn] == done {
				delete(n.last, txn)
			}
			n.mu.Unlock()
		}()
		if !n.sleep(d.Delay) {
			return
		}
		if prev != nil {
			select {
			case <-prev:
			case <-n.ctx.Done():
				return
			}
		}
		if !d.Concurrent {
			for _, nt := range d.Notices {
				n.deliver(d.URL, nt)
			}
			return
		}
		var all sync.WaitGroup
		for _, nt := range d.Notices {
			all.Go(func() { n.deliver(d.URL, nt) })
		}
		all.Wait()
	})
}

// Wait waits until every dispatch is delivered, given up, or ended by the context.
func (n *Notifier) Wait() { n.wg.Wait() }

// deliver POSTs one notification until the merchant accepts it or the attempts run out.
func (n *Notifier) deliver(url string, nt provider.Notice) {
	body, err := json.Marshal(toNotification(nt))
	if err != nil {
		n.log.Error("encode notification", "notification_id", nt.ID, "err", err)
		return
	}
	pause := n.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err := n.post(url, body)
		if err == nil {
			return
		}
		if attempt >= n.cfg.Attempts {
			n.log.Error("notification given up", "notification_id", nt.ID, "url", url, "attempts", attempt, "err", err)
			return
		}
		n.log.Warn("notification refused; retrying", "notification_id", nt.ID, "attempt", attempt, "retry_in", pause.String(), "err", err)
		if !n.sleep(pause) {
			return
		}
		pause = min(2*pause, n.cfg.MaxBackoff)
	}
}

// post makes one signed attempt; nil means the merchant accepted it. Each attempt is signed
// afresh, so a merchant may refuse stale timestamps and seen nonces.
func (n *Notifier) post(url string, body []byte) error {
	id, key, ok := n.keys.Current()
	if !ok {
		return errors.New("no signing key read from the secret store yet")
	}
	nonce := make([]byte, 16)
	rand.Read(nonce)
	ts, hexNonce := strconv.FormatInt(n.now().Unix(), 10), hex.EncodeToString(nonce)

	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(paysimapi.HeaderTimestamp, ts)
	req.Header.Set(paysimapi.HeaderNonce, hexNonce)
	req.Header.Set(paysimapi.HeaderKeyID, id)
	req.Header.Set(paysimapi.HeaderSignature, paysimapi.Sign(key, ts, hexNonce, body))
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer paysimapi.NotificationAnswer
	decodeErr := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&answer)
	if resp.StatusCode < 200 || resp.StatusCode > 299 || decodeErr != nil || answer.Code != paysimapi.AnswerSuccess {
		return fmt.Errorf("merchant answered %d with code %q", resp.StatusCode, answer.Code)
	}
	return nil
}

// sleep pauses for d; false when the notifier's context ended first.
func (n *Notifier) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-n.ctx.Done():
		return false
	}
}

func toNotification(nt provider.Notice) paysimapi.Notification {
	return paysimapi.Notification{
		NotificationID: nt.ID, TxnID: nt.TxnID, MerchantOrderID: nt.MerchantOrderID, AmountCents: nt.AmountCents,
		Status: paysimapi.Status(nt.Status), Version: nt.Version, At: nt.At,
	}
}
