package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// readyTimeout bounds how long a start waits for a process to become healthy.
const readyTimeout = 90 * time.Second

// URL is the Dapr service-invocation URL of path on this app, through its own sidecar: the way a
// REST client reaches it.
func (a *App) URL(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d/v1.0/invoke/%s/method/%s", a.HTTPPort, a.ID, trimSlash(path))
}

// DaprURL is a Dapr API URL on this app's sidecar, e.g. DaprURL("/v1.0/state/statestore").
func (a *App) DaprURL(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s", a.HTTPPort, trimSlash(path))
}

// MetricsURL is the sidecar's Prometheus endpoint.
func (a *App) MetricsURL() string { return fmt.Sprintf("http://127.0.0.1:%d/metrics", a.metricsPort) }

// SidecarProfileURL is the sidecar's Go profile of the given kind (e.g. "profile?seconds=20"),
// or "" when the platform was started without Options.SidecarProfiles.
func (a *App) SidecarProfileURL(kind string) string {
	if !a.p.profiles || a.profilePort == 0 {
		return ""
	}
	return fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/%s", a.profilePort, kind)
}

// StartApp starts the app's binary and waits for its health endpoint.
func (a *App) StartApp(ctx context.Context) error {
	var err error
	a.app, err = startProc(a.name(), a.p.logPath(a.name()), a.env, a.p.Root, filepath.Join(a.p.dir, "bin", filepath.Base(filepath.Clean(a.spec.AppDirPath))))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	return waitHTTP(ctx, a.app, fmt.Sprintf("http://127.0.0.1:%d%s", a.AppPort, a.spec.AppHealthCheckPath))
}

// StartSidecar starts the app's daprd and waits until it reports healthy.
func (a *App) StartSidecar(ctx context.Context) error {
	p := a.p
	args := []string{
		filepath.Join(p.daprBin, "daprd"), "--app-id", a.ID, "--app-port", strconv.Itoa(a.AppPort), "--app-protocol", a.spec.AppProtocol,
		"--dapr-http-port", strconv.Itoa(a.HTTPPort), "--dapr-grpc-port", strconv.Itoa(a.GRPCPort),
		"--dapr-internal-grpc-port", strconv.Itoa(a.internalPort), "--metrics-port", strconv.Itoa(a.metricsPort),
		"--dapr-listen-addresses", "127.0.0.1",
		"--resources-path", filepath.Join(p.Root, "components", p.Profile), "--resources-path", filepath.Join(p.Root, "dapr", "resources"),
		"--config", filepath.Join(p.Root, a.spec.ConfigFilePath),
		"--placement-host-address", p.placementAddr, "--scheduler-host-address", p.schedulerAddr,
		"--enable-app-health-check", "--app-health-check-path", a.spec.AppHealthCheckPath, "--app-health-probe-interval", "1",
		"--log-level", a.spec.LogLevel,
	}
	if p.profiles && a.profilePort != 0 {
		args = append(args, "--enable-profiling", "--profile-port", strconv.Itoa(a.profilePort))
	}
	var err error
	a.sidecar, err = startProc(a.name()+"-daprd", p.logPath(a.name()+"-daprd"), nil, p.Root, args...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	return waitHTTP(ctx, a.sidecar, a.DaprURL("/v1.0/healthz"))
}

// KillSidecar kills the sidecar with SIGKILL, as a crash would.
func (a *App) KillSidecar() { a.sidecar.kill() }

// KillApp kills the app with SIGKILL, as a crash would.
func (a *App) KillApp() { a.app.kill() }

// SidecarCPU is the CPU time the running sidecar has used so far (user and system), from /proc.
func (a *App) SidecarCPU() (time.Duration, error) { return a.sidecar.cpu() }

// AppCPU is the CPU time the running app process has used so far (user and system), from /proc.
func (a *App) AppCPU() (time.Duration, error) { return a.app.cpu() }

// name tells the app's processes and logs apart from its other replicas'.
func (a *App) name() string {
	if a.replica == 0 {
		return a.ID
	}
	return fmt.Sprintf("%s-%d", a.ID, a.replica)
}

func trimSlash(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return s
}
