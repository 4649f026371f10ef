package httpserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/telemetry"
)

// Main is a service's whole main(): a JSON logger naming the service, a context that ends on
// SIGINT or SIGTERM, and exit status 1 when run fails.
func Main(service string, run func(ctx context.Context, log *slog.Logger) error) {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("service", service)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("exiting", "err", err)
		os.Exit(1)
	}
}

// Run is what every service does once configured: set up tracing, listen on 127.0.0.1:port
// before connecting to the sidecar (daprd waits for the app's port), connect to the sidecar, let
// routes add the service's routes, and serve until ctx ends. Then each of stop runs (work a
// service holds back to batch it), while the sidecar client is still open; it is closed last.
func Run(ctx context.Context, log *slog.Logger, service, port string, routes func(r *gin.Engine, dc dapr.Client), stop ...func(context.Context)) error {
	shutdownTracing, err := telemetry.Setup(ctx, service)
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
		ln.Close()
		return err
	}
	defer dc.Close()

	r := NewEngine(service, log)
	routes(r, dc)
	err = Serve(ctx, ln, r, log)
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, f := range stop {
		f(stopCtx)
	}
	return err
}
