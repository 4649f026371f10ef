// Command loadgen drives Canteen through the Dapr API at a constant arrival rate and reports
// throughput, latency percentiles and outcomes next to baselines measured in the same run: raw
// Redis, and state save/get through one sidecar. It starts the platform itself (internal/harness), so a
// run is one command:
//
//	go run ./e2e/loadgen -scenario flashsale
//
// Scenarios: baseline, flashsale (plain single key against bucketed hot-dish stock), all.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

type options struct {
	scenario    string
	rate        float64
	baseRate    float64
	requests    int
	maxInFlight int
	stock       int
	buyers      int
	buckets     int
	eventRate   float64
	eventOrders int
}

func main() {
	var o options
	flag.StringVar(&o.scenario, "scenario", "all", "baseline | flashsale | events | all")
	flag.Float64Var(&o.rate, "rate", 4000, "offered load of the scenarios, requests per second")
	flag.Float64Var(&o.baseRate, "baseline-rate", 20000, "offered load of the baselines: above capacity, so that they measure it")
	flag.IntVar(&o.requests, "requests", 20000, "requests per baseline measurement")
	flag.IntVar(&o.maxInFlight, "max-in-flight", 256, "concurrent requests at most; arrivals beyond are counted late")
	flag.IntVar(&o.stock, "stock", 1000, "flash sale: units of the one dish")
	flag.IntVar(&o.buyers, "buyers", 20000, "flash sale: distinct buyers, one unit each")
	flag.IntVar(&o.buckets, "buckets", 16, "flash sale: buckets of the hot-dish strategy")
	flag.Float64Var(&o.eventRate, "event-rate", 500, "events: checkouts per second offered")
	flag.IntVar(&o.eventOrders, "event-orders", 5000, "events: checkouts in the run")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		slog.Error("loadgen failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	apps := []string{"menu"}
	switch o.scenario {
	case "baseline":
	case "flashsale":
		apps = append(apps, "inventory")
	default:
		apps = append(apps, "inventory", "order")
	}
	fmt.Fprintf(os.Stderr, "starting the platform (%v) ...\n", apps)
	p, err := harness.Start(ctx, harness.Options{Apps: apps})
	if err != nil {
		return err
	}
	defer p.Stop()

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.maxInFlight, MaxConnsPerHost: o.maxInFlight}}
	fmt.Printf("# loadgen %s, %s\n\nMachine: %d cores, %s/%s, Go %s. Load generator on the same machine. Profile: %s.\n\n",
		o.scenario, time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), p.Profile)

	fmt.Print("## Baselines\n\n")
	fmt.Print(redisBaseline(ctx))
	fmt.Print(ReportHeader)
	save := sidecarSave(ctx, client, p.App("menu"), o)
	save.Report(os.Stdout)
	sidecarGet(ctx, client, p.App("menu"), o).Report(os.Stdout)

	if o.scenario == "events" || o.scenario == "all" {
		fmt.Print("\n## Event latency\n\n")
		fmt.Printf("Checkouts offered at %.0f/s over 20 dishes with plenty of stock; a subscriber behind its own sidecar records when each order.created arrives, measured from the moment the order service wrote the order (the event's `at`).\n\n", o.eventRate)
		line, res, err := eventLatency(ctx, client, p, o)
		fmt.Print(ReportHeader)
		res.Report(os.Stdout)
		fmt.Println()
		fmt.Print(EventHeader + line)
		if err != nil {
			return err
		}
	}
	if o.scenario == "flashsale" || o.scenario == "all" {
		return flashSales(ctx, client, p, o, save)
	}
	return nil
}

func flashSales(ctx context.Context, client *http.Client, p *harness.Platform, o options, save Result) error {
	fmt.Print("\n## Flash sale\n\n")
	fmt.Printf("One dish, %d units, %d buyers of one unit each, offered at %.0f/s.\n\n", o.stock, o.buyers, o.rate)
	fmt.Print(ReportHeader)
	var audits []string
	for _, buckets := range []int{1, o.buckets} {
		r, audit, err := flashSale(ctx, client, p.App("inventory"), o, buckets)
		if err != nil {
			return err
		}
		r.Report(os.Stdout)
		audits = append(audits, fmt.Sprintf("- %s: %s; %.2f of the raw sidecar save rate", r.Name, audit, r.Throughput()/save.Throughput()))
	}
	fmt.Println()
	for _, a := range audits {
		fmt.Println(a)
	}
	return nil
}
