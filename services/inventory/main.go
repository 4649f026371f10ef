// Command inventory serves stock per store, dish and sale period, and reservations of it that
// never oversell, behind a Dapr sidecar.
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

	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/telemetry"
	"github.com/canteen/canteen/services/inventory/httpapi"
	"github.com/canteen/canteen/services/inventory/sidecar"
	"github.com/canteen/canteen/services/inventory/stock"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("service", "inventory")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("exiting", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8102")
	store := config.String("STATE_STORE", "statestore")
	soldOutFor := config.Duration("SOLD_OUT_MEMO", 100*time.Millisecond)
	log.Info("starting", "app_port", port, "state_store", store, "sold_out_memo", soldOutFor.String())

	shutdownTracing, err := telemetry.Setup(ctx, "inventory")
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

	repo := &sidecar.Repository{Client: dc, StateStore: store}
	svc := stock.NewService(repo, repo, log, soldOutFor)
	r := httpserver.NewEngine("inventory", log)
	httpapi.Register(r, svc, log)
	return httpserver.Serve(ctx, ln, r, log)
}
