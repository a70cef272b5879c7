package plan

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/backend"
	"github.com/tributary-gw/tributary/core/qos"
	"github.com/tributary-gw/tributary/core/stage"
)

// routerRateLimitStage compiles e's qos/ratelimit/router; nil when it is
// not configured.
func (c *compiler) routerRateLimitStage(e *config.Endpoint) (stage.Endpoint, error) {
	rl := e.RateLimit
	if rl == nil {
		return nil, nil
	}
	o := qos.RouterOptions{
		Route:    e.Method + " " + e.Path,
		Endpoint: qos.PerEvery(rl.MaxRate, rl.Every, int(rl.Capacity)),
		Client:   qos.PerEvery(rl.ClientMaxRate, rl.Every, int(rl.ClientCapacity)),
		Key:      rl.Key,
		Store:    c.stateStore(),
	}
	if o.Client.On() {
		switch rl.Strategy {
		case config.RateLimitByIP:
			o.Strategy = qos.ByIP
		case config.RateLimitByHeader:
			o.Strategy = qos.ByHeader
		case config.RateLimitByParam:
			o.Strategy = qos.ByParam
			if !slices.Contains(e.Params, rl.Key) {
				declared := "it declares none"
				if len(e.Params) > 0 {
					declared = "it declares {" + strings.Join(e.Params, "}, {") + "}"
				}
				return nil, fmt.Errorf("strategy \"param\": key %s names no placeholder of the endpoint %s; %s",
					strconv.Quote(rl.Key), e.Path, declared)
			}
		}
	}
	return qos.NewRouterLimiter(o)
}

// proxyRateLimitStage compiles b's qos/ratelimit/proxy; nil when it is not
// configured.
func (c *compiler) proxyRateLimitStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	if b.RateLimit == nil {
		return nil, nil
	}
	l := qos.PerEvery(b.RateLimit.MaxRate, b.RateLimit.Every, int(b.RateLimit.Capacity))
	return qos.NewProxyLimiter(backendName(e, b), l, c.stateStore())
}

// circuitBreakerStage compiles b's qos/circuit-breaker; nil when it is not
// configured.
func (c *compiler) circuitBreakerStage(e *config.Endpoint, b *config.Backend) (stage.Backend, error) {
	cb := b.CircuitBreaker
	if cb == nil {
		return nil, nil
	}
	return qos.NewBreaker(qos.BreakerOptions{
		Interval:        cb.Interval,
		Timeout:         cb.Timeout,
		MaxErrors:       int(cb.MaxErrors),
		Name:            cb.Name,
		LogStatusChange: cb.LogStatusChange,
		NotBackendFault: notBackendFault,
	})
}

// notBackendFault reports the call errors a breaker does not count
// besides cancellations: a redirect the gateway refused to follow (the
// backend answered 3xx) and a request the client refused to send.
func notBackendFault(err error) bool {
	return errors.Is(err, backend.ErrRedirectNotAllowed) || errors.Is(err, backend.ErrTooManyRedirects) ||
		errors.Is(err, backend.ErrInvalidRequest)
}

// backendName names b for the state store: its endpoint and position.
func backendName(e *config.Endpoint, b *config.Backend) string {
	i := slices.Index(e.Backends, b)
	return e.Method + " " + e.Path + "#" + strconv.Itoa(i)
}
