// Command kitchen keeps each store's queue of paid orders in a Dapr actor (StoreQueue, one per
// store): it admits every paid order once with a pickup code, lets staff move tickets through
// the kitchen, estimates ready times, serves the store's POS, and announces every ticket change
// on the tickets topic, behind a Dapr sidecar.
package main

import (
	"context"
	"log/slog"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/actorhost"
	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/kitchen/httpapi"
	"github.com/canteen/canteen/services/kitchen/queue"
	"github.com/canteen/canteen/services/kitchen/sidecar"
)

func main() { httpserver.Main("kitchen", run) }

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8106")
	store := config.String("KITCHEN_STORE", "statestore")
	tick := config.Duration("TICK_INTERVAL", 30*time.Second)
	cfg := queue.Config{TicketTime: config.Duration("TICKET_TIME", 4*time.Minute), AcceptAlertAfter: config.Duration("ACCEPT_ALERT_AFTER", 5*time.Minute)}
	log.Info("starting", "app_port", port, "state_store", store, "tick_interval", tick.String(),
		"ticket_time", cfg.TicketTime.String(), "accept_alert_after", cfg.AcceptAlertAfter.String())

	return httpserver.Run(ctx, log, "kitchen", port, func(r *gin.Engine, dc dapr.Client) {
		repo := &sidecar.Repository{Client: dc, StateStore: store, TickEvery: tick.String()}
		svc := queue.NewService(repo, repo, repo, cfg, log, time.Now)
		queues := sidecar.NewQueues(dc)
		actorhost.Register(r, sidecar.NewStoreQueue(svc, log))
		httpapi.Register(r, queues, log)
		subscribe.Register(r, subscribe.Config{App: "kitchen", Log: log, Letters: &subscribe.StateLetters{Client: dc, StateStore: store}}, sidecar.OrdersRoute(queues))
	})
}
