// Command payment takes the payment of orders at the payment provider (paysim), settles them from
// its signed notifications or by asking it, refunds orders that cannot be served, and announces
// every outcome on the payments topic, behind a Dapr sidecar.
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
	"github.com/canteen/canteen/services/payment/httpapi"
	"github.com/canteen/canteen/services/payment/paying"
	"github.com/canteen/canteen/services/payment/sidecar"
)

func main() { httpserver.Main("payment", run) }

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8104")
	store := config.String("PAYMENT_STORE", "paymentstore")
	secrets := config.String("PAYMENT_SECRETS", "paysecrets")
	daprHTTP := config.String("DAPR_HTTP_PORT", "3500")
	orderApp, paysimApp := config.String("ORDER_APP_ID", "order"), config.String("PAYSIM_APP_ID", "paysim")
	// The provider calls the merchant back through the merchant's own sidecar, locally.
	notifyURL := config.String("NOTIFY_URL", "http://127.0.0.1:"+daprHTTP+"/v1.0/invoke/payment/method/notifications")
	every := config.Duration("RECONCILE_INTERVAL", 30*time.Second)
	cfg := paying.Config{PendingAfter: config.Duration("PENDING_AFTER", 30*time.Second), AbandonAfter: config.Duration("ABANDON_AFTER", time.Hour)}
	log.Info("starting", "app_port", port, "payment_store", store, "secret_store", secrets, "order", orderApp, "paysim", paysimApp,
		"notify_url", notifyURL, "reconcile_interval", every.String(), "pending_after", cfg.PendingAfter.String(), "abandon_after", cfg.AbandonAfter.String())

	peers := &sidecar.Peers{Client: invoke.New("http://127.0.0.1:"+daprHTTP, invoke.SidecarClient(10*time.Second)),
		OrderApp: orderApp, PaysimApp: paysimApp, NotifyURL: notifyURL}
	go peers.Client.KeepScheduling(ctx, log, sidecar.ReconcileJob, every)
	return httpserver.Run(ctx, log, "payment", port, func(r *gin.Engine, dc dapr.Client) {
		repo := &sidecar.Repository{Client: dc, StateStore: store}
		svc := paying.NewService(paying.Deps{Repository: repo, Index: repo, Publisher: repo, Orders: peers, Provider: peers, Log: log}, cfg)
		httpapi.Register(r, svc, &sidecar.Keys{Client: dc, Store: secrets}, log)
		subscribe.Register(r, subscribe.Config{App: "payment", Log: log, Letters: &subscribe.StateLetters{Client: dc, StateStore: store}}, sidecar.OrdersRoute(svc))
		rec := paying.NewReconciler(svc, repo, log)
		httpapi.RegisterOps(r, rec, log)
		sidecar.RegisterCallbacks(r, rec, log)
	})
}
