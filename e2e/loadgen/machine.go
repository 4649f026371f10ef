package main

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// cpuStat is the machine's CPU time so far, from the first line of /proc/stat (clock ticks).
type cpuStat struct {
	busy, total int64
	cores       int
}

func readCPU() cpuStat {
	s := cpuStat{cores: runtime.NumCPU()}
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	f := strings.Fields(strings.SplitN(string(raw), "\n", 2)[0])
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i >= 8 { // guest time is counted in user already
			break
		}
		s.total += n
		if i != 3 && i != 4 { // idle, iowait
			s.busy += n
		}
	}
	return s
}

// busyShare is the share of CPU time the machine was busy between two readings.
func busyShare(before, after cpuStat) float64 {
	if total := after.total - before.total; total > 0 {
		return float64(after.busy-before.busy) / float64(total)
	}
	return 0
}

// loadAvg is /proc/loadavg's 1, 5 and 15 minute figures.
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " / ")
}

// machine describes the box: CPU model and cores, memory, OS, Go.
func machine() string {
	model, mem := "unknown CPU", ""
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(string(raw))
		if len(f) > 1 {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			mem = fmt.Sprintf(", %.1f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%d cores (%s)%s, %s/%s, %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// commit names the code measured: the last commit that changed services/, and the one run.
func commit(root string) string {
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", root}, args...)...).Output()
		if err != nil {
			return "unknown"
		}
		return strings.TrimSpace(string(out))
	}
	subject := git("log", "-1", "--format=%s", "--", "services")
	if len(subject) > 80 {
		subject = subject[:80] + "..."
	}
	c := fmt.Sprintf("services/ as of %s (%s); run from %s on %s", git("log", "-1", "--format=%h", "--", "services"), subject,
		git("rev-parse", "--short", "HEAD"), git("rev-parse", "--abbrev-ref", "HEAD"))
	if st := git("status", "--porcelain", "--", "services"); st != "" && st != "unknown" {
		c += ", with uncommitted changes in services/"
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.SortedFunc(maps.Keys(m), cmp.Compare[string])
}
