// Command delivery dispatches paid delivery orders to the riders of their campus zone: a job per
// order, given to the least-loaded on-duty rider when the kitchen marks it ready, reassigned when
// the rider does not accept in time, and announced on the deliveries topic, behind a Dapr sidecar.
package main

import (
	"context"
	"log/slog"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/delivery/httpapi"
	"github.com/canteen/canteen/services/delivery/sidecar"
	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/invoke"
	"github.com/canteen/canteen/services/internal/subscribe"
)

func main() { httpserver.Main("delivery", run) }

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8108")
	store := config.String("DELIVERY_STORE", "statestore")
	daprHTTP := config.String("DAPR_HTTP_PORT", "3500")
	every := config.Duration("SWEEP_INTERVAL", 30*time.Second)
	cfg := dispatch.Config{AcceptWithin: config.Duration("ACCEPT_WITHIN", 2*time.Minute)}
	log.Info("starting", "app_port", port, "state_store", store, "sweep_interval", every.String(), "accept_within", cfg.AcceptWithin.String())

	jobs := invoke.New("http://127.0.0.1:"+daprHTTP, invoke.SidecarClient(10*time.Second))
	go jobs.KeepScheduling(ctx, log, sidecar.SweepJob, every)
	return httpserver.Run(ctx, log, "delivery", port, func(r *gin.Engine, dc dapr.Client) {
		repo := &sidecar.Repository{Client: dc, StateStore: store}
		svc := dispatch.NewService(dispatch.Deps{Repository: repo, Publisher: repo, Timers: &sidecar.Timers{Client: jobs}, Log: log}, cfg)
		httpapi.Register(r, svc, log)
		subscribe.Register(r, subscribe.Config{App: "delivery", Log: log, Letters: &subscribe.StateLetters{Client: dc, StateStore: store}},
			sidecar.OrdersRoute(svc), sidecar.TicketsRoute(svc))
		sidecar.RegisterCallbacks(r, svc, log)
	})
}
