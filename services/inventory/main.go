// Command inventory serves stock per store, dish and sale period, and reservations of it that
// never oversell, behind a Dapr sidecar.
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
	"github.com/canteen/canteen/services/inventory/httpapi"
	"github.com/canteen/canteen/services/inventory/sidecar"
	"github.com/canteen/canteen/services/inventory/stock"
)

func main() { httpserver.Main("inventory", run) }

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8102")
	store := config.String("STATE_STORE", "statestore")
	soldOutFor := config.Duration("SOLD_OUT_MEMO", 100*time.Millisecond)
	log.Info("starting", "app_port", port, "state_store", store, "sold_out_memo", soldOutFor.String())

	return httpserver.Run(ctx, log, "inventory", port, func(r *gin.Engine, dc dapr.Client) {
		repo := &sidecar.Repository{Client: dc, StateStore: store}
		svc := stock.NewService(repo, repo, log, soldOutFor)
		httpapi.Register(r, svc, log)
		subscribe.Register(r, subscribe.Config{App: "inventory", Log: log, Letters: &subscribe.StateLetters{Client: dc, StateStore: store}}, httpapi.OrdersRoute(svc))
	})
}
