// Command order serves checkout, the order state machine, payment timeouts and order queries,
// behind a Dapr sidecar.
package main

import (
	"context"
	"log/slog"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/invoke"
	"github.com/canteen/canteen/services/internal/subscribe"
	"github.com/canteen/canteen/services/order/httpapi"
	"github.com/canteen/canteen/services/order/ordering"
	"github.com/canteen/canteen/services/order/sidecar"
)

func main() { httpserver.Main("order", run) }

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8103")
	store := config.String("ORDER_STORE", "orderstore")
	timeout := config.Duration("ORDER_PAYMENT_TIMEOUT", 15*time.Minute)
	sidecarHTTP := "http://127.0.0.1:" + config.String("DAPR_HTTP_PORT", "3500")
	menuApp, invApp := config.String("MENU_APP_ID", "menu"), config.String("INVENTORY_APP_ID", "inventory")
	priceTTL := config.Duration("PRICE_CACHE_TTL", time.Second)
	log.Info("starting", "app_port", port, "order_store", store, "payment_timeout", timeout.String(), "menu", menuApp, "inventory", invApp,
		"price_cache_ttl", priceTTL.String())

	var svc *ordering.Service
	return httpserver.Run(ctx, log, "order", port, func(r *gin.Engine, dc dapr.Client) {
		peers := &sidecar.Peers{Client: invoke.New(sidecarHTTP, invoke.SidecarClient(10*time.Second)), MenuApp: menuApp, InventoryApp: invApp}
		repo := &sidecar.Repository{Client: dc, StateStore: store}
		svc = ordering.NewService(ordering.Deps{Repository: repo, Publisher: repo, Menu: &sidecar.PriceCache{Menu: peers, TTL: priceTTL}, Inventory: peers, Scheduler: peers, Log: log,
			EventDelay: ordering.EventDelay}, timeout)
		httpapi.Register(r, svc, log)
		sidecar.RegisterCallbacks(r, svc, log)
		subscribe.Register(r, subscribe.Config{App: "order", Log: log, Letters: &subscribe.StateLetters{Client: dc, StateStore: store}}, sidecar.PaymentsRoute(svc), sidecar.TicketsRoute(svc), sidecar.DeliveriesRoute(svc))
	}, func(ctx context.Context) { svc.Flush(ctx) }) // a restart would publish them again
}
