package sidecar_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/paysim/provider/providertest"
	"github.com/canteen/canteen/services/paysim/sidecar"
)

var platform *harness.Platform

func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{Apps: []string{"paysim"}}, &platform))
}

// The repository against a real daprd and the profile's real state store.
func TestSidecarRepositoryContract(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("paysim").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	providertest.RunRepositoryContract(t, &sidecar.Repository{Client: dc, StateStore: "statestore"})
}

// The profile's paysecrets component finds its file from daprd's working directory, and the key
// read through the Dapr secrets API is the one in the file.
func TestSigningKeyIsReadFromTheProfilesSecretStore(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("paysim").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	keys := &sidecar.Keys{Client: dc, Store: paysimapi.SecretStore}
	require.NoError(t, keys.Load(t.Context()))

	raw, err := os.ReadFile(filepath.Join(platform.Root, "components", platform.Profile, "secrets", "paysecrets.json"))
	require.NoError(t, err)
	var file map[string]string
	require.NoError(t, json.Unmarshal(raw, &file))
	id, key, ok := keys.Current()
	require.True(t, ok)
	assert.Equal(t, file[paysimapi.SecretKeyID], id)
	assert.Equal(t, file[paysimapi.KeySecret(id)], string(key))
	assert.GreaterOrEqual(t, len(key), 32, "a key of at least 128 bits of hex")
}
