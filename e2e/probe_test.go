package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// orderProbe is a subscriber of the orders and payments topics behind its own sidecar, as any
// service would be (a consumer group of its own): tests count the events an order (and its
// payment) really published, instead of trusting that a second one would change nothing.
type orderProbe struct {
	mu       sync.Mutex
	events   map[string][]string // order id -> order event types, in arrival order, duplicates kept
	payments map[string][]string // order id -> payment event types, likewise
	dead     map[string]string   // order id -> event type, of messages on inventory's dead-letter topic
}

var (
	probeOnce sync.Once
	probe     *orderProbe
)

// theProbe starts the probe on first use; it lives as long as the platform.
func theProbe(t *testing.T) *orderProbe {
	t.Helper()
	probeOnce.Do(func() {
		pr := &orderProbe{events: map[string][]string{}, payments: map[string][]string{}, dead: map[string]string{}}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		go http.Serve(ln, pr)
		_, err = platform.Attach(t.Context(), "orderprobe", ln.Addr().(*net.TCPAddr).Port)
		require.NoError(t, err)
		probe = pr
	})
	require.NotNil(t, probe, "the probe failed to start in an earlier test")
	return probe
}

func (pr *orderProbe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/dapr/subscribe":
		fmt.Fprint(w, `[{"pubsubname":"pubsub","topic":"orders","route":"/orders"},`+
			`{"pubsubname":"pubsub","topic":"orders-created","route":"/orders"},`+
			`{"pubsubname":"pubsub","topic":"payments","route":"/payments"},`+
			`{"pubsubname":"pubsub","topic":"orders-deadletter-inventory","route":"/deadletters"}]`)
	case "/orders", "/payments", "/deadletters":
		var ce struct {
			Data struct {
				Type    string `json:"type"`
				OrderID string `json:"order_id"`
			} `json:"data"`
		}
		if json.NewDecoder(r.Body).Decode(&ce) == nil {
			pr.mu.Lock()
			switch r.URL.Path {
			case "/deadletters":
				pr.dead[ce.Data.OrderID] = ce.Data.Type
			case "/payments":
				pr.payments[ce.Data.OrderID] = append(pr.payments[ce.Data.OrderID], ce.Data.Type)
			default:
				pr.events[ce.Data.OrderID] = append(pr.events[ce.Data.OrderID], ce.Data.Type)
			}
			pr.mu.Unlock()
		}
		fmt.Fprint(w, `{"status":"SUCCESS"}`)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// paymentsOf returns the event types the order's payment published so far.
func (pr *orderProbe) paymentsOf(orderID string) []string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return append([]string(nil), pr.payments[orderID]...)
}

// of returns the event types the order published so far.
func (pr *orderProbe) of(orderID string) []string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return append([]string(nil), pr.events[orderID]...)
}

// deadLettered returns the orders whose events reached inventory's dead-letter topic.
func (pr *orderProbe) deadLettered() map[string]string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	out := map[string]string{}
	for k, v := range pr.dead {
		out[k] = v
	}
	return out
}
