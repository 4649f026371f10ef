package harness

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// Run is a TestMain body: it starts the platform, stores it in *out, runs the tests, shows every
// process's log when something failed, and stops everything. Use: os.Exit(harness.Run(m, opts, &p)).
func Run(m *testing.M, opts Options, out **Platform) int {
	p, err := Start(context.Background(), opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness: start:", err)
		return 1
	}
	defer p.Stop()
	*out = p
	code := m.Run()
	if code != 0 {
		p.DumpLogs(os.Stderr)
	}
	return code
}
