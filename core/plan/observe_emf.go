package plan

import (
	"errors"
	"io"
	"os"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/emf"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/qos"
)

// compileLambdaMetrics builds the CloudWatch Embedded Metric Format
// observer, or nil. Its lines go to stdout, in a Lambda function and in
// `tributary run` alike: behind a CloudWatch agent, or in a container
// whose stdout is shipped to CloudWatch Logs, a server's lines become
// metrics just as a function's do.
func compileLambdaMetrics(cfg *config.Config, p *Plan) (observe.Observer, error) {
	return newLambdaMetrics(cfg.LambdaMetrics, os.Stdout)
}

// newLambdaMetrics builds the observer of m writing to w, or nil when m is
// nil.
func newLambdaMetrics(m *config.LambdaMetrics, w io.Writer) (observe.Observer, error) {
	if m == nil {
		return nil, nil
	}
	dims := make([]emf.Dimension, 0, len(m.Dimensions))
	for _, d := range m.Dimensions {
		switch d {
		case config.LambdaMetricsRoute:
			dims = append(dims, emf.Route)
		case config.LambdaMetricsMethod:
			dims = append(dims, emf.Method)
		case config.LambdaMetricsStatusClass:
			dims = append(dims, emf.StatusClass)
		}
	}
	o, err := emf.New(w, emf.Options{
		Namespace:   m.Namespace,
		Dimensions:  dims,
		Backends:    m.Backends,
		RateLimited: func(err error) bool { return errors.Is(err, qos.ErrRateLimited) },
	})
	if err != nil {
		return nil, errors.New(m.JSONPath + ": " + err.Error())
	}
	return o, nil
}
