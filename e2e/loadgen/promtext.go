package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Series is one sample of a Prometheus text exposition: a metric name and its labels.
type Series struct {
	Name   string
	Labels map[string]string
}

// key is a canonical string for a series: name{k="v",...} with the labels sorted.
func (s Series) key() string {
	var b strings.Builder
	b.WriteString(s.Name)
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(s.Labels)) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", k, s.Labels[k])
	}
	b.WriteByte('}')
	return b.String()
}

// Sample is a series and its value.
type Sample struct {
	Series
	Value float64
}

// Metrics is one scrape: every sample by its series key.
type Metrics map[string]Sample

// ParseMetrics reads the Prometheus text format (what daprd serves on its metrics port): comments
// and blank lines are skipped; a sample line is name, optional {labels}, value, optional timestamp.
func ParseMetrics(text string) (Metrics, error) {
	m := Metrics{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d: %w: %q", n+1, err, line)
		}
		m[s.key()] = s
	}
	return m, nil
}

func parseSample(line string) (Sample, error) {
	s := Sample{Series: Series{Labels: map[string]string{}}}
	i := strings.IndexAny(line, "{ \t")
	if i <= 0 {
		return s, fmt.Errorf("no value")
	}
	s.Name, line = line[:i], line[i:]
	if line[0] == '{' {
		rest, err := parseLabels(line[1:], s.Labels)
		if err != nil {
			return s, err
		}
		line = rest
	}
	f := strings.Fields(line)
	if len(f) == 0 {
		return s, fmt.Errorf("no value")
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return s, err
	}
	s.Value = v
	return s, nil
}

// parseLabels reads k="v" pairs up to the closing brace and returns what follows it. Values may
// hold escaped quotes, backslashes and newlines.
func parseLabels(in string, into map[string]string) (string, error) {
	for {
		in = strings.TrimLeft(in, " ,")
		if in == "" {
			return "", fmt.Errorf("unclosed labels")
		}
		if in[0] == '}' {
			return in[1:], nil
		}
		eq := strings.IndexByte(in, '=')
		if eq <= 0 || len(in) < eq+2 || in[eq+1] != '"' {
			return "", fmt.Errorf("bad label")
		}
		name := strings.TrimSpace(in[:eq])
		in = in[eq+2:]
		var v strings.Builder
		closed := false
		for j := 0; j < len(in); j++ {
			c := in[j]
			if c == '\\' && j+1 < len(in) {
				j++
				switch in[j] {
				case 'n':
					v.WriteByte('\n')
				default:
					v.WriteByte(in[j])
				}
				continue
			}
			if c == '"' {
				in, closed = in[j+1:], true
				break
			}
			v.WriteByte(c)
		}
		if !closed {
			return "", fmt.Errorf("unclosed label value")
		}
		into[name] = v.String()
	}
}

// Delta is after minus before, series by series, for the series that grew (counters only grow;
// one that shrank was reset by a restart and counts from zero).
func Delta(before, after Metrics) []Sample {
	var out []Sample
	for k, a := range after {
		d := a.Value - before[k].Value
		if d < 0 {
			d = a.Value
		}
		if d > 0 {
			out = append(out, Sample{Series: a.Series, Value: d})
		}
	}
	slices.SortFunc(out, func(x, y Sample) int { return strings.Compare(x.key(), y.key()) })
	return out
}
