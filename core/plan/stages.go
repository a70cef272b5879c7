package plan

import (
	"fmt"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

// compiler carries what the stage builders of one Compile share: the
// config, the state store (created on first use, so a config without a
// stateful stage allocates none) and objects several endpoints or backends
// share (one JWK cache per URL, one shared HTTP cache).
type compiler struct {
	cfg    *config.Config
	store  stage.Store
	shared map[string]any
}

// stateStore returns the store stateful stages keep their state in.
func (c *compiler) stateStore() stage.Store {
	if c.store == nil {
		c.store = c.rateLimitStore()
	}
	return c.store
}

// memo returns the value stored under key, making it with mk the first
// time. Keys are prefixed by the feature that owns them ("jwks:<url>").
func (c *compiler) memo(key string, mk func() (any, error)) (any, error) {
	if v, ok := c.shared[key]; ok {
		return v, nil
	}
	v, err := mk()
	if err != nil {
		return nil, err
	}
	if c.shared == nil {
		c.shared = make(map[string]any)
	}
	c.shared[key] = v
	return v, nil
}

// serviceStages are the stages run before routing, in the order of
// krakend-compat §8: CORS preflights (3), security/http (4), then the
// service-level bot detector.
func (c *compiler) serviceStages() ([]stage.Endpoint, error) {
	var out []stage.Endpoint
	add := func(s stage.Endpoint, err error) error {
		if err == nil && s != nil {
			out = append(out, s)
		}
		return err
	}
	if err := c.checkSharedStore(); err != nil {
		return nil, fmt.Errorf("tributary.shared_store: %w", err)
	}
	if err := add(c.corsStage()); err != nil {
		return nil, fmt.Errorf("security/cors: %w", err)
	}
	if err := add(c.httpSecureStage()); err != nil {
		return nil, fmt.Errorf("security/http: %w", err)
	}
	if err := add(c.revokeAdminStage()); err != nil {
		return nil, fmt.Errorf("auth/revoker: %w", err)
	}
	if err := add(c.botDetectorStage(c.cfg.BotDetector)); err != nil {
		return nil, fmt.Errorf("security/bot-detector: %w", err)
	}
	return out, nil
}

// endpointStages are e's stages in the order of krakend-compat §8: the
// endpoint bot detector (after the route match), auth/validator with its
// validation/cel JWT expressions and the revocation check (7),
// qos/ratelimit/router (8), validation/json-schema (9), then the
// validation/cel request expressions.
func (c *compiler) endpointStages(e *config.Endpoint) ([]stage.Endpoint, error) {
	var out []stage.Endpoint
	add := func(s stage.Endpoint, err error) error {
		if err == nil && s != nil {
			out = append(out, s)
		}
		return err
	}
	if err := add(c.botDetectorStage(e.BotDetector)); err != nil {
		return nil, fmt.Errorf("security/bot-detector: %w", err)
	}
	if err := add(c.lambdaStage(e)); err != nil {
		return nil, fmt.Errorf("backend/lambda: %w", err)
	}
	if err := add(c.validatorStage(e)); err != nil {
		return nil, fmt.Errorf("auth/validator: %w", err)
	}
	if err := add(c.celJWTStage(e)); err != nil {
		return nil, fmt.Errorf("validation/cel: %w", err)
	}
	if err := add(c.revokerStage(e)); err != nil {
		return nil, fmt.Errorf("auth/revoker: %w", err)
	}
	luaEndpoint, err := c.luaEndpointStages(e)
	if err != nil {
		return nil, fmt.Errorf("modifier/lua-endpoint: %w", err)
	}
	out = append(out, luaEndpoint...)
	if err := add(c.routerRateLimitStage(e)); err != nil {
		return nil, fmt.Errorf("qos/ratelimit/router: %w", err)
	}
	if err := add(c.jsonSchemaStage(e)); err != nil {
		return nil, fmt.Errorf("validation/json-schema: %w", err)
	}
	if err := add(c.celRequestStage(e)); err != nil {
		return nil, fmt.Errorf("validation/cel: %w", err)
	}
	if err := add(c.luaProxyStage(e)); err != nil {
		return nil, fmt.Errorf("modifier/lua-proxy: %w", err)
	}
	return out, nil
}

// backendStages are b's stages in the order of krakend-compat §9: the
// HTTP cache lookup (3), the backend rate limit (4), the circuit breaker
// (5), then the client-credentials token and the martian request
// modifiers (6). The validation/cel request expressions come first (no
// cached answer or token is spent on a refused request) and its response
// expressions last (they see the response after martian's modifiers).
func (c *compiler) backendStages(e *config.Endpoint, b *config.Backend) ([]stage.Backend, error) {
	var out []stage.Backend
	add := func(s stage.Backend, err error) error {
		if err == nil && s != nil {
			out = append(out, s)
		}
		return err
	}
	if err := add(c.celBackendRequestStage(e, b)); err != nil {
		return nil, fmt.Errorf("validation/cel: %w", err)
	}
	if err := add(c.httpCacheStage(e, b)); err != nil {
		return nil, fmt.Errorf("qos/http-cache: %w", err)
	}
	if err := add(c.proxyRateLimitStage(e, b)); err != nil {
		return nil, fmt.Errorf("qos/ratelimit/proxy: %w", err)
	}
	if err := add(c.circuitBreakerStage(e, b)); err != nil {
		return nil, fmt.Errorf("qos/circuit-breaker: %w", err)
	}
	if err := add(c.clientCredentialsStage(e, b)); err != nil {
		return nil, fmt.Errorf("auth/client-credentials: %w", err)
	}
	if err := add(c.martianStage(b)); err != nil {
		return nil, fmt.Errorf("modifier/martian: %w", err)
	}
	if err := add(c.luaBackendStage(e, b)); err != nil {
		return nil, fmt.Errorf("modifier/lua-backend: %w", err)
	}
	if err := add(c.celBackendResponseStage(e, b)); err != nil {
		return nil, fmt.Errorf("validation/cel: %w", err)
	}
	return out, nil
}
