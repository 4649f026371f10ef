package sidecar_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/kitchen/queue/queuetest"
	"github.com/canteen/canteen/services/kitchen/sidecar"
)

var platform *harness.Platform

func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{Apps: []string{"kitchen"}}, &platform))
}

// The repository against a real daprd and the profile's state store: what the store keeps and
// gives back (ETags included), not what the fake does.
func TestSidecarRepositoryContract(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("kitchen").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	queuetest.RunRepositoryContract(t, &sidecar.Repository{Client: dc, StateStore: "statestore", TickEvery: "1h"})
}
