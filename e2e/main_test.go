// Package e2e tests Canteen end to end: real daprd sidecars, placement, scheduler and the backing
// store of $CANTEEN_PROFILE, with every request going through the Dapr API as a client's would.
package e2e

import (
	"os"
	"testing"

	"github.com/canteen/canteen/internal/harness"
)

var platform *harness.Platform

func TestMain(m *testing.M) {
	os.Exit(harness.Run(m, harness.Options{}, &platform))
}
