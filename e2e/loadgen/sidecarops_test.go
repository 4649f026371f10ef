package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func sample(name string, v float64, labels ...string) Sample {
	l := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		l[labels[i]] = labels[i+1]
	}
	return Sample{Series: Series{Name: name, Labels: l}, Value: v}
}

func TestOpsOfClassifiesASidecarsCounters(t *testing.T) {
	delta := []Sample{
		sample("dapr_component_state_count", 3, "operation", "get", "success", "true"),
		sample("dapr_component_state_count", 1, "operation", "get", "success", "false"),
		sample("dapr_component_state_count", 2, "operation", "set", "success", "true"),
		sample("dapr_component_state_count", 1, "operation", "bulk_get", "success", "true"),
		sample("dapr_component_pubsub_egress_count", 1, "topic", "orders"),
		sample("dapr_component_pubsub_egress_bulk_count", 1, "topic", "tickets"),
		sample("dapr_grpc_io_server_completed_rpcs", 2, "grpc_server_method", "/dapr.proto.runtime.v1.Dapr/InvokeActor"),
		sample("dapr_grpc_io_server_completed_rpcs", 5, "grpc_server_method", "/dapr.proto.runtime.v1.Dapr/GetState"),
		sample("dapr_component_pubsub_ingress_count", 2, "topic", "stock"),
		sample("dapr_runtime_service_invocation_req_sent_total", 2, "dst_app_id", "inventory"),
		sample("dapr_runtime_service_invocation_req_sent_total", 1, "dst_app_id", "menu"),
		sample("dapr_grpc_io_client_completed_rpcs", 1, "grpc_client_method", "/dapr.proto.scheduler.v1.Scheduler/ScheduleJob"),
		sample("dapr_grpc_io_client_completed_rpcs", 9, "grpc_client_method", "/dapr.proto.internals.v1.ServiceInvocation/CallLocal"),
		sample("dapr_http_server_request_count", 40, "method", "POST"),
		sample(cpuMetric, 0.5, "process", "sidecar"),
		sample(cpuMetric, 0.25, "process", "app"),
	}
	o := OpsOf(delta)
	assert.Equal(t, map[string]float64{"get": 4, "set": 2, "bulk_get": 1}, o.State)
	assert.Equal(t, 5.0, o.Invoke, "calls to other apps and to actors")
	assert.Equal(t, 2.0, o.Publish, "a bulk publish is one")
	assert.Equal(t, 2.0, o.Delivery)
	assert.Equal(t, 1.0, o.Jobs)
	assert.Equal(t, 4+2+1+5+2+1.0, o.N(), "state, invocations, publishes and jobs; not the client's calls nor deliveries")
	assert.Equal(t, 0.5, o.SidecarCPU)
	assert.Equal(t, 0.25, o.AppCPU)
}

func TestOpsAdd(t *testing.T) {
	a := Ops{State: map[string]float64{"get": 1}, Invoke: 1}
	b := Ops{State: map[string]float64{"get": 2, "set": 1}, Jobs: 1}
	sum := Ops{}.Add(a).Add(b)
	assert.Equal(t, map[string]float64{"get": 3, "set": 1}, sum.State)
	assert.Equal(t, 6.0, sum.N())
	assert.Equal(t, map[string]float64{"get": 1}, a.State, "Add leaves its operands alone")
}
