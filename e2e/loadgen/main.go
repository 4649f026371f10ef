// Command loadgen drives Canteen through the Dapr API, as a client would, at a constant arrival
// rate stepped up (x1.5 every few seconds) to find each scenario's knee: the highest step whose
// p99 stays within the scenario's target with at least 95% of the offered rate achieved. Beside
// it, in the same run, the baselines: raw Redis (redis-benchmark SET and a Lua decrement), state
// save and get through one sidecar over HTTP and gRPC, an invocation of a trivial handler
// through two sidecars, one, and called directly, and a checkout's calls with no service behind
// them (the ceiling of the checkout's ratio to the raw save). It starts the platform itself
// (internal/harness), counts what each request costs the sidecars (N) from their Prometheus
// counters, audits the invariants after each scenario, shows progress on stderr and writes a
// Markdown report for BENCHMARKS.md on stdout.
//
//	go run ./e2e/loadgen -profile local                 # every scenario, 3 to 5 minutes
//	go run ./e2e/loadgen -quick -scenario checkout      # about a minute, while developing
//	go run ./e2e/loadgen -scenario flashsale -flash-buckets 1   # the plain single-key stock
//	make bench                                          # every scenario on both profiles
//
// Scenarios, all through the public APIs only (services/*/openapi.yaml), so a reworked service
// is measured as it is, with nothing here to change unless its API changes:
//   - checkout: POST /orders through the order's sidecar, distinct customers, 1-3 dishes of one
//     of many stores with plenty of stock; a subscriber behind its own sidecar times each
//     order.created event.
//   - flashsale: the same checkout of one dish with 1,000 units by 20,000 distinct buyers.
//   - browse: GET /stores/{store}/menu through the menu's sidecar.
//   - lifecycle: checkout, the payment's creation, the payment at the provider (paysim); its
//     notification settles it and the saga pays the order (order.paid, timed from the checkout).
//   - admit-one, admit-fifty: paid orders published on the orders topic until their tickets are
//     announced on the tickets topic (the kitchen admits them into its StoreQueue actors, a
//     store's waiting orders in one call), all for one store, or spread over fifty stores.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

type options struct {
	profile   string
	scenarios []string
	quick     bool
	period    string

	step        time.Duration
	minRequests int
	factor      float64
	maxSteps    int
	stopAfter   int
	refine      int
	pprof       string
	pprofAfter  time.Duration
	maxInFlight int
	warmup      time.Duration
	timeout     time.Duration

	baseConns     int
	baseTime      time.Duration
	lightRate     float64
	redisRequests int

	stores, dishes, checkoutStock int
	checkoutStart                 float64
	checkoutP99, lifecycleP99     time.Duration

	flashStock, buyers, flashBuckets int
	flashStart                       float64
	flashP99                         time.Duration

	admitStart float64
	admitP99   time.Duration

	browseDishes int
	browseStart  float64
	browseP99    time.Duration
	browseFactor float64

	reconcile time.Duration
}

var allScenarios = []string{"checkout", "flashsale", "browse", "lifecycle", "admit-one", "admit-fifty"}

func main() {
	var o options
	var scen string
	flag.StringVar(&o.profile, "profile", os.Getenv("CANTEEN_PROFILE"), "component profile, a folder under components/ (default $CANTEEN_PROFILE, else local)")
	flag.StringVar(&scen, "scenario", "all", "all, or a comma-separated list of: "+strings.Join(allScenarios, ", ")+" (the baselines always run)")
	flag.BoolVar(&o.quick, "quick", false, "a short run for development: 1 s steps, 4 at most, small setups; figures are not for BENCHMARKS.md")
	flag.StringVar(&o.period, "period", time.Now().UTC().Format("2006-01-02")+".lunch", "sale period of every checkout")
	flag.DurationVar(&o.step, "step", 3*time.Second, "duration of each ramp step")
	flag.IntVar(&o.minRequests, "min-step-requests", 100, "a step at a low rate lasts until it sent this many, so that its p99 means something")
	flag.Float64Var(&o.factor, "factor", 1.5, "offered rate multiplier from one step to the next")
	flag.IntVar(&o.maxSteps, "max-steps", 12, "most steps of one ramp")
	flag.IntVar(&o.stopAfter, "stop-after", 2, "a ramp ends after this many steps in a row miss the target")
	flag.StringVar(&o.pprof, "pprof", "", "a folder: every app (PPROF=1) and sidecar (--enable-profiling) serves Go's profiles and "+profileTime.String()+" of each one's CPU profile, from -pprof-after into each scenario, is written there as <scenario>-<app>.pprof and <scenario>-<app>-daprd.pprof (for `go tool pprof`)")
	flag.DurationVar(&o.pprofAfter, "pprof-after", 15*time.Second, "with -pprof: how far into each scenario its profiles start (past its set-up and the ramp's first, light steps)")
	flag.IntVar(&o.refine, "refine", 2, "after a ramp, this many steps between its knee and the missed rate above it narrow the knee down")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "checkout and browse: unreported warm-up at the first step's rate")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "a request not answered within this is given up (counted as timeout; a checkout is repeated with its key after the ramp)")
	flag.IntVar(&o.maxInFlight, "max-in-flight", 256, "concurrent requests at most; an arrival beyond waits (counted late), and its wait counts in its latency")
	flag.IntVar(&o.baseConns, "baseline-conns", 32, "connections of the closed-loop baselines (PERFORMANCE.md's figures are at 32)")
	flag.DurationVar(&o.baseTime, "baseline-time", 2*time.Second, "duration of each baseline")
	flag.Float64Var(&o.lightRate, "light-rate", 200, "constant rate of the unloaded latency baselines, per second")
	flag.IntVar(&o.redisRequests, "redis-requests", 100000, "requests of each redis-benchmark run")
	flag.IntVar(&o.stores, "stores", 20, "checkout: stores")
	flag.IntVar(&o.dishes, "dishes", 10, "checkout: dishes per store")
	flag.IntVar(&o.checkoutStock, "checkout-stock", 1_000_000, "checkout: units of each dish")
	// 15, not 10: a step takes at least MinRequests, and at 10/s that step alone was 10 s of each
	// profile's checkout and lifecycle ramps, which make bench's ten minutes could no longer hold.
	flag.Float64Var(&o.checkoutStart, "checkout-start", 15, "checkout and lifecycle: first step's rate, per second")
	flag.DurationVar(&o.checkoutP99, "checkout-p99", 250*time.Millisecond, "checkout: p99 target of a sustained step")
	flag.DurationVar(&o.lifecycleP99, "lifecycle-p99", 750*time.Millisecond, "lifecycle: p99 target of a sustained step (the customer's three calls: checkout, payment, pay)")
	flag.IntVar(&o.flashStock, "flash-stock", 1000, "flash sale: units of the one dish")
	flag.IntVar(&o.buyers, "buyers", 20000, "flash sale: distinct buyers, one unit each")
	flag.IntVar(&o.flashBuckets, "flash-buckets", 16, "flash sale: buckets of the dish's stock (inventory's hot-dish split)")
	flag.Float64Var(&o.flashStart, "flash-start", 200, "flash sale: first step's rate, per second")
	flag.DurationVar(&o.flashP99, "flash-p99", 250*time.Millisecond, "flash sale: p99 target of a sustained step")
	flag.Float64Var(&o.admitStart, "admit-start", 50, "admit-one and admit-fifty: first step's rate, per second")
	flag.DurationVar(&o.admitP99, "admit-p99", 250*time.Millisecond, "admit-one and admit-fifty: p99 target of a sustained step")
	flag.IntVar(&o.browseDishes, "browse-dishes", 30, "browse: dishes on the store's menu")
	flag.Float64Var(&o.browseStart, "browse-start", 200, "browse: first step's rate, per second")
	flag.DurationVar(&o.browseP99, "browse-p99", 0, "browse: p99 target of a sustained step; 0 is -browse-factor x the raw sidecar get's p99")
	flag.Float64Var(&o.browseFactor, "browse-factor", 1.5, "browse: p99 target as a multiple of the raw get's p99 (PERFORMANCE.md: 1.5)")
	flag.DurationVar(&o.reconcile, "reconcile-interval", time.Hour, "RECONCILE_INTERVAL of inventory and payment: their sweeps cost by restocked item or open payment, not by request, so they are kept out of N (the bench loses no notification); 0 keeps dapr.yaml's")
	flag.Parse()
	if o.quick {
		quick(&o)
	}
	o.scenarios = strings.Split(scen, ",")
	if scen == "all" {
		o.scenarios = allScenarios
	}
	for _, s := range o.scenarios {
		if !slices.Contains(allScenarios, s) {
			fmt.Fprintf(os.Stderr, "unknown scenario %q: want all or some of %s\n", s, strings.Join(allScenarios, ", "))
			os.Exit(2)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Args[1:]); err != nil {
		slog.Error("loadgen failed", "err", err)
		os.Exit(1)
	}
}

// quick shrinks what was not set explicitly to a run of about a minute.
func quick(o *options) {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	def := func(name string, apply func()) {
		if !set[name] {
			apply()
		}
	}
	def("step", func() { o.step = time.Second })
	def("warmup", func() { o.warmup = time.Second })
	def("min-step-requests", func() { o.minRequests = 20 })
	def("max-steps", func() { o.maxSteps = 4 })
	def("baseline-time", func() { o.baseTime = time.Second })
	def("redis-requests", func() { o.redisRequests = 20000 })
	def("stores", func() { o.stores = 3 })
	def("dishes", func() { o.dishes = 5 })
	def("buyers", func() { o.buyers = 2000 })
	def("flash-stock", func() { o.flashStock = 100 })
	def("browse-dishes", func() { o.browseDishes = 10 })
}

func run(ctx context.Context, o options, args []string) error {
	loadBefore, began := loadAvg(), time.Now()
	env := map[string]map[string]string{}
	if o.reconcile > 0 {
		env["inventory"] = map[string]string{"RECONCILE_INTERVAL": o.reconcile.String()}
		env["payment"] = map[string]string{"RECONCILE_INTERVAL": o.reconcile.String()}
	}
	fmt.Fprintf(progress, "starting the platform (profile %q; waits while another platform holds the machine lock) ...\n", o.profile)
	// The provider notifies at once: the lifecycle measures the platform, not a provider's delay.
	env["paysim"] = map[string]string{"NOTIFY_DELAY": "0s"}
	appIDs := []string{"menu", "inventory", "order", "payment", "paysim", "kitchen"}
	if o.pprof != "" {
		if err := os.MkdirAll(o.pprof, 0o755); err != nil {
			return err
		}
		for _, id := range appIDs {
			if env[id] == nil {
				env[id] = map[string]string{}
			}
			env[id]["PPROF"] = "1"
		}
	}
	p, err := harness.Start(ctx, harness.Options{Apps: appIDs, Profile: o.profile, Env: env, SidecarProfiles: o.pprof != ""})
	if err != nil {
		return err
	}
	defer p.Stop()
	bench, err := startBenchApp(ctx, p)
	if err != nil {
		return err
	}
	defer bench.srv.Close()

	client := &http.Client{Timeout: o.timeout, Transport: &http.Transport{
		MaxIdleConns: 2 * o.maxInFlight, MaxIdleConnsPerHost: o.maxInFlight, MaxConnsPerHost: o.maxInFlight}}
	apps := []*harness.App{p.App("menu"), p.App("inventory"), p.App("order"), p.App("payment"), p.App("paysim"), p.App("kitchen")}
	sc, err := newSidecars(client, apps, map[string]func() (time.Duration, error){
		"scheduler": p.SchedulerCPU, "placement": p.PlacementCPU, "load generator": func() (time.Duration, error) { return harness.CPUOf(os.Getpid()) },
		"redis-server": processesNamed("redis-server"), "postgres": processesNamed("postgres"), "RabbitMQ (beam.smp)": processesNamed("beam.smp"),
	})
	if err != nil {
		return err
	}
	rep := &Report{
		Title:   fmt.Sprintf("Profile %s, %s", p.Profile, time.Now().UTC().Format("2006-01-02 15:04 UTC")),
		Command: "go run ./e2e/loadgen " + strings.Join(args, " "),
		Machine: []string{
			"Machine: " + machine() + "; load generator, sidecars, apps and stores all on it",
			"Code: " + commit(p.Root),
			"Load average (1 / 5 / 15 min) before the platform started: " + loadBefore,
		},
		Settings: fmt.Sprintf("steps of %s (at least %d requests), x%.2f each, at most %d, a ramp ends after %d missed in a row, then %d steps narrow its knee down (each at the geometric mean of the knee and the lowest missed rate above it, after a pause of %s to %s, until the machine's CPU is below %.0f%% busy); at most %d requests in flight, each given up after %s (-timeout); latency from each request's scheduled time; the reconcilers of inventory and payment every %s",
			o.step, o.minRequests, o.factor, o.maxSteps, o.stopAfter, o.refine, settleMin, settleMax, 100*calmBusy, o.maxInFlight, o.timeout, reconcileText(o.reconcile)),
		Usage: map[string]string{},
	}
	if o.quick {
		rep.Settings += "; -quick (development figures)"
	}

	platformUp := time.Since(began)
	t0, tb := readCPU(), time.Now()
	fmt.Fprintln(progress, "== baselines")
	b, err := measureBaselines(ctx, client, o, bench, p.App("menu"))
	if err != nil {
		return err
	}
	rep.Baselines = &b
	rep.Usage["baselines"] = usage(t0, readCPU(), loadAvg()) + fmt.Sprintf(", %s", time.Since(tb).Round(time.Second))

	k := catalog{c: client, menu: p.App("menu"), inv: p.App("inventory"), period: o.period, run: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff)}
	for _, name := range o.scenarios {
		t0, ts := readCPU(), time.Now()
		profiled := profileApps(ctx, apps, o.pprof, o.pprofAfter, name)
		var s *Scenario
		switch name {
		case "checkout":
			s, err = checkoutScenario(ctx, client, p, k, sc, bench, o)
		case "flashsale":
			s, err = flashSaleScenario(ctx, client, p, k, sc, o)
		case "browse":
			s, err = browseScenario(ctx, client, k, sc, o, b.capacityOf(baseGetHTTP).Latency.P99)
		case "lifecycle":
			s, err = lifecycleScenario(ctx, client, p, k, sc, bench, o)
		case "admit-one":
			s, err = admissionsScenario(ctx, client, p, k, sc, bench, o, name, 1)
		case "admit-fifty":
			s, err = admissionsScenario(ctx, client, p, k, sc, bench, o, name, 50)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rep.Usage[name] = usage(t0, readCPU(), loadAvg()) + fmt.Sprintf(", %s", time.Since(ts).Round(time.Second))
		profiled()
		rep.Scenarios = append(rep.Scenarios, s)
		for _, f := range s.Failed() {
			fmt.Fprintln(progress, "  AUDIT BROKEN:", f)
		}
	}
	rep.Ratios = ratios(b, rep.Scenarios)
	rep.Machine = append(rep.Machine, "Load average at the end: "+loadAvg(),
		fmt.Sprintf("Took %s, of which %s to get the platform up (including any wait for another engineer's platform to release the machine lock)",
			time.Since(began).Round(time.Second), platformUp.Round(time.Second)))
	rep.Write(os.Stdout)
	var failed []string
	for _, s := range rep.Scenarios {
		failed = append(failed, s.Failed()...)
	}
	if len(failed) > 0 {
		return errors.New("audit: " + strings.Join(failed, "; "))
	}
	return nil
}

func reconcileText(d time.Duration) string {
	if d == 0 {
		return "as in dapr.yaml"
	}
	return d.String() + " (-reconcile-interval)"
}
