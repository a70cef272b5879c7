package otel

import (
	"net"
	"strconv"
	"time"
)

// Config is the telemetry/opentelemetry namespace as the observer needs
// it; core/plan fills it from the decoded config (field for field: see
// the config package for the meaning and defaults of each option).
type Config struct {
	// ServiceName, ServiceVersion and DeployEnv are the resource
	// attributes; an empty ServiceName takes Options.ServiceName.
	ServiceName, ServiceVersion, DeployEnv string
	// TraceSampleRate is the fraction of new traces recorded, 0 to 1.
	TraceSampleRate float64
	// MetricReportingPeriod is the push period of the OTLP exporters.
	MetricReportingPeriod time.Duration
	// SkipPaths are the paths and templates never observed; nil means the
	// health path and the /__debug/ and /__echo/ built-ins.
	SkipPaths []string
	// OTLP and Prometheus are the exporters.
	OTLP       []OTLPExporter
	Prometheus []PrometheusExporter
	// Global, Proxy and Backend switch each layer's spans and metrics.
	Global, Proxy, Backend Layer
	// MaxQueueSize bounds each exporter's span queue; 0 means
	// DefaultQueueSize.
	MaxQueueSize int
}

// Layer switches one layer's metrics and spans off.
type Layer struct {
	// DisableMetrics turns the layer's histograms off.
	DisableMetrics bool
	// DisableTraces turns the layer's spans off.
	DisableTraces bool
}

// OTLPExporter is one OTLP exporter.
type OTLPExporter struct {
	// Name labels the exporter in log lines.
	Name string
	// Host and Port locate the collector.
	Host string
	Port int
	// UseHTTP selects OTLP over HTTP; false is gRPC.
	UseHTTP bool
	// Secure selects TLS; false is plain text.
	Secure bool
	// DisableMetrics and DisableTraces keep metrics or spans from it.
	DisableMetrics bool
	DisableTraces  bool
	// ReportingPeriod overrides Config.MetricReportingPeriod when > 0.
	ReportingPeriod time.Duration
	// Headers are sent with every export.
	Headers map[string]string
	// Compress gzips the exports.
	Compress bool
}

// endpoint is host:port.
func (e OTLPExporter) endpoint() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// PrometheusExporter is one Prometheus exporter.
type PrometheusExporter struct {
	// Name labels the exporter.
	Name string
	// ListenIP and Port are where a server listens for scrapes.
	ListenIP string
	Port     int
	// DisableMetrics turns the exporter off.
	DisableMetrics bool
	// GoMetrics and ProcessMetrics add the Go runtime and process
	// collectors.
	GoMetrics, ProcessMetrics bool
}

// address is listen_ip:port.
func (e PrometheusExporter) address() string {
	return net.JoinHostPort(e.ListenIP, strconv.Itoa(e.Port))
}
