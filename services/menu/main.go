// Command menu serves stores, dishes and the menus customers browse, behind a Dapr sidecar.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/telemetry"
	"github.com/canteen/canteen/services/menu/catalog"
	"github.com/canteen/canteen/services/menu/httpapi"
	"github.com/canteen/canteen/services/menu/sidecar"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("service", "menu")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("exiting", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8101")
	store := config.String("STATE_STORE", "statestore")
	ttl := config.Duration("MENU_CACHE_TTL", 2*time.Second)
	log.Info("starting", "app_port", port, "state_store", store, "menu_cache_ttl", ttl.String())

	shutdownTracing, err := telemetry.Setup(ctx, "menu")
	if err != nil {
		return err
	}
	defer shutdownTracing(context.Background())

	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	dc, err := daprconn.Dial()
	if err != nil {
		return err
	}
	defer dc.Close()

	svc := catalog.NewService(&sidecar.Repository{Client: dc, StateStore: store}, uuid.NewString, ttl)
	r := httpserver.NewEngine("menu", log)
	httpapi.Register(r, svc, log)
	return httpserver.Serve(ctx, ln, r, log)
}
