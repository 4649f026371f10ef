package sidecar_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/payment/paying/paytest"
	"github.com/canteen/canteen/services/payment/sidecar"
)

var platform *harness.Platform

// The app's own reconciler would sweep the index and replace the report under the contract's
// feet: its job is set to fire only after the tests are over.
func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{Apps: []string{"payment"}, Env: map[string]map[string]string{"payment": {"RECONCILE_INTERVAL": "1h"}}}, &platform))
}

// The repository against a real daprd and the profile's real payment store: create-only and ETag
// rules as the store enforces them, not as the fake does.
func TestSidecarRepositoryContract(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("payment").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	paytest.RunRepositoryContract(t, &sidecar.Repository{Client: dc, StateStore: "paymentstore"})
}
