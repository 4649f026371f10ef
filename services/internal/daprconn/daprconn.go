// Package daprconn connects a service to its Dapr sidecar over gRPC without blocking: the sidecar
// may start after the app, or restart under it, and the connection simply reconnects, where the
// SDK's default client gives up after a few seconds and is a process-wide singleton.
package daprconn

import (
	"fmt"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/canteen/canteen/services/internal/config"
)

// Dial returns a client of the sidecar whose gRPC port is $DAPR_GRPC_PORT (the variable daprd's
// launchers set), 50001 by default. The caller closes it last, at shutdown.
func Dial() (dapr.Client, error) {
	addr := "127.0.0.1:" + config.String("DAPR_GRPC_PORT", "50001")
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		// Reconnect to a (re)starting sidecar within a second, not after gRPC's default backoff
		// of up to two minutes: the app starts first, and its first jobs and events arrive as
		// soon as the sidecar is up (a restart with a backlog of due expiries timed out on it).
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
			MinConnectTimeout: 5 * time.Second,
		}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20)))
	if err != nil {
		return nil, fmt.Errorf("dapr sidecar at %s: %w", addr, err)
	}
	return dapr.NewClientWithConnection(conn), nil
}
