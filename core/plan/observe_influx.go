package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/observe"
)

// compileInflux builds the telemetry/influx pusher, or nil.
func compileInflux(cfg *config.Config, p *Plan) (observe.Observer, error) {
	return nil, nil
}
