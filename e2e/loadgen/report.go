package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is everything one run measured, written as Markdown that BENCHMARKS.md can take as is.
type Report struct {
	Title     string
	Machine   []string // lines about the machine, the code and the load on it
	Command   string
	Settings  string
	Baselines *Baselines
	Scenarios []*Scenario
	Usage     map[string]string // machine CPU use during each part, by name
	Ratios    [][3]string       // ratio, value, target
}

func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "## %s\n\n", r.Title)
	for _, l := range r.Machine {
		fmt.Fprintf(w, "- %s\n", l)
	}
	fmt.Fprintf(w, "- Command: `%s`\n- Settings: %s\n\n", r.Command, r.Settings)
	if b := r.Baselines; b != nil {
		r.writeBaselines(w, b)
	}
	for _, s := range r.Scenarios {
		r.writeScenario(w, s)
	}
	if len(r.Ratios) > 0 {
		fmt.Fprint(w, "### Against the targets (ratios to this run's baselines)\n\n| ratio | this run | target |\n|---|---|---|\n")
		for _, x := range r.Ratios {
			fmt.Fprintf(w, "| %s | %s | %s |\n", x[0], x[1], x[2])
		}
		fmt.Fprintln(w)
	}
	var failed []string
	for _, s := range r.Scenarios {
		failed = append(failed, s.Failed()...)
	}
	if len(failed) == 0 {
		fmt.Fprint(w, "Audit: every invariant held.\n")
	} else {
		fmt.Fprintf(w, "Audit: **%d invariant(s) broken**:\n", len(failed))
		for _, f := range failed {
			fmt.Fprintf(w, "- %s\n", f)
		}
	}
}

func (r *Report) writeBaselines(w io.Writer, b *Baselines) {
	fmt.Fprint(w, "### Baselines\n\n")
	if u := r.Usage["baselines"]; u != "" {
		fmt.Fprintf(w, "Machine during the baselines (their duration last): %s.\n\n", u)
	}
	fmt.Fprintf(w, "Raw Redis (redis-benchmark, %d connections, no pipelining):\n", firstConns(b))
	for _, l := range b.Redis {
		fmt.Fprintf(w, "- %s\n", l)
	}
	fmt.Fprintf(w, "\nClosed loop, %d connections each, back to back (the most the target answers at that concurrency), after %s of state saves not counted:\n\n", firstConns(b), b.Warmup)
	fmt.Fprint(w, "| baseline | requests | rate | p50 | p95 | p99 | max | errors |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range b.Capacity {
		fmt.Fprintf(w, "| %s | %d | %.0f/s | %s | %s | %s | %s | %s |\n", c.Name, c.Requests, c.Rate,
			ms(c.Latency.P50), ms(c.Latency.P95), ms(c.Latency.P99), ms(c.Latency.Max), kinds(c.Errors))
	}
	if len(b.Unloaded) > 0 {
		fmt.Fprintf(w, "\nThe same calls at %.0f/s, constant arrival rate (what a hop adds when nothing queues):\n\n", b.Unloaded[0].Offered)
		fmt.Fprint(w, "| call | requests | p50 | p95 | p99 | max | errors |\n|---|---|---|---|---|---|---|\n")
		for i, s := range b.Unloaded {
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s |\n", b.unloadedNames[i], s.Sent,
				ms(s.Latency.P50), ms(s.Latency.P95), ms(s.Latency.P99), ms(s.Latency.Max), kinds(s.Errors))
		}
	}
	fmt.Fprintln(w)
}

func firstConns(b *Baselines) int {
	if len(b.Capacity) == 0 {
		return 0
	}
	return b.Capacity[0].Conns
}

func (r *Report) writeScenario(w io.Writer, s *Scenario) {
	fmt.Fprintf(w, "### %s\n\n%s. Target: p99 <= %s with achieved >= %.0f%% of offered.", s.Name, s.About, ms(s.Target), MinAchieved*100)
	if u := r.Usage[s.Name]; u != "" {
		fmt.Fprintf(w, " Machine during the scenario (set-up, ramp and audit; its duration last): %s.", u)
	}
	fmt.Fprint(w, "\n\n")
	head := "| step | offered | sent | achieved | p50 | p95 | p99 | max | late | errors | N | machine CPU |"
	sep := "|---|---|---|---|---|---|---|---|---|---|---|---|"
	if s.StepNoteHeader != "" {
		head, sep = head+" "+s.StepNoteHeader+" |", sep+"---|"
	}
	fmt.Fprintf(w, "%s\n%s\n", head, sep)
	knee := Knee(s.Steps)
	for i, st := range s.Steps {
		label := fmt.Sprint(i + 1)
		if st.Rest {
			label = "rest"
		}
		if i == knee {
			label += " (knee)"
		} else if !st.Pass && !st.Rest {
			label += " (missed)"
		}
		fmt.Fprintf(w, "| %s | %.0f/s | %d | %.0f/s | %s | %s | %s | %s | %d | %s | %s | %.0f%% |", label, st.Offered, st.Sent, st.Achieved,
			ms(st.Latency.P50), ms(st.Latency.P95), ms(st.Latency.P99), ms(st.Latency.Max), st.Late, kinds(st.Errors), s.stepNText(i), 100*st.CPU)
		if s.StepNoteHeader != "" {
			note := ""
			if i < len(s.StepNotes) {
				note = s.StepNotes[i]
			}
			fmt.Fprintf(w, " %s |", note)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nKnee: %s.\n\n", KneeText(s.Steps, s.Target))
	if c := s.Closed; c != nil {
		fmt.Fprintf(w, "The same %s as a closed loop after the ramp, %d connections back to back (as the baselines): %d requests, %.0f/s, p50 %s, p95 %s, p99 %s, max %s, errors %s.\n\n",
			s.Unit, c.Conns, c.Requests, c.Rate, ms(c.Latency.P50), ms(c.Latency.P95), ms(c.Latency.P99), ms(c.Latency.Max), kinds(c.Errors))
	}
	r.writeOps(w, s)
	for _, n := range s.Notes {
		fmt.Fprintf(w, "%s\n\n", n)
	}
	fmt.Fprint(w, "Audit:\n")
	for _, c := range s.Audit {
		mark := "ok"
		if !c.OK {
			mark = "**BROKEN**"
		}
		fmt.Fprintf(w, "- %s: %s (%s)\n", mark, c.What, c.Detail)
	}
	fmt.Fprintln(w)
}

// writeOps writes the sidecar operations per request of the steps up to the knee, by app and kind.
func (r *Report) writeOps(w io.Writer, s *Scenario) {
	ops, requests := s.OpsPerRequest()
	if requests == 0 || len(ops) == 0 {
		return
	}
	apps := sortedKeys(ops)
	var all []Ops
	for _, a := range apps {
		all = append(all, ops[a])
	}
	var kindsUsed []string
	for _, k := range stateKinds(all...) {
		for _, o := range all {
			if o.State[k] > 0 {
				kindsUsed = append(kindsUsed, k)
				break
			}
		}
	}
	fmt.Fprintf(w, "Sidecar operations per %s (N), from the sidecars' Prometheus counters over the steps offered at most the knee's rate (%d %ss; background work included), and the CPU each sidecar and app process used per %s (from /proc; the rest of the machine's is the stores', the load generator's and others'):\n\n",
		s.Unit, requests, s.Unit, s.Unit)
	cols := append([]string{}, kindsUsed...)
	for i, k := range cols {
		cols[i] = "state " + k
	}
	cols = append(cols, "invoke", "publish", "jobs", "**N**", "deliveries", "CPU ms, sidecar", "CPU ms, app")
	fmt.Fprintf(w, "| sidecar | %s |\n|---|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
	per := func(v float64) string { return fmt.Sprintf("%.2f", v/float64(requests)) }
	total := Ops{}
	row := func(name string, o Ops) {
		var cells []string
		for _, k := range kindsUsed {
			cells = append(cells, per(o.State[k]))
		}
		cells = append(cells, per(o.Invoke), per(o.Publish), per(o.Jobs), "**"+per(o.N())+"**", per(o.Delivery),
			per(1000*o.SidecarCPU), per(1000*o.AppCPU))
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	for _, a := range apps {
		row(a, ops[a])
		total = total.Add(ops[a])
	}
	row("all", total)
	fmt.Fprintln(w)
	if others, n := s.OthersPerRequest(); n > 0 {
		var parts []string
		for _, name := range sortedKeys(others) {
			if ms := 1000 * others[name] / float64(n); ms >= 0.01 {
				parts = append(parts, fmt.Sprintf("%s %.2f ms", name, ms))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "CPU of the other processes per %s, over the same steps: %s.\n\n", s.Unit, strings.Join(parts, ", "))
		}
	}
}

// usage describes the machine's CPU use between two readings of /proc/stat and the load average.
func usage(before, after cpuStat, load string) string {
	if after.total <= before.total {
		return ""
	}
	return fmt.Sprintf("CPU %.0f%% busy of %d cores, load average %s", 100*busyShare(before, after), after.cores, load)
}

func scaled(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) * f) }
