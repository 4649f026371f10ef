// Command menu serves stores, dishes and the menus customers browse, behind a Dapr sidecar.
package main

import (
	"context"
	"log/slog"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/menu/catalog"
	"github.com/canteen/canteen/services/menu/httpapi"
	"github.com/canteen/canteen/services/menu/sidecar"
)

func main() { httpserver.Main("menu", run) }

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8101")
	store := config.String("STATE_STORE", "statestore")
	ttl := config.Duration("MENU_CACHE_TTL", 2*time.Second)
	log.Info("starting", "app_port", port, "state_store", store, "menu_cache_ttl", ttl.String())

	return httpserver.Run(ctx, log, "menu", port, func(r *gin.Engine, dc dapr.Client) {
		svc := catalog.NewService(&sidecar.Repository{Client: dc, StateStore: store}, uuid.NewString, ttl)
		httpapi.Register(r, svc, log)
		subscribe.Register(r, subscribe.Config{App: "menu", Log: log, Letters: &subscribe.StateLetters{Client: dc, StateStore: store}}, sidecar.StockRoute(svc), sidecar.StoresRoute(svc))
	})
}
