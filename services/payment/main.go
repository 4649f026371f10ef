// Command payment takes the payment of orders at the payment provider (paysim), settles them from
// its signed notifications or by asking it, refunds orders that cannot be served, and announces
// every outcome on the payments topic, behind a Dapr sidecar.
package main

import (
	"context"
	"log/slog"
	"net/http"
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

	peers := &sidecar.Peers{Client: invoke.New("http://127.0.0.1:"+daprHTTP, &http.Client{Timeout: 10 * time.Second}),
		OrderApp: orderApp, PaysimApp: paysimApp, NotifyURL: notifyURL}
	go scheduleReconciler(ctx, log, peers, every)
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

// scheduleReconciler schedules the reconciler's recurring job, retrying until the sidecar (which
// starts after the app) takes it. Every replica does this at start; overwrite keeps one job.
func scheduleReconciler(ctx context.Context, log *slog.Logger, peers *sidecar.Peers, every time.Duration) {
	for pause := 100 * time.Millisecond; ; pause = min(2*pause, 5*time.Second) {
		err := peers.ScheduleEvery(ctx, sidecar.ReconcileJob, every)
		if err == nil {
			log.Info("payment reconciler scheduled", "job", sidecar.ReconcileJob, "every", every.String())
			return
		}
		if pause == 5*time.Second {
			log.Warn("payment reconciler not scheduled yet; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
	}
}
