// Command order serves checkout, the order state machine, payment timeouts and order queries,
// behind a Dapr sidecar.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/canteen/canteen/services/internal/config"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/httpserver"
	"github.com/canteen/canteen/services/internal/telemetry"
	"github.com/canteen/canteen/services/order/httpapi"
	"github.com/canteen/canteen/services/order/ordering"
	"github.com/canteen/canteen/services/order/sidecar"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("service", "order")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("exiting", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	port := config.String("APP_PORT", "8103")
	store := config.String("ORDER_STORE", "orderstore")
	timeout := config.Duration("ORDER_PAYMENT_TIMEOUT", 15*time.Minute)
	sidecarHTTP := "http://127.0.0.1:" + config.String("DAPR_HTTP_PORT", "3500")
	menuApp, invApp := config.String("MENU_APP_ID", "menu"), config.String("INVENTORY_APP_ID", "inventory")
	log.Info("starting", "app_port", port, "order_store", store, "payment_timeout", timeout.String(), "menu", menuApp, "inventory", invApp)

	shutdownTracing, err := telemetry.Setup(ctx, "order")
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

	peers := &sidecar.Peers{SidecarHTTP: sidecarHTTP, MenuApp: menuApp, InventoryApp: invApp, Client: &http.Client{Timeout: 10 * time.Second}}
	svc := ordering.NewService(&sidecar.Store{Client: dc, StateStore: store}, peers, peers, peers, timeout)
	r := httpserver.NewEngine("order", log)
	httpapi.Register(r, svc, log)
	return httpserver.Serve(ctx, ln, r, log)
}
