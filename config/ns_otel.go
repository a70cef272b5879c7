package config

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OTLP ports: where an OTLP collector listens by default.
const (
	// OTLPGRPCPort is the default port of an OTLP exporter over gRPC.
	OTLPGRPCPort = 4317
	// OTLPHTTPPort is the default port of an OTLP exporter over HTTP
	// (use_http: true).
	OTLPHTTPPort = 4318
	// PrometheusPort is the default port of a Prometheus exporter.
	PrometheusPort = 9090
	// DefaultOTelReportingPeriod is the default metric_reporting_period.
	DefaultOTelReportingPeriod = 30 * time.Second
)

// OpenTelemetry is the "telemetry/opentelemetry" namespace, or the
// "telemetry/opencensus" namespace mapped onto it.
type OpenTelemetry struct {
	// ServiceName is service_name, the service.name resource attribute.
	// "" means the root name (or "tributary" when that is empty too).
	ServiceName string
	// ServiceVersion is service_version, the service.version resource
	// attribute. Default "".
	ServiceVersion string
	// DeployEnv is deploy_env, the deployment.environment resource
	// attribute. Default "".
	DeployEnv string
	// TraceSampleRate is trace_sample_rate, the fraction of new traces
	// recorded, 0 to 1. Default 1.
	TraceSampleRate float64
	// MetricReportingPeriod is metric_reporting_period (whole seconds in
	// the file): how often metrics are pushed to the OTLP exporters.
	// Default 30s.
	MetricReportingPeriod time.Duration
	// SkipPaths is skip_paths: endpoint templates (or exact request paths)
	// never traced nor measured. Nil means the default: the health path
	// and the /__debug/ and /__echo/ built-ins. An explicit empty list
	// skips nothing.
	SkipPaths []string
	// OTLP are exporters.otlp, in file order.
	OTLP []OTLPExporter
	// Prometheus are exporters.prometheus, in file order.
	Prometheus []PrometheusExporter
	// Global is layers.global: the span and metrics of the whole request.
	Global OTelLayer
	// Proxy is layers.proxy: the span and metrics of the endpoint's work.
	Proxy OTelLayer
	// Backend is layers.backend: one span and metrics per backend call.
	Backend OTelLayer
	// MaxQueueSize bounds the spans waiting for export (opencensus
	// jaeger buffer_max_count). 0 means the default, 2048.
	MaxQueueSize int
	// FromOpenCensus is true when the namespace was telemetry/opencensus.
	FromOpenCensus bool
}

// OTelLayer is one entry of layers.
type OTelLayer struct {
	// DisableMetrics is disable_metrics (for the backend layer also
	// metrics.disable_stage): the layer records no metrics.
	DisableMetrics bool
	// DisableTraces is disable_traces (for the backend layer also
	// traces.disable_stage): the layer creates no spans.
	DisableTraces bool
}

// OTLPExporter is one exporters.otlp entry.
type OTLPExporter struct {
	// Name is name, unique among the exporters (required).
	Name string
	// Host is host without its scheme: a host name or IP address.
	Host string
	// Port is port. Default 4317 (gRPC) or 4318 (use_http).
	Port int
	// UseHTTP is use_http: OTLP over HTTP (protobuf) instead of gRPC.
	UseHTTP bool
	// Secure is true when host was given with the https scheme: the
	// exporter uses TLS. Plain text otherwise.
	Secure bool
	// DisableMetrics is disable_metrics: no metrics go to this exporter.
	DisableMetrics bool
	// DisableTraces is disable_traces: no spans go to this exporter.
	DisableTraces bool
	// ReportingPeriod is custom_metric_reporting_period (whole seconds);
	// 0 means the namespace's metric_reporting_period.
	ReportingPeriod time.Duration
	// Headers are sent with every export (opencensus ocagent headers).
	Headers map[string]string
	// Compress is true to gzip the exports (opencensus ocagent
	// enable_compression).
	Compress bool
}

// Endpoint is host:port of the exporter.
func (e OTLPExporter) Endpoint() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// PrometheusExporter is one exporters.prometheus entry: a listener that
// serves the metrics in the Prometheus text format on /metrics (server
// mode only; a Lambda function refuses it).
type PrometheusExporter struct {
	// Name is name, unique among the exporters (required).
	Name string
	// ListenIP is listen_ip (or its older spelling host). Default
	// "0.0.0.0".
	ListenIP string
	// Port is port. Default 9090.
	Port int
	// DisableMetrics is disable_metrics: the exporter is not started.
	DisableMetrics bool
	// GoMetrics is go_metrics: also serve the Go runtime's metrics.
	GoMetrics bool
	// ProcessMetrics is process_metrics: also serve the process's CPU,
	// memory and file-descriptor metrics.
	ProcessMetrics bool
}

// Address is listen_ip:port.
func (e PrometheusExporter) Address() string {
	return net.JoinHostPort(e.ListenIP, strconv.Itoa(e.Port))
}

// Keys of the objects of telemetry/opentelemetry and telemetry/opencensus.
var (
	otelKeys = []string{"service_name", "service_version", "deploy_env", "trace_sample_rate",
		"metric_reporting_period", "skip_paths", "exporters", "layers"}
	otelUnsupported = []keyNote{
		{"histograms", "custom histogram buckets are not supported; the default buckets apply"},
		{"semantic_convention", "Tributary reports one fixed set of attribute names"},
	}
	otelExporterKeys = []string{"otlp", "prometheus"}
	otlpKeys         = []string{"name", "host", "port", "use_http", "disable_metrics", "disable_traces",
		"custom_metric_reporting_period"}
	promKeys        = []string{"name", "listen_ip", "host", "port", "disable_metrics", "go_metrics", "process_metrics"}
	otelLayersKeys  = []string{"global", "proxy", "backend"}
	otelLayerKeys   = []string{"disable_metrics", "disable_traces", "disable_propagation", "report_headers"}
	otelBackendKeys = []string{"disable_metrics", "disable_traces", "metrics", "traces"}
	otelStageKeys   = []string{"disable_stage", "round_trip", "read_payload", "detailed_connection",
		"static_attributes", "report_headers"}
	opencensusKeys         = []string{"sample_rate", "reporting_period", "enabled_layers", "exporters"}
	opencensusLayerKeys    = []string{"router", "pipe", "backend"}
	opencensusExporterKeys = []string{"ocagent", "jaeger", "zipkin", "prometheus", "logger", "xray",
		"stackdriver", "datadog", "influxdb"}
	ocagentKeys = []string{"address", "service_name", "insecure", "reconnection", "enable_compression", "headers"}
	jaegerKeys  = []string{"endpoint", "service_name", "buffer_max_count"}
)

// otelTwice reports the second of telemetry/opentelemetry and
// telemetry/opencensus: they configure the same pipeline.
func (l *loader) otelTwice(c *Config, v *node, base, key string) bool {
	if c.OpenTelemetry == nil {
		return false
	}
	l.errNode(v, keyPath(base, key), "telemetry/opentelemetry and telemetry/opencensus are both declared",
		"keep only telemetry/opentelemetry: telemetry/opencensus is mapped onto it")
	return true
}

// openTelemetry decodes "telemetry/opentelemetry" (service scope).
func (l *loader) openTelemetry(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) || l.otelTwice(c, v, base, key) {
		return
	}
	path := keyPath(base, key)
	o := &OpenTelemetry{TraceSampleRate: 1, MetricReportingPeriod: DefaultOTelReportingPeriod}
	sawExporters := false
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "service_name":
			o.ServiceName, _ = l.str(mv, path, m.key)
		case "service_version":
			o.ServiceVersion, _ = l.str(mv, path, m.key)
		case "deploy_env":
			o.DeployEnv, _ = l.str(mv, path, m.key)
		case "trace_sample_rate":
			if f, ok := l.fraction(mv, path, m.key, 1); ok {
				o.TraceSampleRate = f
			}
		case "metric_reporting_period":
			if d, ok := l.otelSeconds(mv, path, m.key); ok {
				o.MetricReportingPeriod = d
			}
		case "skip_paths":
			if list, ok := l.strList(mv, path, m.key); ok {
				o.SkipPaths = append([]string{}, list...)
			}
		case "exporters":
			sawExporters = true
			l.otelExporters(o, mv, path, m.key)
		case "layers":
			l.otelLayers(o, mv, path, m.key)
		case "histograms", "semantic_convention":
			for _, n := range otelUnsupported {
				if n.key == m.key {
					l.errAt(m.pos, keyPath(path, m.key), "key "+quoteJSON(m.key)+" not supported", n.hint)
				}
			}
		default:
			if strings.HasSuffix(m.key, "_static_attributes") {
				l.errAt(m.pos, keyPath(path, m.key), "key "+quoteJSON(m.key)+" not supported",
					"static attributes are not supported; set service_name, service_version and deploy_env instead")
				continue
			}
			l.unknownKey(objOTel, path, m)
		}
	}
	if !sawExporters {
		l.errNode(v, path, "no exporter", `declare "exporters": {"otlp": [...]} or {"prometheus": [...]}`)
	}
	c.OpenTelemetry = o
}

// fraction decodes a number within [0, hi].
func (l *loader) fraction(n *node, base, key string, hi float64) (float64, bool) {
	if n.kind != kindNumber {
		l.wrongType(n, base, key, "a number", "")
		return 0, false
	}
	f, err := strconv.ParseFloat(n.text, 64)
	if err != nil || f < 0 || f > hi {
		l.errNode(n, keyPath(base, key), "value "+n.text+" out of range; must be 0–"+strconv.FormatFloat(hi, 'g', -1, 64), "")
		return 0, false
	}
	return f, true
}

// otelSeconds decodes a positive whole number of seconds (KrakenD's reporting
// periods are integers).
func (l *loader) otelSeconds(n *node, base, key string) (time.Duration, bool) {
	s, ok := l.intRange(n, base, key, 1, 86400)
	return time.Duration(s) * time.Second, ok
}

// otelExporters decodes exporters.
func (l *loader) otelExporters(o *OpenTelemetry, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	names := map[string]bool{}
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "otlp", "prometheus":
			if mv.kind != kindArray {
				l.wrongType(mv, path, m.key, "an array of objects", "")
				continue
			}
			for i := range mv.elems {
				e := &mv.elems[i]
				ipath := keyIndexPath(path, m.key, i)
				if e.kind != kindObject {
					l.errAt(e.pos, ipath, "expected an object, got "+e.kind.String(), "")
					continue
				}
				var name string
				if m.key == "otlp" {
					x := l.otlpExporter(e, ipath)
					name = x.Name
					o.OTLP = append(o.OTLP, x)
				} else {
					x := l.promExporter(e, ipath)
					name = x.Name
					o.Prometheus = append(o.Prometheus, x)
				}
				if name == "" {
					l.errAt(e.pos, ipath, "exporter without a name", `add "name": a unique label for it`)
				} else if names[name] {
					l.errAt(e.pos, ipath+".name", "duplicate exporter name "+quoteJSON(name), "give each exporter its own name")
				}
				names[name] = true
			}
		default:
			l.unknownKey(objOTelExporters, path, m)
		}
	}
	if len(o.OTLP)+len(o.Prometheus) == 0 && len(names) == 0 {
		l.errNode(v, path, "no exporter", `declare at least one "otlp" or "prometheus" exporter`)
	}
}

// otlpExporter decodes one exporters.otlp entry.
func (l *loader) otlpExporter(v *node, path string) OTLPExporter {
	var x OTLPExporter
	port := int64(0)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "name":
			x.Name, _ = l.str(mv, path, m.key)
		case "host":
			if s, ok := l.str(mv, path, m.key); ok {
				host, secure, problem := otlpHost(s)
				if problem != "" {
					l.errNode(mv, keyPath(path, m.key), "invalid host "+quoteJSON(s)+": "+problem,
						`use a host name or IP address, optionally with http:// or https://, e.g. "otel-collector"`)
				}
				x.Host, x.Secure = host, secure
			}
		case "port":
			port, _ = l.intRange(mv, path, m.key, 1, 65535)
		case "use_http":
			l.setBool(&x.UseHTTP, mv, path, m.key)
		case "disable_metrics":
			l.setBool(&x.DisableMetrics, mv, path, m.key)
		case "disable_traces":
			l.setBool(&x.DisableTraces, mv, path, m.key)
		case "custom_metric_reporting_period":
			x.ReportingPeriod, _ = l.otelSeconds(mv, path, m.key)
		default:
			l.unknownKey(objOTLP, path, m)
		}
	}
	if x.Host == "" {
		l.errNode(v, keyPath(path, "host"), "missing host", `the collector's address, e.g. "otel-collector" or "127.0.0.1"`)
	}
	x.Port = int(port)
	if x.Port == 0 {
		x.Port = OTLPGRPCPort
		if x.UseHTTP {
			x.Port = OTLPHTTPPort
		}
	}
	return x
}

// otlpHost splits an exporter host: a bare host, or a URL with the http
// or https scheme (and no path).
func otlpHost(s string) (host string, secure bool, problem string) {
	if !strings.Contains(s, "://") {
		if s == "" || strings.ContainsAny(s, "/?#@ ") {
			return "", false, "not a host name"
		}
		return strings.Trim(s, "[]"), false, ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false, "not a host name or http(s)://host URL"
	}
	switch u.Scheme {
	case "http":
	case "https":
		secure = true
	default:
		return "", false, "the scheme must be http or https"
	}
	if u.Port() != "" {
		return "", false, `put the port in "port"`
	}
	return u.Hostname(), secure, ""
}

// promExporter decodes one exporters.prometheus entry.
func (l *loader) promExporter(v *node, path string) PrometheusExporter {
	x := PrometheusExporter{ListenIP: "0.0.0.0", Port: PrometheusPort}
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "name":
			x.Name, _ = l.str(mv, path, m.key)
		case "listen_ip", "host":
			if s, ok := l.str(mv, path, m.key); ok {
				if _, err := netip.ParseAddr(s); err != nil {
					l.errNode(mv, keyPath(path, m.key), "invalid "+m.key+" "+quoteJSON(s), `use an IP address, e.g. "0.0.0.0" or "127.0.0.1"`)
				} else {
					x.ListenIP = s
				}
			}
		case "port":
			if p, ok := l.intRange(mv, path, m.key, 0, 65535); ok {
				x.Port = int(p)
			}
		case "disable_metrics":
			l.setBool(&x.DisableMetrics, mv, path, m.key)
		case "go_metrics":
			l.setBool(&x.GoMetrics, mv, path, m.key)
		case "process_metrics":
			l.setBool(&x.ProcessMetrics, mv, path, m.key)
		default:
			l.unknownKey(objPrometheus, path, m)
		}
	}
	return x
}

// otelLayers decodes layers.
func (l *loader) otelLayers(o *OpenTelemetry, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "global":
			o.Global = l.otelLayer(mv, path, m.key)
		case "proxy":
			o.Proxy = l.otelLayer(mv, path, m.key)
		case "backend":
			o.Backend = l.otelBackendLayer(mv, path, m.key)
		default:
			l.unknownKey(objOTelLayers, path, m)
		}
	}
}

// otelLayer decodes layers.global or layers.proxy.
func (l *loader) otelLayer(v *node, base, key string) OTelLayer {
	var y OTelLayer
	if !l.object(v, base, key) {
		return y
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "disable_metrics":
			l.setBool(&y.DisableMetrics, mv, path, m.key)
		case "disable_traces":
			l.setBool(&y.DisableTraces, mv, path, m.key)
		case "disable_propagation":
			l.refuseTrue(mv, path, m.key, "the trace context is always propagated to backends; to stop it, disable the traces")
		case "report_headers":
			l.refuseTrue(mv, path, m.key, "headers are never recorded in spans (they may carry credentials)")
		default:
			if strings.HasSuffix(m.key, "_static_attributes") {
				l.errAt(m.pos, keyPath(path, m.key), "key "+quoteJSON(m.key)+" not supported", "static attributes are not supported")
				continue
			}
			l.unknownKey(objOTelLayer, path, m)
		}
	}
	return y
}

// otelBackendLayer decodes layers.backend: the flat disable_* keys, or
// KrakenD's metrics/traces objects.
func (l *loader) otelBackendLayer(v *node, base, key string) OTelLayer {
	var y OTelLayer
	if !l.object(v, base, key) {
		return y
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "disable_metrics":
			l.setBool(&y.DisableMetrics, mv, path, m.key)
		case "disable_traces":
			l.setBool(&y.DisableTraces, mv, path, m.key)
		case "metrics":
			if l.otelStage(mv, path, m.key) {
				y.DisableMetrics = true
			}
		case "traces":
			if l.otelStage(mv, path, m.key) {
				y.DisableTraces = true
			}
		default:
			l.unknownKey(objOTelBackend, path, m)
		}
	}
	return y
}

// otelStage decodes layers.backend.metrics or .traces; it reports
// disable_stage.
func (l *loader) otelStage(v *node, base, key string) (disabled bool) {
	if !l.object(v, base, key) {
		return false
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "disable_stage":
			l.setBool(&disabled, mv, path, m.key)
		case "round_trip":
			// The backend span and metrics already cover the round trip.
			var b bool
			l.setBool(&b, mv, path, m.key)
		case "read_payload":
			l.ignoreTrue(mv, path, m.key, "the backend span and duration already include reading the body; no separate payload span or metric is produced")
		case "detailed_connection":
			l.ignoreTrue(mv, path, m.key, "DNS, connection and TLS timings are not reported")
		case "report_headers":
			l.refuseTrue(mv, path, m.key, "headers are never recorded in spans (they may carry credentials)")
		case "static_attributes":
			if mv.kind != kindArray || len(mv.elems) > 0 {
				l.errNode(mv, keyPath(path, m.key), "key \"static_attributes\" not supported", "static attributes are not supported")
			}
		default:
			l.unknownKey(objOTelStage, path, m)
		}
	}
	return disabled
}

// ignoreTrue decodes a boolean whose true value asks for extra detail
// Tributary does not produce: accepted with a warning, since the rest of
// the telemetry works without it.
func (l *loader) ignoreTrue(v *node, base, key, why string) {
	if b, ok := l.boolean(v, base, key); ok && b {
		l.warnAt(v.pos, keyPath(base, key), quoteJSON(key)+": true has no effect", why)
	}
}

// refuseTrue decodes a boolean whose true value asks for something not
// implemented.
func (l *loader) refuseTrue(v *node, base, key, why string) {
	if b, ok := l.boolean(v, base, key); ok && b {
		l.errNode(v, keyPath(base, key), quoteJSON(key)+": true is not supported", why)
	}
}

// openCensus decodes "telemetry/opencensus" (service scope) and maps it
// onto the OpenTelemetry pipeline, with a warning naming the mapping.
func (l *loader) openCensus(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) || l.otelTwice(c, v, base, key) {
		return
	}
	path := keyPath(base, key)
	o := &OpenTelemetry{TraceSampleRate: 1, MetricReportingPeriod: DefaultOTelReportingPeriod, FromOpenCensus: true}
	var mapped []string
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "sample_rate":
			if f, ok := l.fraction(mv, path, m.key, 100); ok {
				o.TraceSampleRate = f / 100
				mapped = append(mapped, "sample_rate → trace_sample_rate "+strconv.FormatFloat(o.TraceSampleRate, 'g', -1, 64))
			}
		case "reporting_period":
			if d, ok := l.otelSeconds(mv, path, m.key); ok {
				o.MetricReportingPeriod = d
				mapped = append(mapped, "reporting_period → metric_reporting_period")
			}
		case "enabled_layers":
			if l.object(mv, path, m.key) {
				lpath := keyPath(path, m.key)
				router, pipe, backend := false, false, false
				for lm := range mv.schemaMembers() {
					switch lm.key {
					case "router":
						l.setBool(&router, &lm.val, lpath, lm.key)
					case "pipe":
						l.setBool(&pipe, &lm.val, lpath, lm.key)
					case "backend":
						l.setBool(&backend, &lm.val, lpath, lm.key)
					default:
						l.unknownKey(objOpenCensusLayers, lpath, lm)
					}
				}
				o.Global = OTelLayer{DisableMetrics: !router, DisableTraces: !router}
				o.Proxy = OTelLayer{DisableMetrics: !pipe, DisableTraces: !pipe}
				o.Backend = OTelLayer{DisableMetrics: !backend, DisableTraces: !backend}
				mapped = append(mapped, "enabled_layers router/pipe/backend → layers global/proxy/backend")
			}
		case "exporters":
			mapped = append(mapped, l.openCensusExporters(o, mv, path, m.key)...)
		default:
			l.unknownKey(objOpenCensus, path, m)
		}
	}
	if len(o.OTLP) == 0 && !l.failed() {
		l.errNode(v, path, "no exporter", `declare "exporters": {"ocagent": {...}} or {"jaeger": {...}}, or use telemetry/opentelemetry`)
	}
	l.warnAt(v.pos, path, "telemetry/opencensus is served by the OpenTelemetry pipeline: "+strings.Join(mapped, "; "),
		"move to telemetry/opentelemetry")
	c.OpenTelemetry = o
}

// openCensusExporters maps the opencensus exporters onto OTLP ones and
// refuses the others, naming them.
func (l *loader) openCensusExporters(o *OpenTelemetry, v *node, base, key string) (mapped []string) {
	if !l.object(v, base, key) {
		return nil
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "ocagent":
			if x, ok := l.ocAgent(o, mv, path, m.key); ok {
				o.OTLP = append(o.OTLP, x)
				mapped = append(mapped, "exporters.ocagent → OTLP over gRPC to "+x.Endpoint())
			}
		case "jaeger":
			if x, ok := l.ocJaeger(o, mv, path, m.key); ok {
				o.OTLP = append(o.OTLP, x)
				mapped = append(mapped, "exporters.jaeger → OTLP over HTTP to "+x.Endpoint()+" (the collector must accept OTLP)")
			}
		case "zipkin", "prometheus", "logger", "xray", "stackdriver", "datadog", "influxdb":
			l.errAt(m.pos, keyPath(path, m.key), "opencensus exporter "+quoteJSON(m.key)+" not supported",
				"use telemetry/opentelemetry with an OTLP exporter (or a Prometheus one, on a server)")
		default:
			l.unknownKey(objOpenCensusExporters, path, m)
		}
	}
	return mapped
}

// ocAgent maps exporters.ocagent onto an OTLP gRPC exporter.
func (l *loader) ocAgent(o *OpenTelemetry, v *node, base, key string) (OTLPExporter, bool) {
	x := OTLPExporter{Name: "ocagent", Port: OTLPGRPCPort, Secure: true}
	if !l.object(v, base, key) {
		return x, false
	}
	path := keyPath(base, key)
	ok := false
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "address":
			if s, good := l.str(mv, path, m.key); good {
				host, port, err := net.SplitHostPort(s)
				p, perr := strconv.Atoi(port)
				if err != nil || perr != nil || p < 1 || p > 65535 || host == "" {
					l.errNode(mv, keyPath(path, m.key), "invalid address "+quoteJSON(s), `use host:port, e.g. "otel-collector:4317"`)
					continue
				}
				x.Host, x.Port, ok = host, p, true
			}
		case "service_name":
			if s, good := l.str(mv, path, m.key); good && o.ServiceName == "" {
				o.ServiceName = s
			}
		case "insecure":
			var b bool
			l.setBool(&b, mv, path, m.key)
			x.Secure = !b
		case "reconnection":
			// The OTLP gRPC client reconnects with its own backoff.
			l.duration(mv, path, m.key)
		case "enable_compression":
			l.setBool(&x.Compress, mv, path, m.key)
		case "headers":
			x.Headers = l.stringMap(mv, path, m.key)
		default:
			l.unknownKey(objOCAgent, path, m)
		}
	}
	if !ok && !l.failed() {
		l.errNode(v, path, "missing address", `the collector's host:port, e.g. "otel-collector:4317"`)
	}
	return x, ok
}

// ocJaeger maps exporters.jaeger onto an OTLP HTTP exporter at the same
// host and port.
func (l *loader) ocJaeger(o *OpenTelemetry, v *node, base, key string) (OTLPExporter, bool) {
	x := OTLPExporter{Name: "jaeger", UseHTTP: true, Port: OTLPHTTPPort}
	if !l.object(v, base, key) {
		return x, false
	}
	path := keyPath(base, key)
	ok := false
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "endpoint":
			if s, good := l.str(mv, path, m.key); good {
				u, err := url.Parse(s)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
					l.errNode(mv, keyPath(path, m.key), "invalid endpoint "+quoteJSON(s), `use the collector's URL, e.g. "http://jaeger:4318"`)
					continue
				}
				x.Host, x.Secure, ok = u.Hostname(), u.Scheme == "https", true
				if p, err := strconv.Atoi(u.Port()); err == nil && p > 0 && p < 65536 {
					x.Port = p
				}
			}
		case "service_name":
			if s, good := l.str(mv, path, m.key); good && o.ServiceName == "" {
				o.ServiceName = s
			}
		case "buffer_max_count":
			if n, good := l.intRange(mv, path, m.key, 1, 1<<20); good {
				o.MaxQueueSize = int(n)
			}
		default:
			l.unknownKey(objJaeger, path, m)
		}
	}
	if !ok && !l.failed() {
		l.errNode(v, path, "missing endpoint", `the collector's URL, e.g. "http://jaeger:4318"`)
	}
	return x, ok
}

// stringMap decodes an object of strings.
func (l *loader) stringMap(v *node, base, key string) map[string]string {
	if !l.object(v, base, key) {
		return nil
	}
	path := keyPath(base, key)
	out := make(map[string]string, len(v.members))
	for i := range v.members {
		m := &v.members[i]
		if s, ok := l.str(&m.val, path, m.key); ok {
			out[m.key] = s
		}
	}
	return out
}

// trustedTraceSources decodes tributary.trusted_trace_sources: the
// client addresses whose incoming W3C trace context is honoured.
func (l *loader) trustedTraceSources(c *Config, v *node, base, key string) {
	c.TrustedTraceSources = l.trustedProxies(v, base, key)
}

// otelSchema is the key table of the telemetry objects.
func otelSchema(k objKind) objSchema {
	switch k {
	case objOTel:
		return objSchema{valid: otelKeys, gap: otelUnsupported}
	case objOTelExporters:
		return objSchema{valid: otelExporterKeys}
	case objOTLP:
		return objSchema{valid: otlpKeys}
	case objPrometheus:
		return objSchema{valid: promKeys}
	case objOTelLayers:
		return objSchema{valid: otelLayersKeys}
	case objOTelLayer:
		return objSchema{valid: otelLayerKeys}
	case objOTelBackend:
		return objSchema{valid: otelBackendKeys}
	case objOTelStage:
		return objSchema{valid: otelStageKeys}
	case objOpenCensus:
		return objSchema{valid: opencensusKeys}
	case objOpenCensusLayers:
		return objSchema{valid: opencensusLayerKeys}
	case objOpenCensusExporters:
		return objSchema{valid: opencensusExporterKeys}
	case objOCAgent:
		return objSchema{valid: ocagentKeys}
	default: // objJaeger
		return objSchema{valid: jaegerKeys}
	}
}
