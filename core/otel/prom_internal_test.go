package otel

import (
	"bufio"
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
)

func TestPromName(t *testing.T) {
	for _, c := range []struct{ name, unit, typ, want string }{
		{"http.server.duration", "s", "histogram", "http_server_duration_seconds"},
		{"http.server.response.size", "By", "histogram", "http_server_response_size_bytes"},
		{"krakend.backend.duration", "s", "histogram", "krakend_backend_duration_seconds"},
		{"requests", "", "counter", "requests_total"},
		{"requests.total", "1", "counter", "requests_total"},
		{"cpu.utilization", "1", "gauge", "cpu_utilization_ratio"},
		{"net.io", "By/s", "gauge", "net_io_bytes_per_second"},
		{"latency.seconds", "s", "histogram", "latency_seconds"},
		{"queue..size!!", "{items}", "gauge", "queue_size"},
		{"2xx.count", "", "counter", "_2xx_count_total"},
		{"temp", "Cel", "gauge", "temp_celsius"},
		{"odd", "wei/rd", "gauge", "odd_wei_per_rd"},
		{"...", "", "gauge", ""},
	} {
		if got := promName(c.name, c.unit, c.typ); got != c.want {
			t.Errorf("promName(%q, %q, %s) = %q, want %q", c.name, c.unit, c.typ, got, c.want)
		}
	}
}

func TestPromLabel(t *testing.T) {
	for key, want := range map[string]string{
		"http.route": "http_route", "a..b": "a_b", "9lives": "key_9lives", "__name__": "", "__a.b__": "__a_b__", "__x": "_x",
		"...": "", "ü": "", "a-ü-b": "a_b", "otel.metric.overflow": "otel_metric_overflow", "x_": "x_",
	} {
		if got := promLabel(key); got != want {
			t.Errorf("promLabel(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestPromRender: counters, gauges, colliding label keys, a reserved le
// attribute, special values and escapes, rendered in the text format.
func TestPromRender(t *testing.T) {
	pts := func(vs ...float64) []metricdata.DataPoint[float64] {
		var out []metricdata.DataPoint[float64]
		for i, v := range vs {
			out = append(out, metricdata.DataPoint[float64]{Value: v,
				Attributes: attribute.NewSet(attribute.Int("i", i), attribute.String("a.b", "x"), attribute.String("a_b", "y"))})
		}
		return out
	}
	sm := metricdata.ScopeMetrics{Scope: instrumentation.Scope{Name: "s", Version: "v1"}, Metrics: []metricdata.Metrics{
		{Name: "jobs", Description: "Jobs\\done\nso far", Data: metricdata.Sum[int64]{IsMonotonic: true,
			DataPoints: []metricdata.DataPoint[int64]{{Value: 7}}}},
		{Name: "level", Unit: "1", Data: metricdata.Gauge[float64]{DataPoints: pts(0.5, -1e300)}},
		{Name: "inflight", Data: metricdata.Sum[float64]{DataPoints: pts(3)}},
		{Name: "h", Unit: "ms", Data: metricdata.Histogram[int64]{DataPoints: []metricdata.HistogramDataPoint[int64]{{
			Attributes: attribute.NewSet(attribute.String("le", "spoof")), Bounds: []float64{1, 2}, BucketCounts: []uint64{1, 0, 2},
			Count: 3, Sum: 9}}}},
	}}
	h := newPromHandler(func(context.Context) ([]metricdata.ScopeMetrics, error) { return []metricdata.ScopeMetrics{sm}, nil },
		resource.NewSchemaless(attribute.String("service.name", "x")), false, false)
	var b strings.Builder
	w := bufio.NewWriter(&b)
	h.write(context.Background(), w)
	_ = w.Flush()
	scope := `otel_scope_name="s",otel_scope_schema_url="",otel_scope_version="v1"`
	want := `# TYPE h_milliseconds histogram
h_milliseconds_bucket{` + scope + `,le="1"} 1
h_milliseconds_bucket{` + scope + `,le="2"} 1
h_milliseconds_bucket{` + scope + `,le="+Inf"} 3
h_milliseconds_sum{` + scope + `} 9
h_milliseconds_count{` + scope + `} 3
# TYPE inflight gauge
inflight{a_b="x;y",i="0",` + scope + `} 3
# HELP jobs_total Jobs\\done\nso far
# TYPE jobs_total counter
jobs_total{` + scope + `} 7
# TYPE level_ratio gauge
level_ratio{a_b="x;y",i="0",` + scope + `} 0.5
level_ratio{a_b="x;y",i="1",` + scope + `} -1e+300
# HELP target_info Target metadata
# TYPE target_info gauge
target_info{service_name="x"} 1
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{"gzip": true, "br, GZIP;q=0.5": true, "gzip;q=0": false, "identity": false,
		"": false, "x-gzip": false, "deflate, gzip ; q=1": true} {
		if got := acceptsGzip([]string{v}); got != want {
			t.Errorf("acceptsGzip(%q) = %v", v, got)
		}
	}
}
