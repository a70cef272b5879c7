package config

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Tests of the telemetry/opentelemetry and telemetry/opencensus decoders:
// defaults, every option, the opencensus mapping and what is refused.

func otelLoad(t *testing.T, extra string) (*Config, error) {
	t.Helper()
	src := `{"version": 3, "name": "gw", "extra_config": {` + extra + `},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}]}`
	return Load("t.json", []byte(src), nil)
}

func TestOTelDecode(t *testing.T) {
	cfg, err := otelLoad(t, `"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "a", "host": "collector"}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	want := &OpenTelemetry{TraceSampleRate: 1, MetricReportingPeriod: 30 * time.Second,
		OTLP: []OTLPExporter{{Name: "a", Host: "collector", Port: 4317}}}
	if !reflect.DeepEqual(cfg.OpenTelemetry, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", cfg.OpenTelemetry, want)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings)
	}
	if !cfg.Libraries().OpenTelemetry {
		t.Error("Libraries().OpenTelemetry = false")
	}

	cfg, err = otelLoad(t, `"telemetry/opentelemetry": {"service_name": "svc", "service_version": "1.2", "deploy_env": "prod",
  "trace_sample_rate": 0.25, "metric_reporting_period": 5, "skip_paths": ["/a", "/x/"],
  "exporters": {
    "otlp": [{"name": "h", "host": "https://otel.example", "use_http": true, "disable_metrics": true, "custom_metric_reporting_period": 2},
             {"name": "g", "host": "127.0.0.1", "port": 9999, "disable_traces": true}],
    "prometheus": [{"name": "p", "listen_ip": "127.0.0.1", "port": 9191, "go_metrics": true, "process_metrics": true}]},
  "layers": {"global": {"disable_metrics": true, "report_headers": false, "disable_propagation": false},
             "proxy": {"disable_traces": true},
             "backend": {"metrics": {"disable_stage": true, "round_trip": true, "static_attributes": []}, "traces": {"disable_stage": false}}}},
  "tributary": {"trusted_trace_sources": ["10.0.0.0/8", "192.0.2.1"]}`)
	if err != nil {
		t.Fatal(err)
	}
	want = &OpenTelemetry{ServiceName: "svc", ServiceVersion: "1.2", DeployEnv: "prod", TraceSampleRate: 0.25,
		MetricReportingPeriod: 5 * time.Second, SkipPaths: []string{"/a", "/x/"},
		OTLP: []OTLPExporter{
			{Name: "h", Host: "otel.example", Port: 4318, UseHTTP: true, Secure: true, DisableMetrics: true, ReportingPeriod: 2 * time.Second},
			{Name: "g", Host: "127.0.0.1", Port: 9999, DisableTraces: true}},
		Prometheus: []PrometheusExporter{{Name: "p", ListenIP: "127.0.0.1", Port: 9191, GoMetrics: true, ProcessMetrics: true}},
		Global:     OTelLayer{DisableMetrics: true}, Proxy: OTelLayer{DisableTraces: true}, Backend: OTelLayer{DisableMetrics: true}}
	if !reflect.DeepEqual(cfg.OpenTelemetry, want) {
		t.Errorf("all options:\n got %+v\nwant %+v", cfg.OpenTelemetry, want)
	}
	wantTrust := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	if !reflect.DeepEqual(cfg.TrustedTraceSources, wantTrust) {
		t.Errorf("TrustedTraceSources = %v", cfg.TrustedTraceSources)
	}
	if got := want.OTLP[1].Endpoint(); got != "127.0.0.1:9999" {
		t.Errorf("Endpoint = %q", got)
	}
	if got := want.Prometheus[0].Address(); got != "127.0.0.1:9191" {
		t.Errorf("Address = %q", got)
	}
	cfg, err = otelLoad(t, `"telemetry/metrics": {}`)
	if err != nil || cfg.OpenTelemetry != nil || cfg.Libraries().OpenTelemetry {
		t.Errorf("absent: %+v, %v", cfg.OpenTelemetry, err)
	}
}

// TestOTelRefused: every option that is not implemented, and every bad
// value, is a load error naming it.
func TestOTelRefused(t *testing.T) {
	const ok = `"exporters": {"otlp": [{"name": "a", "host": "c"}]}`
	for _, c := range []struct{ ns, want string }{
		{`{}`, "no exporter"},
		{`{"exporters": {}}`, "no exporter"},
		{`{"histograms": [], ` + ok + `}`, `key "histograms" not supported`},
		{`{"semantic_convention": "1.27", ` + ok + `}`, `key "semantic_convention" not supported`},
		{`{"traces_static_attributes": [], ` + ok + `}`, `key "traces_static_attributes" not supported`},
		{`{"trace_sample_rate": 1.5, ` + ok + `}`, "out of range"},
		{`{"trace_sample_rate": "1", ` + ok + `}`, "expected a number"},
		{`{"metric_reporting_period": 0, ` + ok + `}`, "out of range"},
		{`{"exporters": {"otlp": [{"host": "c"}]}}`, "exporter without a name"},
		{`{"exporters": {"otlp": [{"name": "a"}]}}`, "missing host"},
		{`{"exporters": {"otlp": [{"name": "a", "host": "c"}, {"name": "a", "host": "d"}]}}`, "duplicate exporter name"},
		{`{"exporters": {"otlp": [{"name": "a", "host": "ftp://c"}]}}`, "scheme must be http or https"},
		{`{"exporters": {"otlp": [{"name": "a", "host": "http://c:4318"}]}}`, `put the port in "port"`},
		{`{"exporters": {"otlp": [{"name": "a", "host": "c", "port": 70000}]}}`, "out of range"},
		{`{"exporters": {"prometheus": [{"name": "p", "listen_ip": "nowhere"}]}}`, "invalid listen_ip"},
		{`{"layers": {"global": {"disable_propagation": true}}, ` + ok + `}`, `"disable_propagation": true is not supported`},
		{`{"layers": {"global": {"report_headers": true}}, ` + ok + `}`, `"report_headers": true is not supported`},
		{`{"layers": {"proxy": {"metrics_static_attributes": [{"key": "a", "value": "b"}]}}, ` + ok + `}`, "not supported"},
		{`{"layers": {"backend": {"metrics": {"static_attributes": [{"key": "a", "value": "b"}]}}}, ` + ok + `}`, `"static_attributes" not supported`},
	} {
		_, err := otelLoad(t, `"telemetry/opentelemetry": `+c.ns)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.ns, err, c.want)
		}
	}
	// Extra detail KrakenD can report and Tributary does not: a warning,
	// since the rest of the telemetry works.
	for _, key := range []string{"read_payload", "detailed_connection"} {
		cfg, err := otelLoad(t, `"telemetry/opentelemetry": {"layers": {"backend": {"traces": {"`+key+`": true}}}, `+ok+`}`)
		if err != nil || len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].String(), `"`+key+`": true has no effect`) {
			t.Errorf("%s: err = %v, warnings = %v", key, err, cfg.Warnings)
		}
	}
	_, err := otelLoad(t, `"tributary": {"trusted_trace_sources": ["not-an-ip"]}`)
	if err == nil || !strings.Contains(err.Error(), "invalid IP address or CIDR") {
		t.Errorf("trusted_trace_sources: err = %v", err)
	}
	_, err = otelLoad(t, `"telemetry/opentelemetry": {`+ok+`}, "telemetry/opencensus": {"exporters": {"ocagent": {"address": "c:4317"}}}`)
	if err == nil || !strings.Contains(err.Error(), "are both declared") {
		t.Errorf("both namespaces: err = %v", err)
	}
	// Scopes: endpoint and backend overrides are Enterprise.
	src := `{"version": 3, "endpoints": [{"endpoint": "/a", "extra_config": {"telemetry/opentelemetry": {}},
 "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}]}`
	if _, err := Load("t.json", []byte(src), nil); err == nil || !strings.Contains(err.Error(), "Enterprise") {
		t.Errorf("endpoint scope: err = %v", err)
	}
}

// TestOpenCensusMapping: opencensus loads onto the OpenTelemetry model
// with a warning naming the mapping; unmappable exporters are errors
// naming them.
func TestOpenCensusMapping(t *testing.T) {
	cfg, err := otelLoad(t, `"telemetry/opencensus": {"sample_rate": 50, "reporting_period": 7,
  "enabled_layers": {"router": true, "backend": true},
  "exporters": {"ocagent": {"address": "127.0.0.1:55678", "service_name": "oc", "insecure": true, "reconnection": "5s",
                            "enable_compression": true, "headers": {"k": "v"}},
                "jaeger": {"endpoint": "http://jaeger:14268/api/traces", "service_name": "ignored", "buffer_max_count": 300}}}`)
	if err != nil {
		t.Fatal(err)
	}
	want := &OpenTelemetry{ServiceName: "oc", TraceSampleRate: 0.5, MetricReportingPeriod: 7 * time.Second,
		OTLP: []OTLPExporter{
			{Name: "ocagent", Host: "127.0.0.1", Port: 55678, Headers: map[string]string{"k": "v"}, Compress: true},
			{Name: "jaeger", Host: "jaeger", Port: 14268, UseHTTP: true}},
		Proxy: OTelLayer{DisableMetrics: true, DisableTraces: true}, MaxQueueSize: 300, FromOpenCensus: true}
	if !reflect.DeepEqual(cfg.OpenTelemetry, want) {
		t.Errorf("mapping:\n got %+v\nwant %+v", cfg.OpenTelemetry, want)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].String(), "OpenTelemetry pipeline") ||
		!strings.Contains(cfg.Warnings[0].String(), "sample_rate → trace_sample_rate 0.5") ||
		!strings.Contains(cfg.Warnings[0].String(), "OTLP over gRPC to 127.0.0.1:55678") {
		t.Errorf("warnings = %v", cfg.Warnings)
	}
	if !cfg.Libraries().OpenTelemetry {
		t.Error("opencensus: Libraries().OpenTelemetry = false")
	}
	// The legacy name is an alias.
	cfg, err = otelLoad(t, `"github_com/devopsfaith/krakend-opencensus": {"exporters": {"ocagent": {"address": "c:1"}}}`)
	if err != nil || cfg.OpenTelemetry == nil || cfg.OpenTelemetry.OTLP[0].Host != "c" {
		t.Errorf("legacy name: %+v, %v", cfg, err)
	}
	for _, c := range []struct{ ns, want string }{
		{`{"exporters": {"zipkin": {}, "ocagent": {"address": "c:1"}}}`, `opencensus exporter "zipkin" not supported`},
		{`{"exporters": {"prometheus": {"port": 9091}}}`, `opencensus exporter "prometheus" not supported`},
		{`{"exporters": {"xray": {}, "datadog": {}}}`, `opencensus exporter "datadog" not supported`},
		{`{"exporters": {"influxdb": {}}}`, `opencensus exporter "influxdb" not supported`},
		{`{"exporters": {"ocagent": {"address": "nohostport"}}}`, "invalid address"},
		{`{"exporters": {"jaeger": {"endpoint": "jaeger"}}}`, "invalid endpoint"},
		{`{"sample_rate": 101, "exporters": {"ocagent": {"address": "c:1"}}}`, "out of range"},
		{`{}`, "no exporter"},
	} {
		_, err := otelLoad(t, `"telemetry/opencensus": `+c.ns)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.ns, err, c.want)
		}
	}
	_, err = otelLoad(t, `"telemetry/opencensus": {"exporters": {"xray": {}, "datadog": {}}}`)
	if err == nil || !strings.Contains(err.Error(), `"xray"`) || !strings.Contains(err.Error(), `"datadog"`) {
		t.Errorf("every refused exporter is named: %v", err)
	}
}
