package httpapi

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/notification/feed"
	"github.com/canteen/canteen/services/notification/feed/feedtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is the API over an in-memory store, with short heartbeats so tests see them.
type fixture struct {
	r    *gin.Engine
	svc  *feed.Service
	done chan struct{}
}

func newFixture(t *testing.T, buffer int) *fixture {
	t.Helper()
	notify := feed.NewNotifier()
	f := &fixture{r: httpserver.NewEngine("notification", quiet), svc: feed.NewService(feedtest.NewMemory(), notify), done: make(chan struct{})}
	Register(f.r, f.svc, notify, Config{Heartbeat: 20 * time.Millisecond, Poll: 50 * time.Millisecond, Buffer: buffer, Done: f.done}, quiet)
	return f
}

func (f *fixture) record(t *testing.T, order, store, customer, typ, data string) {
	t.Helper()
	require.NoError(t, f.svc.Record(context.Background(), feed.Event{Type: typ, OrderID: order, StoreID: store, CustomerID: customer,
		At: time.Unix(1764650000, 0).UTC(), Data: []byte(data)}))
}
