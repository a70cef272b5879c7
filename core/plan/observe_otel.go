//go:build !tributary_nootel

package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/otel"
)

// compileOpenTelemetry builds the telemetry/opentelemetry observer (also
// serving a mapped telemetry/opencensus), or nil when the config has
// neither. It starts the exporters' background goroutines but does no
// network I/O; a Prometheus exporter's listener is started by the server
// (see PrometheusListeners).
func compileOpenTelemetry(cfg *config.Config, p *Plan) (observe.Observer, error) {
	if cfg.OpenTelemetry == nil {
		return nil, nil
	}
	c := cfg.OpenTelemetry
	oc := &otel.Config{ServiceName: c.ServiceName, ServiceVersion: c.ServiceVersion, DeployEnv: c.DeployEnv,
		TraceSampleRate: c.TraceSampleRate, MetricReportingPeriod: c.MetricReportingPeriod, SkipPaths: c.SkipPaths,
		Global: otel.Layer(c.Global), Proxy: otel.Layer(c.Proxy), Backend: otel.Layer(c.Backend), MaxQueueSize: c.MaxQueueSize}
	for _, x := range c.OTLP {
		oc.OTLP = append(oc.OTLP, otel.OTLPExporter(x))
	}
	for _, x := range c.Prometheus {
		oc.Prometheus = append(oc.Prometheus, otel.PrometheusExporter(x))
	}
	ob, err := otel.New(otel.Options{Config: oc, ServiceName: cfg.Name, HealthPath: cfg.Router.HealthPath,
		TrustedSources: cfg.TrustedTraceSources})
	if err != nil {
		return nil, err
	}
	return ob, nil
}

// PrometheusListener is a Prometheus exporter of telemetry/opentelemetry
// that a server serves on its own listener.
type PrometheusListener = otel.PrometheusListener

// PrometheusListeners returns the Prometheus exporters the observer o
// (exec.Gateway.Observer) asks a server to serve, or nil.
func PrometheusListeners(o observe.Observer) []PrometheusListener {
	if ob := otel.Find(o); ob != nil {
		return ob.Prometheus()
	}
	return nil
}
