// Command paysim is a stand-in third-party payment provider (WeChat Pay / Alipay style) with its
// own REST API, fault switches and signed notifications, behind a Dapr sidecar.
package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/paysim/httpapi"
	"github.com/canteen/canteen/services/paysim/notify"
	"github.com/canteen/canteen/services/paysim/provider"
	"github.com/canteen/canteen/services/paysim/sidecar"
)

func main() { httpserver.Main("paysim", run) }

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8105")
	store := config.String("STATE_STORE", "statestore")
	secrets := config.String("SECRET_STORE", "paysecrets")
	delay := config.Duration("NOTIFY_DELAY", 100*time.Millisecond)
	backoff := config.Duration("NOTIFY_BACKOFF", time.Second)
	attempts := config.Int("NOTIFY_ATTEMPTS", 15)
	refresh := config.Duration("SIGNING_KEY_REFRESH", time.Minute)
	log.Info("starting", "app_port", port, "state_store", store, "secret_store", secrets, "notify_delay", delay.String(),
		"notify_backoff", backoff.String(), "notify_attempts", attempts, "signing_key_refresh", refresh.String())

	return httpserver.Run(ctx, log, "paysim", port, func(r *gin.Engine, dc dapr.Client) {
		keys := &sidecar.Keys{Client: dc, Store: secrets}
		go keys.Run(ctx, 500*time.Millisecond, refresh, log)
		n := notify.New(ctx, keys, notify.Config{Backoff: backoff, MaxBackoff: 30 * time.Second, Attempts: attempts, Timeout: 10 * time.Second}, log)
		svc := provider.NewService(&sidecar.Repository{Client: dc, StateStore: store}, n, provider.Options{NotifyDelay: delay, NewToken: rand.Text})
		httpapi.Register(r, svc, log)
	})
}
