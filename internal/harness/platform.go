package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Options says what to run. The zero value runs every app in dapr.yaml on $CANTEEN_PROFILE.
type Options struct {
	Apps    []string                     // app ids to start; empty means all of dapr.yaml
	Profile string                       // folder under components/; default $CANTEEN_PROFILE or "local"
	Env     map[string]map[string]string // extra environment per app id
	// SidecarProfiles has every sidecar serve Go's profiles (daprd --enable-profiling), for the
	// load generator's -pprof: where a sidecar's CPU goes is half of a checkout's.
	SidecarProfiles bool
}

// Platform is a running Canteen: backing store, placement, scheduler and apps with sidecars.
type Platform struct {
	Root, Profile string
	dir           string
	daprBin       string
	backing       *proc
	placement     *proc
	scheduler     *proc
	placementAddr string
	schedulerAddr string
	cpPorts       []int                        // placement's and scheduler's, kept for Restart
	env           map[string]map[string]string // Options.Env, for replicas
	profiles      bool                         // Options.SidecarProfiles
	apps          map[string]*App
	order         []*App
	lock          *os.File
}

// App is one app and its sidecar.
type App struct {
	ID                          string
	AppPort, HTTPPort, GRPCPort int
	internalPort, metricsPort   int
	profilePort                 int // the sidecar's Go profiles, with Options.SidecarProfiles
	spec                        AppSpec
	replica                     int // 0 for the first instance, then 1, 2... (Replica)
	env                         []string
	p                           *Platform
	app, sidecar                *proc
}

// Start brings the platform up and waits until every sidecar and app is healthy. On error,
// everything already started is stopped again.
func Start(ctx context.Context, opts Options) (_ *Platform, err error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	topo, err := LoadTopology(root)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "canteen-harness-")
	if err != nil {
		return nil, err
	}
	home, _ := os.UserHomeDir()
	p := &Platform{
		Root: root, Profile: opts.Profile, dir: dir, apps: map[string]*App{},
		daprBin: envOr("DAPR_BIN_DIR", filepath.Join(home, ".dapr", "bin")),
	}
	if p.Profile == "" {
		p.Profile = envOr("CANTEEN_PROFILE", "local")
	}
	defer func() {
		if err != nil {
			p.DumpLogs(os.Stderr)
			p.Stop()
		}
	}()
	// One platform per machine at a time: platforms share the backing servers' consumer groups and
	// queues, and apps find each other by name over mDNS, so two at once would take each other's
	// events and calls.
	if p.lock, err = lockMachine(); err != nil {
		return p, err
	}
	if err := p.startControlPlane(ctx); err != nil {
		return p, err
	}
	ids := opts.Apps
	if len(ids) == 0 {
		for _, a := range topo.Apps {
			ids = append(ids, a.AppID)
		}
	}
	if err := p.build(ctx, topo, ids); err != nil {
		return p, err
	}
	p.env, p.profiles = opts.Env, opts.SidecarProfiles
	for _, id := range ids {
		spec, _ := topo.App(id)
		a, err := p.newApp(spec, 0)
		if err != nil {
			return p, err
		}
		p.apps[id] = a
		if err := a.start(ctx); err != nil {
			return p, err
		}
	}
	return p, nil
}

// Replica starts one more instance of a running app, with its own ports and sidecar under the
// same app id, as a second pod would be: it shares the app's actors (placement spreads them),
// its subscriptions' deliveries and its invocations. Stop stops it with the rest.
func (p *Platform) Replica(ctx context.Context, id string) (*App, error) {
	first := p.App(id)
	n := 1
	for _, a := range p.order {
		if a.ID == id {
			n = max(n, a.replica+1)
		}
	}
	a, err := p.newApp(first.spec, n)
	if err != nil {
		return nil, err
	}
	return a, a.start(ctx)
}

// newApp gives an instance of the app spec its ports and environment, and puts it in the
// platform's order of processes.
func (p *Platform) newApp(spec AppSpec, replica int) (*App, error) {
	ports, err := freePorts(6)
	if err != nil {
		return nil, err
	}
	id := spec.AppID
	a := &App{ID: id, AppPort: ports[0], HTTPPort: ports[1], GRPCPort: ports[2], internalPort: ports[3], metricsPort: ports[4], profilePort: ports[5], spec: spec, replica: replica, p: p}
	a.env = []string{"APP_ID=" + id, "APP_PORT=" + strconv.Itoa(a.AppPort), "DAPR_HTTP_PORT=" + strconv.Itoa(a.HTTPPort), "DAPR_GRPC_PORT=" + strconv.Itoa(a.GRPCPort)}
	for k, v := range spec.Env {
		a.env = append(a.env, k+"="+v)
	}
	for k, v := range p.env[id] {
		a.env = append(a.env, k+"="+v)
	}
	p.order = append(p.order, a)
	return a, nil
}

// start starts the instance's app, then its sidecar.
func (a *App) start(ctx context.Context) error {
	if err := a.StartApp(ctx); err != nil {
		return err
	}
	return a.StartSidecar(ctx)
}

func (p *Platform) startControlPlane(ctx context.Context) error {
	for _, b := range []string{"daprd", "placement", "scheduler"} {
		if _, err := os.Stat(filepath.Join(p.daprBin, b)); err != nil {
			return fmt.Errorf("%s is not in %s: run scripts/setup-dapr.sh (make setup)", b, p.daprBin)
		}
	}
	var err error
	// Every platform starts with empty topics and no Canteen state (scripts/backing.sh, fresh).
	p.backing, err = startProc("backing", p.logPath("backing"), []string{"CANTEEN_FRESH=1"}, p.Root, "bash", "scripts/backing.sh", "serve", p.Profile)
	if err != nil {
		return err
	}
	if p.cpPorts, err = freePorts(9); err != nil {
		return err
	}
	p.placementAddr = fmt.Sprintf("localhost:%d", p.cpPorts[0])
	p.schedulerAddr = fmt.Sprintf("localhost:%d", p.cpPorts[3])
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := p.backing.waitLog(wctx, "backing services ready"); err != nil {
		return err
	}
	return p.startPlacementAndScheduler(wctx)
}

// SchedulerCPU and PlacementCPU are the CPU time the platform's scheduler and placement have
// used so far, from /proc.
func (p *Platform) SchedulerCPU() (time.Duration, error) { return p.scheduler.cpu() }
func (p *Platform) PlacementCPU() (time.Duration, error) { return p.placement.cpu() }

// startPlacementAndScheduler starts (or starts again, on the same ports and the same scheduler
// data, as a restarted machine would) placement and scheduler, and waits for them.
func (p *Platform) startPlacementAndScheduler(ctx context.Context) error {
	ports := p.cpPorts
	var err error
	p.placement, err = startProc("placement", p.logPath("placement"), nil, p.dir, filepath.Join(p.daprBin, "placement"),
		"--port", strconv.Itoa(ports[0]), "--healthz-port", strconv.Itoa(ports[1]), "--metrics-port", strconv.Itoa(ports[2]),
		"--initial-cluster", fmt.Sprintf("dapr-placement-0=127.0.0.1:%d", ports[8]))
	if err != nil {
		return err
	}
	p.scheduler, err = startProc("scheduler", p.logPath("scheduler"), nil, p.dir, filepath.Join(p.daprBin, "scheduler"),
		"--port", strconv.Itoa(ports[3]), "--healthz-port", strconv.Itoa(ports[4]), "--metrics-port", strconv.Itoa(ports[5]),
		"--etcd-data-dir", filepath.Join(p.dir, "scheduler-etcd"), "--etcd-client-port", strconv.Itoa(ports[6]),
		"--etcd-initial-cluster", fmt.Sprintf("dapr-scheduler-server-0=http://localhost:%d", ports[7]),
		"--override-broadcast-host-port", p.schedulerAddr)
	if err != nil {
		return err
	}
	if err := waitHTTP(ctx, p.placement, fmt.Sprintf("http://127.0.0.1:%d/healthz", ports[1])); err != nil {
		return err
	}
	return waitHTTP(ctx, p.scheduler, fmt.Sprintf("http://127.0.0.1:%d/healthz", ports[4]))
}

// StopAllButStores stops every app, sidecar, placement and scheduler, as the end of a `make run`
// does, and leaves the backing stores and the scheduler's data: Restart starts them all again.
func (p *Platform) StopAllButStores() {
	for i := len(p.order) - 1; i >= 0; i-- {
		p.order[i].sidecar.stop(10 * time.Second)
		p.order[i].app.stop(10 * time.Second)
	}
	p.scheduler.stop(10 * time.Second)
	p.placement.stop(10 * time.Second)
}

// Restart starts again what StopAllButStores stopped, on the same ports, and waits for health.
func (p *Platform) Restart(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := p.startPlacementAndScheduler(wctx); err != nil {
		return err
	}
	for _, a := range p.order {
		if err := a.start(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Attach starts a sidecar for an app the caller serves itself on appPort (a probe in a test or
// a benchmark that subscribes like a service would), with the settings dapr.yaml gives every app.
func (p *Platform) Attach(ctx context.Context, id string, appPort int) (*App, error) {
	topo, err := LoadTopology(p.Root)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	c := topo.Common
	spec := AppSpec{AppID: id, AppProtocol: c.AppProtocol, AppHealthCheckPath: c.AppHealthCheckPath, ConfigFilePath: c.ConfigFilePath, LogLevel: c.LogLevel}
	a := &App{ID: id, AppPort: appPort, HTTPPort: ports[0], GRPCPort: ports[1], internalPort: ports[2], metricsPort: ports[3], spec: spec, p: p}
	p.apps[id], p.order = a, append(p.order, a)
	return a, a.StartSidecar(ctx)
}

// build compiles the apps once into the platform's folder (the Go build cache makes it quick).
func (p *Platform) build(ctx context.Context, topo Topology, ids []string) error {
	args := []string{"build", "-o", filepath.Join(p.dir, "bin") + "/"}
	for _, id := range ids {
		spec, ok := topo.App(id)
		if !ok {
			return fmt.Errorf("app %q is not in dapr.yaml", id)
		}
		args = append(args, "./"+filepath.Clean(spec.AppDirPath))
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = p.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %v: %w\n%s", args, err, out)
	}
	return nil
}

// App returns the running app id; it panics on an id that was not started, a bug in the test.
func (p *Platform) App(id string) *App {
	a, ok := p.apps[id]
	if !ok {
		panic("harness: app " + id + " was not started")
	}
	return a
}

// Stop ends every process the platform started, apps first, and removes its folder.
func (p *Platform) Stop() {
	for i := len(p.order) - 1; i >= 0; i-- {
		p.order[i].sidecar.stop(10 * time.Second)
		p.order[i].app.stop(10 * time.Second)
	}
	p.scheduler.stop(10 * time.Second)
	p.placement.stop(10 * time.Second)
	p.backing.stop(10 * time.Second)
	if os.Getenv("CANTEEN_KEEP_LOGS") == "" {
		os.RemoveAll(p.dir)
	}
	if p.lock != nil {
		p.lock.Close() // releases the machine lock
	}
}

// lockMachine waits for, and takes, the machine-wide harness lock; it is released when the file
// is closed or the process dies.
func lockMachine() (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "canteen-harness.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		fmt.Fprintln(os.Stderr, "harness: waiting for another Canteen test platform on this machine to stop")
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("harness lock: %w", err)
		}
	}
	return f, nil
}

// DumpLogs writes the end of every process's log to w, to read when a test failed.
func (p *Platform) DumpLogs(w io.Writer) {
	procs := []*proc{p.backing, p.placement, p.scheduler}
	for _, a := range p.order {
		procs = append(procs, a.app, a.sidecar)
	}
	for _, pr := range procs {
		if pr != nil {
			fmt.Fprintf(w, "\n===== %s (last 40 lines of %s) =====\n%s\n", pr.name, pr.log, pr.tail(40))
		}
	}
}

func (p *Platform) logPath(name string) string { return filepath.Join(p.dir, name+".log") }

func waitHTTP(ctx context.Context, pr *proc, url string) error {
	return poll(ctx, pr, func() bool {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode < 300
	})
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
