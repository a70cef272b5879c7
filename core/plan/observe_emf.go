package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/observe"
)

// compileLambdaMetrics builds the CloudWatch Embedded Metric Format
// observer, or nil.
func compileLambdaMetrics(cfg *config.Config, p *Plan) (observe.Observer, error) {
	return nil, nil
}
