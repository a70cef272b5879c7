package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/observe"
)

// compileOpenTelemetry builds the telemetry/opentelemetry observer, or nil.
func compileOpenTelemetry(cfg *config.Config, p *Plan) (observe.Observer, error) {
	return nil, nil
}
