package httpapi

// The notification API's contract is services/notification/openapi.yaml; these tests fail when it
// and the Go code disagree (see services/internal/apidoc): the routes, the error codes, and real
// answers of the handlers, streams included (cut short by the request's context).

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/apidoc"
	"github.com/canteen/canteen/services/internal/httpserver"
)

const openAPI = "../openapi.yaml"

func TestOpenAPIDocumentMatchesTheNotificationAPI(t *testing.T) {
	r := httpserver.NewEngine("notification", quiet)
	Register(r, nil, nil, Config{}, quiet)
	apidoc.Check(t, openAPI, r, map[string]any{})
}

func TestNotificationAnswersAreValidByTheOpenAPIDocument(t *testing.T) {
	doc := apidoc.Load(t, openAPI)
	f := newFixture(t, 16)
	f.record(t, "o1", "s1", "c1", "order.created", `{"type":"order.created"}`)
	for _, c := range []struct {
		name, path, customer, last string
		want                       int
	}{
		{"order stream", "/orders/o1/events", "c1", "", 200},
		{"order stream, resumed", "/orders/o1/events", "c1", "1", 200},
		{"order stream, resumed by query", "/orders/o1/events?last_event_id=0", "c1", "", 200},
		{"another customer", "/orders/o1/events", "c2", "", 404},
		{"no customer", "/orders/o1/events", "", "", 404},
		{"unknown order", "/orders/o9/events", "c1", "", 404},
		{"bad order id", "/orders/a.b/events", "c1", "", 400},
		{"bad Last-Event-ID", "/orders/o1/events", "c1", "x1", 400},
		{"negative Last-Event-ID", "/orders/o1/events", "c1", "-1", 400},
		{"too long Last-Event-ID", "/orders/o1/events", "c1", "99999999999999999999", 400},
		{"bad last_event_id", "/stores/s1/events?last_event_id=1.5", "", "", 400},
		{"store stream", "/stores/s1/events", "", "", 200},
		{"bad store id", "/stores/a%20b/events", "", "", 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond) // ends the stream
			defer cancel()
			req := httptest.NewRequestWithContext(ctx, "GET", c.path, nil)
			if c.customer != "" {
				req.Header.Set(customerHeader, c.customer)
			}
			if c.last != "" {
				req.Header.Set("Last-Event-ID", c.last)
			}
			w := doc.Do(t, f.r, req)
			require.Equal(t, c.want, w.Code, "%s", w.Body)
		})
	}
}
