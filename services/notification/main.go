// Command notification streams order status to customers and store queues to staff over
// Server-Sent Events, from the orders and tickets topics, behind a Dapr sidecar.
package main

import (
	"context"
	"log/slog"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/notification/feed"
	"github.com/canteen/canteen/services/notification/httpapi"
	"github.com/canteen/canteen/services/notification/sidecar"
)

func main() { httpserver.Main("notification", run) }

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8107")
	store := config.String("NOTIFICATION_STORE", "statestore")
	cfg := httpapi.Config{Heartbeat: config.Duration("HEARTBEAT", 15*time.Second), Poll: config.Duration("POLL_INTERVAL", time.Second),
		Buffer: config.Int("STREAM_BUFFER", 64), Done: ctx.Done()}
	log.Info("starting", "app_port", port, "state_store", store, "heartbeat", cfg.Heartbeat.String(), "poll_interval", cfg.Poll.String(), "stream_buffer", cfg.Buffer)

	return httpserver.Run(ctx, log, "notification", port, func(r *gin.Engine, dc dapr.Client) {
		notify := feed.NewNotifier()
		svc := feed.NewService(&sidecar.Repository{Client: dc, StateStore: store}, notify)
		httpapi.Register(r, svc, notify, cfg, log)
		subscribe.Register(r, subscribe.Config{App: "notification", Log: log, Letters: &subscribe.StateLetters{Client: dc, StateStore: store}},
			sidecar.Routes(svc, log)...)
	})
}
