// Package actorhost is how a Canteen service hosts Dapr actors beside its gin routes, on the one
// listener httpserver opens: it serves GET /dapr/config (the actor types, which daprd asks for
// when the app starts) and the /actors/... callbacks daprd makes (method calls, reminders,
// timers, deactivation), dispatched to the go-sdk's actor runtime.
//
// Why not mount the SDK's own handlers (github.com/dapr/go-sdk/service/http): that package adds
// them to its router only inside Server.Start, which also listens on a second address, and in
// the same step claims /dapr/subscribe (subscribe serves ours) and /healthz (httpserver's). So
// the same five routes are served here, with the same answers, over the same runtime
// (runtime.GetActorRuntimeInstanceContext, which the SDK keeps process-wide: register each actor
// type once, from main).
//
// To host an actor: embed actor.ServerImplBaseCtx; give it methods (ctx, In) (Out, error) with
// business refusals in Out (an error reaches the caller as a bare 500, its message lost); keep
// its state through the service's own Dapr client, not the SDK's state manager, which keeps the
// changes of a failed call in its cache and saves them with the next one; implement
// ReminderCall for reminders (the SDK gives it no context and no error: log, and let the next
// firing retry). Then, in main: actorhost.Register(r, func() actor.ServerContext { ... }).
// See services/kitchen/sidecar/actor.go.
package actorhost

import (
	"net/http"
	"strings"

	"github.com/dapr/go-sdk/actor"
	actorerr "github.com/dapr/go-sdk/actor/error"
	"github.com/dapr/go-sdk/actor/runtime"
	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
)

// Register registers the actor types made by factories with the SDK's runtime and serves the
// actor routes on r.
func Register(r gin.IRouter, factories ...actor.FactoryContext) {
	rt := runtime.GetActorRuntimeInstanceContext()
	for _, f := range factories {
		rt.RegisterActorFactory(f)
	}
	r.GET("/dapr/config", func(c *gin.Context) {
		raw, err := rt.GetJSONSerializedConfig()
		if err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.Data(http.StatusOK, "application/json", raw)
	})
	// One wildcard route for methods, reminders and timers: daprd calls
	// /actors/<type>/<id>/method/<name>, .../method/remind/<name> and .../method/timer/<name>.
	r.PUT("/actors/:type/:id/method/*name", func(c *gin.Context) {
		typ, id := c.Param("type"), c.Param("id")
		body, err := c.GetRawData()
		if err != nil {
			apierr.Invalid(c, "", "unreadable body")
			return
		}
		name := strings.TrimPrefix(c.Param("name"), "/")
		var (
			out  []byte
			aerr actorerr.ActorErr
		)
		switch {
		case strings.HasPrefix(name, "remind/"):
			aerr = rt.InvokeReminder(c, typ, id, strings.TrimPrefix(name, "remind/"), body)
		case strings.HasPrefix(name, "timer/"):
			aerr = rt.InvokeTimer(c, typ, id, strings.TrimPrefix(name, "timer/"), body)
		default:
			out, aerr = rt.InvokeActorMethod(c, typ, id, name, body)
		}
		answer(c, aerr, out)
	})
	r.DELETE("/actors/:type/:id", func(c *gin.Context) {
		aerr := rt.Deactivate(c, c.Param("type"), c.Param("id"))
		if aerr == actorerr.ErrActorIDNotFound {
			aerr = actorerr.ErrActorTypeNotFound // both are 404, as in the SDK
		}
		answer(c, aerr, nil)
	})
}

// answer is the SDK handlers' answer: 404 for an unknown type, 500 for any other failure.
func answer(c *gin.Context, aerr actorerr.ActorErr, out []byte) {
	switch aerr {
	case actorerr.Success:
		c.Data(http.StatusOK, "application/json", out)
	case actorerr.ErrActorTypeNotFound:
		c.AbortWithStatus(http.StatusNotFound)
	default:
		c.AbortWithStatus(http.StatusInternalServerError)
	}
}
