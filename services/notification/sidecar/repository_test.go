package sidecar_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/notification/feed/feedtest"
	"github.com/canteen/canteen/services/notification/sidecar"
)

var platform *harness.Platform

func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{Apps: []string{"notification"}}, &platform))
}

// The repository against a real daprd and the profile's real state store: create-only and ETag
// rules as the store enforces them, not as the fake does, and raw payloads kept byte for byte.
func TestSidecarRepositoryContract(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("notification").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	feedtest.RunRepositoryContract(t, &sidecar.Repository{Client: dc, StateStore: "statestore"})
}
