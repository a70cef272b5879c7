package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/metrics"
)

// Metrics is the compiled "telemetry/metrics" namespace.
type Metrics struct {
	// Registry holds every counter and histogram; the endpoints' and
	// backends' slots point into it.
	Registry *metrics.Registry
	// ListenAddress is where a server serves the stats (listen_address).
	ListenAddress string
	// Publish is false under endpoint_disabled: the stats are collected
	// but neither served nor logged.
	Publish bool
}

// compileMetrics allocates one slot per endpoint path and per backend
// url_pattern, or returns nil when the namespace is absent.
func compileMetrics(cfg *config.Config, p *Plan) *Metrics {
	mc := cfg.Metrics
	if mc == nil {
		return nil
	}
	reg := metrics.New(metrics.Options{
		CollectionTime:  mc.CollectionTime,
		RouterDisabled:  mc.RouterDisabled,
		ProxyDisabled:   mc.ProxyDisabled,
		BackendDisabled: mc.BackendDisabled,
	})
	for _, ep := range p.Endpoints {
		if ep == nil {
			continue
		}
		ep.Metrics = reg.Endpoint(ep.Path)
		for _, b := range ep.Backends {
			b.Metrics = reg.Backend(b.Pattern)
		}
	}
	return &Metrics{Registry: reg, ListenAddress: mc.ListenAddress, Publish: !mc.EndpointDisabled}
}
