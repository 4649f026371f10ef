package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRatiosReadTheScenariosAgainstTheBaselines(t *testing.T) {
	b := Baselines{Capacity: []Capacity{
		{Name: baseSaveHTTP, Rate: 3000},
		{Name: baseGetHTTP, Rate: 4000, Latency: Latency{P99: msd(20)}},
		{Name: baseHop1, Rate: 2000},
		{Name: baseCalls, Rate: 300},
	}}
	checkout := &Scenario{Name: "checkout",
		Steps:   []Step{{Offered: 10, Achieved: 10, Sent: 100, Pass: true}, {Offered: 15, Achieved: 12, Sent: 100}},
		StepOps: []map[string]Ops{{"order": {State: map[string]float64{"get": 1000}}}, {}}}
	browse := &Scenario{Name: "browse",
		Steps:   []Step{{Offered: 1000, Achieved: 1000, Sent: 3000, Pass: true, Latency: Latency{P99: msd(30)}}},
		StepOps: []map[string]Ops{{}},
		Closed:  &Capacity{Rate: 1800, Latency: Latency{P99: msd(25)}}}
	flash := &Scenario{Name: "flashsale", Steps: []Step{{Offered: 200, Achieved: 20}, {Offered: 300, Achieved: 600}}}
	got := map[string]string{}
	for _, r := range ratios(b, []*Scenario{checkout, browse, flash}) {
		got[r[0]] = r[1]
	}
	assert.Equal(t, "10.00", got["checkout: N, sidecar operations per checkout"], "1000 state gets over the 100 checkouts up to the knee")
	assert.Equal(t, "0.03 (10/s of 3000/s / 10.00 = 300/s)", got["checkout: knee / (raw save/s / N)"])
	assert.Equal(t, "0.50; 0.03 (300/s x 5 / 3000/s; knee 10/s)",
		got["checkout's calls alone, closed loop: x their N / raw save/s; the knee / their rate"])
	assert.Equal(t, "0.25 (1000/s of 4000/s)", got["browse: knee / raw get/s"])
	assert.Equal(t, "1.50 (30.00 ms of 20.00 ms)", got["browse: p99 at the knee / raw get p99"])
	assert.Equal(t, "0.45; 0.90 (1800/s, p99 25.00 ms; raw get 4000/s; invoke 2000/s, itself 0.50 of raw get)",
		got["browse, closed loop as the baselines: / raw get/s; / invoke, one sidecar/s"])
	assert.Equal(t, "none (no step sustained); the most any step achieved: 600/s", got["flashsale: knee"])
	assert.Equal(t, "0.20 (600/s of 3000/s)", got["flash sale: attempts/s, most achieved (overloaded) / raw save/s"])
}
