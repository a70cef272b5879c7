package plan

import (
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

// routerRateLimitStage compiles e's qos/ratelimit/router; nil when it is
// not configured.
func (c *compiler) routerRateLimitStage(e *config.Endpoint) (stage.Endpoint, error) { return nil, nil }

// proxyRateLimitStage compiles b's qos/ratelimit/proxy; nil when it is not
// configured.
func (c *compiler) proxyRateLimitStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	return nil, nil
}

// circuitBreakerStage compiles b's qos/circuit-breaker; nil when it is not
// configured.
func (c *compiler) circuitBreakerStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	return nil, nil
}
