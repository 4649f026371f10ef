// Package httpserver is how every Canteen service serves HTTP: a gin engine with panic recovery,
// tracing, JSON answers for unknown routes and a health endpoint, served until the context ends and
// then shut down gracefully so in-flight requests finish.
package httpserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux, served only with PPROF=1
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/config"
)

// NewEngine returns the engine a service adds its routes to. GET /healthz answers 200 once the
// service is serving; Dapr's app health check and the Tilt readiness probe use it.
func NewEngine(service string, log *slog.Logger) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(otelgin.Middleware(service), gin.CustomRecovery(func(c *gin.Context, err any) {
		log.Error("panic in handler", "path", c.FullPath(), "panic", err)
		apierr.Write(c, http.StatusInternalServerError, apierr.CodeInternal, "", "internal error")
	}))
	r.NoRoute(func(c *gin.Context) {
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, "", "no such endpoint: "+c.Request.Method+" "+c.Request.URL.Path)
	})
	r.NoMethod(func(c *gin.Context) {
		apierr.Write(c, http.StatusMethodNotAllowed, apierr.CodeInvalid, "", "method "+c.Request.Method+" is not allowed here")
	})
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	if config.String("PPROF", "") == "1" {
		// Go's profiles on the app's own port, for the load generator's -pprof; never set in
		// dapr.yaml or k8s/, where the route would be reachable through the sidecar.
		r.GET("/debug/pprof/*profile", gin.WrapH(http.DefaultServeMux))
	}
	return r
}

// Serve serves h on ln until ctx is cancelled, then gives in-flight requests up to 10 s to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
