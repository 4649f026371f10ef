// Package daprconn connects a service to its Dapr sidecar over gRPC without blocking: the sidecar
// may start after the app, or restart under it, and the connection simply reconnects, where the
// SDK's default client gives up after a few seconds and is a process-wide singleton.
package daprconn

import (
	"fmt"

	dapr "github.com/dapr/go-sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/canteen/canteen/services/internal/config"
)

// Dial returns a client of the sidecar whose gRPC port is $DAPR_GRPC_PORT (the variable daprd's
// launchers set), 50001 by default. The caller closes it last, at shutdown.
func Dial() (dapr.Client, error) {
	addr := "127.0.0.1:" + config.String("DAPR_GRPC_PORT", "50001")
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20)))
	if err != nil {
		return nil, fmt.Errorf("dapr sidecar at %s: %w", addr, err)
	}
	return dapr.NewClientWithConnection(conn), nil
}
