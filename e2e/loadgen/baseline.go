package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/internal/harness"
)

// Baselines are the limits the scenarios are read against, measured in the same run: the raw
// store, state save and get through one sidecar over HTTP and gRPC, a service invocation of a
// trivial handler through two sidecars (the caller asking its sidecar over HTTP, and over gRPC),
// one sidecar, and called directly, and a checkout's calls with no service behind them.
type Baselines struct {
	Redis         []string      // redis-benchmark's summary lines, or why there are none
	Capacity      []Capacity    // closed loop at -baseline-conns
	Unloaded      []Step        // the hops and the raw get at a light constant rate, for their added latency
	Warmup        time.Duration // of state saves before the first baseline, not counted
	unloadedNames []string
}

// Names of the baselines, used for the ratios.
const (
	baseSaveHTTP = "state save, HTTP"
	baseGetHTTP  = "state get, HTTP"
	baseSaveGRPC = "state save, gRPC"
	baseGetGRPC  = "state get, gRPC"
	baseHop2     = "invoke, two sidecars"
	baseHop2GRPC = "invoke, two sidecars, gRPC"
	baseHop1     = "invoke, one sidecar"
	baseDirect   = "handler called directly"
	baseCalls    = "a checkout's calls, no service"
)

// checkoutCallsN is how many sidecar operations checkoutCalls counts as a checkout's N does
// (the customer's call in is not one: N counts what the services ask of their sidecars).
const checkoutCallsN = 5

// checkoutCalls makes, back to back, the calls a checkout of two dishes makes, with nothing
// behind them: the customer's call in (one sidecar, to a trivial handler), the order's call to
// inventory (two sidecars), inventory's bulk read of its record and two buckets and its bulk write
// of them with their ETags, the order's bulk read of its record and two index keys and its bulk
// write of them. The state calls go over gRPC, as our apps make them, with values of about a
// checkout's size. Its rate is what a checkout could run at if the services cost nothing: the
// ceiling of the checkout's knee, apart from the services' own CPU and background work.
func checkoutCalls(g dapr.Client, hop1, hop2 func(context.Context, int) Outcome) func(context.Context, int) Outcome {
	const slots = 1000 // key sets, reused in turn: no two calls in flight share one
	pad := strings.Repeat("x", 300)
	rmw := func(ctx context.Context, slot, i int, names ...string) error {
		keys := make([]string, len(names))
		for j, n := range names {
			keys[j] = fmt.Sprintf("bench-checkout-%d-%s", slot, n)
		}
		read, err := g.GetBulkState(ctx, "statestore", keys, nil, int32(len(keys)))
		if err != nil {
			return err
		}
		items := make([]*dapr.SetStateItem, len(read))
		for j, r := range read {
			items[j] = &dapr.SetStateItem{Key: r.Key, Value: []byte(fmt.Sprintf(`{"n":%d,"pad":%q}`, i, pad)),
				Options: &dapr.StateOptions{Concurrency: dapr.StateConcurrencyFirstWrite, Consistency: dapr.StateConsistencyStrong}}
			if r.Etag != "" {
				items[j].Etag = &dapr.ETag{Value: r.Etag}
			}
		}
		return g.SaveBulkState(ctx, "statestore", items...)
	}
	return func(ctx context.Context, i int) Outcome {
		if out := hop1(ctx, i); out != "" {
			return out
		}
		if out := hop2(ctx, i); out != "" {
			return out
		}
		slot := i % slots
		if err := rmw(ctx, slot, i, "reservation", "bucket-a", "bucket-b"); err != nil {
			return grpcOutcome(err)
		}
		return grpcOutcome(rmw(ctx, slot, i, "order", "customer-index", "store-index"))
	}
}

// measureBaselines takes every baseline through the bench app's sidecar (and menu's, as the
// caller's sidecar of the two-sidecar hop).
func measureBaselines(ctx context.Context, c *http.Client, o options, bench *benchApp, caller *harness.App) (Baselines, error) {
	var b Baselines
	b.Redis = redisBaseline(ctx, o)
	run := func(name string, do func(ctx context.Context, i int) Outcome) Capacity {
		cp := ClosedLoop(ctx, name, o.baseConns, o.baseTime, progress, do)
		b.Capacity = append(b.Capacity, cp)
		return cp
	}
	const keys = 1000
	save := func(ctx context.Context, i int) Outcome {
		return send(ctx, c, http.MethodPost, bench.app.DaprURL("/v1.0/state/statestore"), fmt.Sprintf(`[{"key":"bench-%d","value":{"n":%d}}]`, i%keys, i), nil)
	}
	get := func(ctx context.Context, i int) Outcome {
		return send(ctx, c, http.MethodGet, bench.app.DaprURL(fmt.Sprintf("/v1.0/state/statestore/bench-%d", i%keys)), "", nil)
	}
	// The platform has only just started (its apps' first subscriptions, polls and collections):
	// a moment of the first baseline's own calls goes first, uncounted, so that the start does not
	// land in the baseline every ratio is read against.
	b.Warmup = o.baseTime / 2
	ClosedLoop(ctx, "warm-up", o.baseConns, b.Warmup, io.Discard, save)
	run(baseSaveHTTP, save)
	run(baseGetHTTP, get)

	dapr.SetLogger(log.New(progress, "  ", 0)) // the SDK logs to stdout, where the report goes
	g, err := dapr.NewClientWithAddressContext(ctx, net.JoinHostPort("127.0.0.1", fmt.Sprint(bench.app.GRPCPort)))
	if err != nil {
		return b, fmt.Errorf("gRPC client of the bench sidecar: %w", err)
	}
	defer g.Close()
	run(baseSaveGRPC, func(ctx context.Context, i int) Outcome {
		return grpcOutcome(g.SaveState(ctx, "statestore", fmt.Sprintf("bench-%d", i%keys), []byte(fmt.Sprintf(`{"n":%d}`, i)), nil))
	})
	run(baseGetGRPC, func(ctx context.Context, i int) Outcome {
		_, err := g.GetState(ctx, "statestore", fmt.Sprintf("bench-%d", i%keys), nil)
		return grpcOutcome(err)
	})

	hop2 := func(ctx context.Context, _ int) Outcome {
		return send(ctx, c, http.MethodGet, caller.DaprURL("/v1.0/invoke/bench/method/ping"), "", nil)
	}
	hop1 := func(ctx context.Context, _ int) Outcome {
		return send(ctx, c, http.MethodGet, bench.app.URL("ping"), "", nil)
	}
	direct := func(ctx context.Context, _ int) Outcome {
		return send(ctx, c, http.MethodGet, "http://"+bench.addr+"/ping", "", nil)
	}
	run(baseHop2, hop2)
	// The caller's app asking its sidecar over gRPC (the sidecar still calls the handler over HTTP,
	// as our apps serve HTTP): whether an app's invocations would pay for leaving HTTP.
	gc, err := dapr.NewClientWithAddressContext(ctx, net.JoinHostPort("127.0.0.1", fmt.Sprint(caller.GRPCPort)))
	if err != nil {
		return b, fmt.Errorf("gRPC client of the caller's sidecar: %w", err)
	}
	defer gc.Close()
	run(baseHop2GRPC, func(ctx context.Context, _ int) Outcome {
		_, err := gc.InvokeMethod(ctx, "bench", "ping", http.MethodGet)
		return grpcOutcome(err)
	})
	run(baseHop1, hop1)
	run(baseDirect, direct)
	run(baseCalls, checkoutCalls(g, hop1, hop2))

	// The same calls at a light constant rate: the latency a hop adds when nothing queues.
	for _, x := range []struct {
		name string
		do   func(context.Context, int) Outcome
	}{{baseGetHTTP, get}, {baseHop2, hop2}, {baseHop1, hop1}, {baseDirect, direct}} {
		r := Ramp{Name: "unloaded", Target: time.Hour, MaxInFlight: o.maxInFlight, Do: x.do}
		s := r.runStep(ctx, o.lightRate, 0, int(o.lightRate*o.baseTime.Seconds()), progress, x.name)
		b.Unloaded = append(b.Unloaded, s)
		b.unloadedNames = append(b.unloadedNames, x.name)
	}
	return b, nil
}

// grpcOutcome classifies a gRPC call's error.
func grpcOutcome(err error) Outcome {
	if err == nil {
		return ""
	}
	return "grpc-error"
}

// redisBaseline runs redis-benchmark against Redis on its default port, if it is there: SET, and
// a Lua stock decrement on one key (the physical limit of one hot key), -baseline-conns
// connections, no pipelining. On a profile without Redis it is whatever Redis is there, if any.
func redisBaseline(ctx context.Context, o options) []string {
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		return []string{"redis-benchmark is not installed (Debian package redis-tools): raw Redis not measured"}
	}
	if conn, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		return []string{"no Redis on 127.0.0.1:6379 (not part of this profile): raw Redis not measured"}
	} else {
		conn.Close()
	}
	run := func(args ...string) string {
		base := []string{"-h", "127.0.0.1", "-p", "6379", "-c", fmt.Sprint(o.baseConns), "-n", fmt.Sprint(o.redisRequests), "-q"}
		out, err := exec.CommandContext(ctx, "redis-benchmark", append(base, args...)...).CombinedOutput()
		if err != nil {
			return "failed: " + err.Error()
		}
		// The last line is "<command>: <n> requests per second, p50=<t> msec".
		lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(out), "\r", "\n")), "\n")
		last := strings.TrimSpace(lines[len(lines)-1])
		if i := strings.LastIndex(last, ": "); i >= 0 {
			last = last[i+2:]
		}
		return last
	}
	fmt.Fprintln(progress, "  baseline redis-benchmark SET and Lua decrement ...")
	return []string{
		"SET: " + run("-t", "set"),
		"Lua decrement of one key (EVAL of DECRBY): " + run("EVAL", "return redis.call('DECRBY', KEYS[1], 1)", "1", "canteen:bench:stock"),
	}
}

// unloaded returns the named light-rate measurement.
func (b Baselines) unloaded(name string) (Step, bool) {
	for i, n := range b.unloadedNames {
		if n == name {
			return b.Unloaded[i], true
		}
	}
	return Step{}, false
}

// capacityOf returns the named closed-loop baseline.
func (b Baselines) capacityOf(name string) Capacity {
	for _, c := range b.Capacity {
		if c.Name == name {
			return c
		}
	}
	return Capacity{Name: name}
}
