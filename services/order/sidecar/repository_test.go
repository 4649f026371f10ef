package sidecar_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/order/ordering/ordertest"
	"github.com/canteen/canteen/services/order/sidecar"
)

var platform *harness.Platform

func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{Apps: []string{"order"}}, &platform))
}

// The repository against a real daprd and the profile's real order store: create-only and
// ETag rules as the store enforces them, not as the fake does.
func TestSidecarRepositoryContract(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("order").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	ordertest.RunRepositoryContract(t, &sidecar.Repository{Client: dc, StateStore: "orderstore"})
}
