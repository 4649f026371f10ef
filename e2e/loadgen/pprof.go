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

// profileTime is how much of a scenario the -pprof profiles cover.
const profileTime = 20 * time.Second

// profileApps starts, after the given time, a CPU profile of every app and of its sidecar for the
// scenario name, written to dir as <name>-<app>.pprof and <name>-<app>-daprd.pprof, and returns
// what waits for them; with no dir it does nothing.
func profileApps(ctx context.Context, apps []*harness.App, dir string, after time.Duration, name string) (wait func()) {
	if dir == "" {
		return func() {}
	}
	kind := fmt.Sprintf("profile?seconds=%d", int(profileTime.Seconds()))
	targets := map[string]string{} // file name: profile URL
	for _, a := range apps {
		targets[name+"-"+a.ID+".pprof"] = fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/%s", a.AppPort, kind)
		if url := a.SidecarProfileURL(kind); url != "" {
			targets[name+"-"+a.ID+"-daprd.pprof"] = url
		}
	}
	var wg sync.WaitGroup
	for file, url := range targets {
		wg.Go(func() {
			select {
			case <-time.After(after):
			case <-ctx.Done():
				return
			}
			ctx, cancel := context.WithTimeout(ctx, profileTime+10*time.Second)
			defer cancel()
			ans, err := call(ctx, &http.Client{}, http.MethodGet, url, "", nil)
			if err == nil && ans.Status != http.StatusOK {
				err = fmt.Errorf("status %d", ans.Status)
			}
			path := filepath.Join(dir, file)
			if err == nil {
				err = os.WriteFile(path, ans.Body, 0o644)
			}
			if err != nil {
				fmt.Fprintf(progress, "  profile %s during %s: %v\n", file, name, err)
				return
			}
			fmt.Fprintf(progress, "  profile during %s: %s\n", name, path)
		})
	}
	return wg.Wait
}
