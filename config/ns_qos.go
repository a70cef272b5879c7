package config

// RouterRateLimit is the "qos/ratelimit/router" namespace (§17.4).
type RouterRateLimit struct{}

// ProxyRateLimit is the "qos/ratelimit/proxy" namespace (§17.5).
type ProxyRateLimit struct{}

// CircuitBreaker is the "qos/circuit-breaker" namespace (§17.6).
type CircuitBreaker struct{}

// routerRateLimit decodes "qos/ratelimit/router".
func (l *loader) routerRateLimit(e *Endpoint, v *node, base, key string) { l.notYet(v, base, key) }

// proxyRateLimit decodes "qos/ratelimit/proxy".
func (l *loader) proxyRateLimit(b *Backend, v *node, base, key string) { l.notYet(v, base, key) }

// circuitBreaker decodes "qos/circuit-breaker".
func (l *loader) circuitBreaker(b *Backend, v *node, base, key string) { l.notYet(v, base, key) }
