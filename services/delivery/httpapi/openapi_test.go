package httpapi

// The delivery API's contract is services/delivery/openapi.yaml, a hand-written OpenAPI 3.1
// document; these tests fail when it and the Go code disagree (see services/internal/apidoc): the
// routes gin serves, the JSON of every request and response type, the error codes the package can
// write, the job statuses, and real answers of the handlers over the domain service and its
// in-memory fakes, bad input and impossible moves included.

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/delivery/dispatch/dispatchtest"
	"github.com/canteen/canteen/services/internal/apidoc"
	"github.com/canteen/canteen/services/internal/httpserver"
)

const openAPI = "../openapi.yaml"

func TestOpenAPIDocumentMatchesTheDeliveryAPI(t *testing.T) {
	r := httpserver.NewEngine("delivery", slog.New(slog.NewTextHandler(io.Discard, nil)))
	Register(r, nil, nil)
	doc := apidoc.Check(t, openAPI, r, map[string]any{
		"ZoneRequest":  zoneRequest{},
		"Zone":         zoneResponse{},
		"RiderRequest": riderRequest{},
		"Rider":        riderResponse{},
		"Job":          jobResponse{},
	})
	statuses := apidoc.Values(t, "../dispatch", "Status")
	require.NotEmpty(t, statuses)
	assert.ElementsMatch(t, statuses, doc.Enum(t, "Job", "status"), "Job.status must list exactly dispatch's statuses")
}

func TestDeliveryAnswersAreValidByTheOpenAPIDocument(t *testing.T) {
	doc := apidoc.Load(t, openAPI)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mem := dispatchtest.NewMemory()
	svc := dispatch.NewService(dispatch.Deps{Repository: mem, Publisher: mem, Timers: &dispatchtest.Timers{}, Log: quiet}, dispatch.Config{})
	r := httpserver.NewEngine("delivery", quiet)
	Register(r, svc, quiet)
	ctx := context.Background()
	for _, c := range []struct {
		name, method, path, rider, body string
		want                            int
	}{
		{"zone", "PUT", "/zones/north", "", `{"name":"North campus"}`, 200},
		{"zone, no name", "PUT", "/zones/north", "", `{}`, 400},
		{"zone, bad id", "PUT", "/zones/a.b", "", `{"name":"x"}`, 400},
		{"zone, too large", "PUT", "/zones/north", "", `{"name":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
		{"rider", "PUT", "/riders/r1", "", `{"zone":"north","capacity":1}`, 200},
		{"rider 2", "PUT", "/riders/r2", "", `{"zone":"north"}`, 200},
		{"rider, unknown zone", "PUT", "/riders/r3", "", `{"zone":"south"}`, 404},
		{"rider, bad capacity", "PUT", "/riders/r3", "", `{"zone":"north","capacity":-2}`, 400},
		{"rider, capacity not a number", "PUT", "/riders/r3", "", `{"zone":"north","capacity":"many"}`, 400},
		{"rider, unknown field", "PUT", "/riders/r3", "", `{"zone":"north","speed":3}`, 400},
		{"on duty", "POST", "/riders/r1/on-duty", "", "", 200},
		{"on duty, unknown", "POST", "/riders/r9/on-duty", "", "", 404},
		{"get rider", "GET", "/riders/r1", "", "", 200},
		{"get rider, unknown", "GET", "/riders/r9", "", "", 404},
		{"job", "GET", "/jobs/o1", "", "", 200},
		{"job, unknown", "GET", "/jobs/o9", "", "", 404},
		{"deliver too early", "POST", "/jobs/o1/delivered", "r1", "", 409},
		{"accept, another rider", "POST", "/jobs/o1/accept", "r2", "", 403},
		{"accept, unknown rider", "POST", "/jobs/o1/accept", "r9", "", 404},
		{"accept, no rider", "POST", "/jobs/o1/accept", "", "", 400},
		{"unknown move", "POST", "/jobs/o1/fly", "r1", "", 400},
		{"accept", "POST", "/jobs/o1/accept", "r1", "", 200},
		{"accept again", "POST", "/jobs/o1/accept", "r1", "", 200},
		{"picked up", "POST", "/jobs/o1/picked-up", "r1", "", 200},
		{"rider, move to an unknown zone", "PUT", "/riders/r1", "", `{"zone":"east"}`, 404},
		{"off duty", "POST", "/riders/r1/off-duty", "", "", 200},
		{"delivered", "POST", "/jobs/o1/delivered", "r1", "", 200},
		{"accept after delivery", "POST", "/jobs/o1/accept", "r1", "", 409},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "job" {
				require.NoError(t, svc.Paid(ctx, dispatch.Paid{OrderID: "o1", StoreID: "s1", CustomerID: "c1", Zone: "north", Building: "b7"}))
				require.NoError(t, svc.Ready(ctx, "o1"))
			}
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			if c.rider != "" {
				req.Header.Set(riderHeader, c.rider)
			}
			w := doc.Do(t, r, req)
			require.Equal(t, c.want, w.Code, "%s", w.Body)
		})
	}
	_, err := svc.PutZone(ctx, "east", "East")
	require.NoError(t, err)
	require.NoError(t, svc.Paid(ctx, dispatch.Paid{OrderID: "o2", StoreID: "s1", CustomerID: "c1", Zone: "north", Building: "b7"}))
	require.NoError(t, svc.Ready(ctx, "o2"))
	_, err = svc.SetDuty(ctx, "r1", true)
	require.NoError(t, err)
	req := httptest.NewRequest("PUT", "/riders/r1", strings.NewReader(`{"zone":"east"}`))
	w := doc.Do(t, r, req)
	require.Equal(t, 409, w.Code, "a rider with an open job cannot change zone: %s", w.Body)

	// The events the service published on the way are valid by the event contract.
	events := apidoc.LoadSchema(t, "../../internal/event/schema/delivery.json")
	require.Len(t, mem.Events(), 5, "assigned, accepted, picked up, delivered of o1; assigned of o2")
	for _, e := range mem.Events() {
		assert.NoError(t, events.Validate(t, e), "%+v", e)
	}
}
