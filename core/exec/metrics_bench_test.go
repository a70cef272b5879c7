package exec_test

import (
	"strings"
	"testing"
)

// BenchmarkServeProxyMetrics is BenchmarkServeProxy with telemetry/metrics
// on: recording the router, proxy and backend layers must not allocate.
func BenchmarkServeProxyMetrics(b *testing.B) {
	cfg := strings.Replace(demoConfig(), `"extra_config": {`, `"extra_config": {"telemetry/metrics": {},`, 1)
	gw := newGateway(b, cfg)
	if gw.Plan().Metrics == nil {
		b.Fatal("telemetry/metrics not compiled")
	}
	benchServe(b, gw, "/users/42", 100)
}
