package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/canteen/canteen/internal/harness"
)

// Ops counts what sidecars did, by kind, from the deltas of their Prometheus counters (daprd
// 1.18.2, checked against a real sidecar):
//   - state operations: dapr_component_state_count{operation=get|set|delete|bulk_get|bulk_delete|transaction|query}
//   - publishes: dapr_component_pubsub_egress_count, and dapr_component_pubsub_egress_bulk_count
//     (one bulk publish, however many events, is one operation)
//   - deliveries to subscribers: dapr_component_pubsub_ingress_count
//   - invocations an app made of another app: dapr_runtime_service_invocation_req_sent_total
//     (only calls that leave the sidecar count there: a client's call into the sidecar's own app
//     does not)
//   - actor calls an app made through its sidecar: dapr_grpc_io_server_completed_rpcs of
//     InvokeActor (the kitchen's admissions), counted with the invocations
//   - jobs API calls (schedule, get, delete a job): dapr_grpc_io_client_completed_rpcs of the
//     scheduler's ScheduleJob/GetJob/DeleteJob methods
//
// and, from /proc rather than the metrics, the CPU seconds the sidecar and its app process used
// (cpuMetric), so that a report says where a request's CPU goes as well as what it asked for.
type Ops struct {
	State    map[string]float64 // by operation
	Invoke   float64
	Publish  float64
	Delivery float64
	Jobs     float64
	// SidecarCPU and AppCPU are seconds of CPU.
	SidecarCPU, AppCPU float64
}

// cpuMetric is the series a scrape adds for a process's CPU seconds so far, labelled by process
// ("sidecar" or "app"); Delta treats it as the counter it is.
const cpuMetric = "canteen_process_cpu_seconds_total"

// OpsOf classifies the counter deltas of one sidecar.
func OpsOf(delta []Sample) Ops {
	o := Ops{State: map[string]float64{}}
	for _, s := range delta {
		l := s.Labels
		switch s.Name {
		case "dapr_component_state_count":
			o.State[l["operation"]] += s.Value
		case "dapr_component_pubsub_egress_count", "dapr_component_pubsub_egress_bulk_count":
			o.Publish += s.Value
		case "dapr_component_pubsub_ingress_count", "dapr_component_pubsub_ingress_bulk_event_count":
			o.Delivery += s.Value
		case cpuMetric:
			if l["process"] == "app" {
				o.AppCPU += s.Value
			} else {
				o.SidecarCPU += s.Value
			}
		case "dapr_runtime_service_invocation_req_sent_total":
			o.Invoke += s.Value
		case "dapr_grpc_io_server_completed_rpcs":
			if strings.HasSuffix(l["grpc_server_method"], "/InvokeActor") {
				o.Invoke += s.Value
			}
		case "dapr_grpc_io_client_completed_rpcs":
			if m := l["grpc_client_method"]; strings.Contains(m, "Scheduler/") && strings.Contains(m, "Job") {
				o.Jobs += s.Value
			}
		}
	}
	return o
}

// Add returns the sum of two counts.
func (o Ops) Add(p Ops) Ops {
	sum := Ops{State: map[string]float64{}, Invoke: o.Invoke + p.Invoke,
		Publish: o.Publish + p.Publish, Delivery: o.Delivery + p.Delivery, Jobs: o.Jobs + p.Jobs,
		SidecarCPU: o.SidecarCPU + p.SidecarCPU, AppCPU: o.AppCPU + p.AppCPU}
	for k, v := range o.State {
		sum.State[k] += v
	}
	for k, v := range p.State {
		sum.State[k] += v
	}
	return sum
}

// N is the sidecar operations the apps asked for: state operations, invocations of other apps,
// publishes and jobs calls (not the client's own call, nor deliveries, which are the sidecars'
// side of a publish).
func (o Ops) N() float64 {
	n := o.Invoke + o.Publish + o.Jobs
	for _, v := range o.State {
		n += v
	}
	return n
}

// StateKinds are the state operations in report order; others found are appended.
var StateKinds = []string{"get", "bulk_get", "set", "delete", "bulk_delete", "transaction", "query"}

// sidecars scrapes the metrics of a set of sidecars, and reads the CPU time of the other
// processes a request keeps busy.
type sidecars struct {
	c      *http.Client
	apps   []string
	urls   map[string]string
	cpu    map[string]map[string]func() (time.Duration, error) // by app, by process
	others map[string]func() (time.Duration, error)            // by name (scheduler, the store, ...)
}

// otherKey holds the other processes' CPU in a scrape, beside the apps.
const otherKey = "(other processes)"

func newSidecars(c *http.Client, apps []*harness.App, others map[string]func() (time.Duration, error)) (*sidecars, error) {
	s := &sidecars{c: c, urls: map[string]string{}, cpu: map[string]map[string]func() (time.Duration, error){}, others: others}
	for _, a := range apps {
		s.apps, s.urls[a.ID] = append(s.apps, a.ID), a.MetricsURL()
		s.cpu[a.ID] = map[string]func() (time.Duration, error){"sidecar": a.SidecarCPU, "app": a.AppCPU}
	}
	return s, nil
}

// scrape reads every sidecar's metrics; a sidecar that cannot be read is left out (its delta is
// then zero) and reported on stderr.
func (s *sidecars) scrape(ctx context.Context) map[string]Metrics {
	out := map[string]Metrics{}
	for _, app := range s.apps {
		a, err := call(ctx, s.c, http.MethodGet, s.urls[app], "", nil)
		if err == nil && a.Status != http.StatusOK {
			err = fmt.Errorf("status %d", a.Status)
		}
		var m Metrics
		if err == nil {
			m, err = ParseMetrics(string(a.Body))
		}
		if err != nil {
			fmt.Fprintf(progress, "  metrics of %s's sidecar: %v\n", app, err)
			continue
		}
		for proc, cpu := range s.cpu[app] {
			if d, err := cpu(); err == nil { // a process being restarted is left out, like a failed scrape
				sr := Series{Name: cpuMetric, Labels: map[string]string{"process": proc}}
				m[sr.key()] = Sample{Series: sr, Value: d.Seconds()}
			}
		}
		out[app] = m
	}
	m := Metrics{}
	for name, cpu := range s.others {
		if d, err := cpu(); err == nil {
			sr := Series{Name: cpuMetric, Labels: map[string]string{"process": name}}
			m[sr.key()] = Sample{Series: sr, Value: d.Seconds()}
		}
	}
	out[otherKey] = m
	return out
}

// othersBetween is the CPU seconds each other process used between two scrapes.
func (s *sidecars) othersBetween(before, after map[string]Metrics) map[string]float64 {
	out := map[string]float64{}
	for _, d := range Delta(before[otherKey], after[otherKey]) {
		if d.Name == cpuMetric {
			out[d.Labels["process"]] += d.Value
		}
	}
	return out
}

// processesNamed returns a reader of the CPU time of the processes whose command is comm (all of
// them, summed: a PostgreSQL server is many), found afresh at each read.
func processesNamed(comm string) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		dirs, err := os.ReadDir("/proc")
		if err != nil {
			return 0, err
		}
		var sum time.Duration
		for _, d := range dirs {
			pid, err := strconv.Atoi(d.Name())
			if err != nil {
				continue
			}
			if c, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err != nil || strings.TrimSpace(string(c)) != comm {
				continue
			}
			if t, err := harness.CPUOf(pid); err == nil {
				sum += t
			}
		}
		return sum, nil
	}
}

// opsBetween is what each sidecar did between two scrapes.
func (s *sidecars) opsBetween(before, after map[string]Metrics) map[string]Ops {
	out := map[string]Ops{}
	for _, app := range s.apps {
		out[app] = OpsOf(Delta(before[app], after[app]))
	}
	return out
}

// stateKinds lists the state operations present in any of the counts, in report order.
func stateKinds(all ...Ops) []string {
	kinds := slices.Clone(StateKinds)
	for _, o := range all {
		for k := range o.State {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	slices.Sort(kinds[len(StateKinds):])
	return kinds
}
