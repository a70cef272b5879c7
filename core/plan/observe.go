package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/observe"
)

// compileObserver joins the observers the config asks for into
// Plan.Observer: nil when it asks for none, so requests skip the seam.
func compileObserver(cfg *config.Config, p *Plan) (observe.Observer, error) {
	otel, err := compileOpenTelemetry(cfg, p)
	if err != nil {
		return nil, err
	}
	emf, err := compileLambdaMetrics(cfg, p)
	if err != nil {
		return nil, err
	}
	influx, err := compileInflux(cfg, p)
	if err != nil {
		return nil, err
	}
	return observe.Join(otel, emf, influx), nil
}
