package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

// profileTime is how much of a scenario the -pprof profiles cover, from its start (its set-up and
// first steps; the busiest steps of a long ramp come later).
const profileTime = 20 * time.Second

// profileApps starts a CPU profile of every app for the scenario name, written to dir as
// <name>-<app>.pprof, and returns what waits for them; with no dir it does nothing.
func profileApps(ctx context.Context, c *http.Client, apps []*harness.App, dir, name string) (wait func()) {
	if dir == "" {
		return func() {}
	}
	var wg sync.WaitGroup
	for _, a := range apps {
		wg.Go(func() {
			url := fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d", a.AppPort, int(profileTime.Seconds()))
			ctx, cancel := context.WithTimeout(ctx, profileTime+10*time.Second)
			defer cancel()
			ans, err := call(ctx, &http.Client{}, http.MethodGet, url, "", nil)
			if err == nil && ans.Status != http.StatusOK {
				err = fmt.Errorf("status %d", ans.Status)
			}
			path := filepath.Join(dir, name+"-"+a.ID+".pprof")
			if err == nil {
				err = os.WriteFile(path, ans.Body, 0o644)
			}
			if err != nil {
				fmt.Fprintf(progress, "  profile of %s during %s: %v\n", a.ID, name, err)
				return
			}
			fmt.Fprintf(progress, "  profile of %s during %s: %s\n", a.ID, name, path)
		})
	}
	return wg.Wait
}
