package sidecar_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/internal/harness"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/kitchen/queue"
	"github.com/canteen/canteen/services/kitchen/queue/queuetest"
	"github.com/canteen/canteen/services/kitchen/sidecar"
)

var platform *harness.Platform

func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{Apps: []string{"kitchen"}}, &platform))
}

// The repository against a real daprd, the profile's actor state store (the queue, through the
// actor state API, which the running kitchen app's StoreQueue type makes available) and its
// plain state (the archive): what the stores keep and give back, not what the fake does.
func TestSidecarRepositoryContract(t *testing.T) {
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(platform.App("kitchen").GRPCPort))
	dc, err := daprconn.Dial()
	require.NoError(t, err)
	defer dc.Close()
	repo := &sidecar.Repository{Client: dc, StateStore: "statestore", TickEvery: "1h"}
	queuetest.RunRepositoryContract(t, activating{Repository: repo, queues: &sidecar.Queues{Client: dc}})
}

// activating saves a queue as the store's actor does, with the actor active: daprd refuses an
// actor state write for an actor it has not activated ("actor instance is missing"), and in the
// service only the actor's own turn saves. A read of the queue through the actor activates it.
type activating struct {
	*sidecar.Repository
	queues *sidecar.Queues
}

func (a activating) Save(ctx context.Context, q queue.Queue) error {
	if _, err := a.queues.View(ctx, q.StoreID); err != nil {
		return err
	}
	return a.Repository.Save(ctx, q)
}
