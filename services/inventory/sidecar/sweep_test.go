package sidecar_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/inventory/sidecar"
	"github.com/canteen/canteen/services/inventory/stock/stocktest"
)

// The reconciler's index and state against a real daprd and the profile's real state store.
func TestSidecarSweepRepositoryContract(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("inventory").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	stocktest.RunSweepRepositoryContract(t, &sidecar.Repository{Client: dc, StateStore: "statestore"})
}
