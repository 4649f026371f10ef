package subscribe_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/subscribe"
)

type fixture struct {
	r       *gin.Engine
	letters *subscribe.MemoryLetters
	mu      sync.Mutex
	err     error // what the handler answers with
	calls   atomic.Int64
}

func setup(t *testing.T) *fixture {
	gin.SetMode(gin.TestMode)
	f := &fixture{r: gin.New(), letters: &subscribe.MemoryLetters{}}
	handle := func(_ context.Context, _ string, data json.RawMessage) error {
		f.calls.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.err
	}
	subscribe.Register(f.r, subscribe.Config{App: "kitchen", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Letters: f.letters},
		subscribe.Route{Topic: "orders", Path: "/events/orders", Handle: handle})
	return f
}

func (f *fixture) answer(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

func (f *fixture) do(t *testing.T, method, path, body string) (int, string) {
	w := httptest.NewRecorder()
	f.r.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
	return w.Code, w.Body.String()
}

func TestEverySubscriptionHasItsOwnDeadLetterTopicAndItsConsumer(t *testing.T) {
	f := setup(t)
	code, body := f.do(t, http.MethodGet, "/dapr/subscribe", "")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `[
		{"pubsubname":"pubsub","topic":"orders","route":"/events/orders","deadLetterTopic":"orders-deadletter-kitchen"},
		{"pubsubname":"pubsub","topic":"orders-deadletter-kitchen","route":"/deadletters/orders"}]`, body)
}

// A poison message is dropped to the dead-letter topic; its consumer keeps it, the ops endpoint
// lists it, a replay that fails again keeps it with the error, and one that succeeds removes it.
func TestDeadLettersAreKeptListedAndReplayed(t *testing.T) {
	f := setup(t)
	f.answer(errors.Join(subscribe.ErrPoison, errors.New("disagrees")))
	msg := `{"id":"e1","data":{"order_id":"o1"}}`
	_, body := f.do(t, http.MethodPost, "/events/orders", msg)
	assert.JSONEq(t, `{"status":"DROP"}`, body)

	// Dapr forwards the dropped CloudEvent, as it is, to the dead-letter topic.
	_, body = f.do(t, http.MethodPost, "/deadletters/orders", msg)
	assert.JSONEq(t, `{"status":"SUCCESS"}`, body)
	_, _ = f.do(t, http.MethodPost, "/deadletters/orders", msg) // redelivered: kept once

	code, body := f.do(t, http.MethodGet, "/ops/deadletters", "")
	require.Equal(t, http.StatusOK, code)
	var list struct{ Letters []subscribe.Letter }
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Len(t, list.Letters, 1)
	l := list.Letters[0]
	assert.Equal(t, "orders", l.Topic)
	assert.Equal(t, "e1", l.EventID)
	assert.JSONEq(t, `{"order_id":"o1"}`, string(l.Data))

	code, _ = f.do(t, http.MethodPost, "/ops/deadletters/"+l.ID+"/replay", "")
	assert.Equal(t, http.StatusConflict, code, "the handler still refuses it")
	kept, err := f.letters.Letter(context.Background(), l.ID)
	require.NoError(t, err)
	assert.Contains(t, kept.LastError, "disagrees")

	f.answer(nil)
	code, _ = f.do(t, http.MethodPost, "/ops/deadletters/"+l.ID+"/replay", "")
	assert.Equal(t, http.StatusOK, code)
	left, err := f.letters.Letters(context.Background())
	require.NoError(t, err)
	assert.Empty(t, left)
	assert.EqualValues(t, 3, f.calls.Load(), "delivered once, replayed twice")

	code, _ = f.do(t, http.MethodPost, "/ops/deadletters/nope/replay", "")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = f.do(t, http.MethodPost, "/ops/deadletters/a%7C%7Cb/replay", "")
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestATransientFailureAsksForRedelivery(t *testing.T) {
	f := setup(t)
	f.answer(errors.New("store down"))
	_, body := f.do(t, http.MethodPost, "/events/orders", `{"id":"e1","data":{}}`)
	assert.JSONEq(t, `{"status":"RETRY"}`, body)
	_, body = f.do(t, http.MethodPost, "/events/orders", `not json`)
	assert.JSONEq(t, `{"status":"DROP"}`, body)
}
