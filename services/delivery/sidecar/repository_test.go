package sidecar_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
	"github.com/canteen/canteen/services/delivery/dispatch/dispatchtest"
	"github.com/canteen/canteen/services/delivery/sidecar"
	"github.com/canteen/canteen/services/internal/daprconn"
)

var platform *harness.Platform

// The app's own sweep reads the zone list and rosters the contract writes; its job is set to fire
// only after the tests are over, so the contract sees only its own writes.
func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{Apps: []string{"delivery"}, Env: map[string]map[string]string{"delivery": {"SWEEP_INTERVAL": "1h"}}}, &platform))
}

// The repository against a real daprd and the profile's real state store: create-only and ETag
// rules as the store enforces them, not as the fake does.
func TestSidecarRepositoryContract(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("delivery").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	dispatchtest.RunRepositoryContract(t, &sidecar.Repository{Client: dc, StateStore: "statestore"})
}
