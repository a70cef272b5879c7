//go:build tributary_nootel

package plan

import (
	"errors"
	"net/http"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/observe"
)

// The OpenTelemetry builder of a binary built with the tributary_nootel
// tag, which leaves the OpenTelemetry SDK and gRPC out: a config with
// telemetry/opentelemetry or telemetry/opencensus is refused at load,
// never served without its telemetry.

var errNoOTel = errors.New("this binary was built without OpenTelemetry support (build tag tributary_nootel, which the Lambda builds add unless `tributary sam generate -c CONFIG -o template.yaml` found telemetry/opentelemetry or telemetry/opencensus in CONFIG); regenerate the template from this config, or build with FUNCTION_TAGS set without tributary_nootel")

func compileOpenTelemetry(cfg *config.Config, p *Plan) (observe.Observer, error) {
	if cfg.OpenTelemetry != nil {
		return nil, errNoOTel
	}
	return nil, nil
}

// PrometheusListener is a Prometheus exporter of telemetry/opentelemetry
// that a server serves on its own listener.
type PrometheusListener struct {
	// Name is the exporter's name.
	Name string
	// Address is listen_ip:port.
	Address string
	// Handler serves the metrics.
	Handler http.Handler
}

// PrometheusListeners returns nil: this binary has no OpenTelemetry.
func PrometheusListeners(observe.Observer) []PrometheusListener { return nil }
