package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const scrape1 = `# HELP dapr_component_state_count The number of operations performed on the state component
# TYPE dapr_component_state_count counter
dapr_component_state_count{app_id="order",component="orderstore",operation="get",success="true"} 10
dapr_component_state_count{app_id="order",component="orderstore",operation="set",success="true"} 4
dapr_component_state_count{success="false",operation="set",component="orderstore",app_id="order"} 1
dapr_runtime_service_invocation_req_sent_total{app_id="order",dst_app_id="inventory",type="unary"} 3 1700000000000
odd_label{path="/a \"quoted\" \\ path",x="1"} 2.5e+00
up 1
`

func TestParseMetrics(t *testing.T) {
	m, err := ParseMetrics(scrape1)
	require.NoError(t, err)
	assert.Len(t, m, 6)
	get := Series{Name: "dapr_component_state_count", Labels: map[string]string{"app_id": "order", "component": "orderstore", "operation": "get", "success": "true"}}
	assert.Equal(t, 10.0, m[get.key()].Value)
	failed := Series{Name: "dapr_component_state_count", Labels: map[string]string{"app_id": "order", "component": "orderstore", "operation": "set", "success": "false"}}
	assert.Equal(t, 1.0, m[failed.key()].Value, "labels in any order make the same series")
	odd := Series{Name: "odd_label", Labels: map[string]string{"path": `/a "quoted" \ path`, "x": "1"}}
	assert.Equal(t, 2.5, m[odd.key()].Value, "escaped quotes and backslashes in a label value")
	assert.Equal(t, 1.0, m[Series{Name: "up", Labels: map[string]string{}}.key()].Value)
	sent := Series{Name: "dapr_runtime_service_invocation_req_sent_total", Labels: map[string]string{"app_id": "order", "dst_app_id": "inventory", "type": "unary"}}
	assert.Equal(t, 3.0, m[sent.key()].Value, "a timestamp after the value is ignored")
}

func TestParseMetricsRefusesBrokenLines(t *testing.T) {
	for _, line := range []string{`x{a="1"`, `x{a=1} 2`, `x{a="1"}`, `x{a="1"} notanumber`, `{a="1"} 2`} {
		_, err := ParseMetrics(line)
		assert.Error(t, err, line)
	}
}

func TestDeltaKeepsWhatGrew(t *testing.T) {
	before, err := ParseMetrics(`a{k="1"} 10
a{k="2"} 5
gone 3
reset 100`)
	require.NoError(t, err)
	after, err := ParseMetrics(`a{k="1"} 14
a{k="2"} 5
a{k="3"} 2
reset 7`)
	require.NoError(t, err)
	got := map[string]float64{}
	for _, s := range Delta(before, after) {
		got[s.key()] = s.Value
	}
	assert.Equal(t, map[string]float64{
		`a{k="1"}`: 4,
		`a{k="3"}`: 2, // new series count from zero
		`reset{}`:  7, // a counter that went down was reset: it counts from zero
	}, got)
}
