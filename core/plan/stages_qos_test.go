package plan

import (
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/qos"
)

// TestQoSStages checks what the QoS builders compile: nothing when the
// namespaces are absent, the stages in §9 order when present, and a
// refusal when a param strategy names no placeholder of its endpoint.
func TestQoSStages(t *testing.T) {
	load := func(t *testing.T, src string) *config.Config {
		t.Helper()
		cfg, err := config.Load("t.json", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	p, err := Compile(load(t, `{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/a"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Endpoints[0].Stages) != 0 || len(p.Endpoints[0].Backends[0].Stages) != 0 {
		t.Fatal("stages compiled for a config without QoS")
	}
	p, err = Compile(load(t, `{"version": 3, "endpoints": [{"endpoint": "/a/{id}", "backend": [{"host": ["http://h"], "url_pattern": "/a",
  "extra_config": {"qos/ratelimit/proxy": {"max_rate": 1, "capacity": 1}, "qos/circuit-breaker": {"interval": 1, "timeout": 1, "max_errors": 1}}}],
  "extra_config": {"qos/ratelimit/router": {"client_max_rate": 1, "strategy": "param", "key": "id"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.Endpoints[0].Stages); n != 1 {
		t.Fatalf("%d endpoint stages, want 1", n)
	}
	if n := len(p.Endpoints[0].Backends[0].Stages); n != 2 {
		t.Fatalf("%d backend stages, want 2 (rate limit, then breaker)", n)
	}
	if _, ok := p.Endpoints[0].Backends[0].Stages[0].(*qos.ProxyLimiter); !ok {
		t.Fatal("the backend rate limit does not run before the breaker")
	}
	_, err = Compile(load(t, `{"version": 3, "endpoints": [{"endpoint": "/a/{id}", "backend": [{"host": ["http://h"], "url_pattern": "/a"}],
  "extra_config": {"qos/ratelimit/router": {"client_max_rate": 1, "strategy": "param", "key": "user"}}}]}`))
	if err == nil || !strings.Contains(err.Error(), `qos/ratelimit/router: strategy "param": key "user" names no placeholder of the endpoint /a/{id}; it declares {id}`) {
		t.Fatalf("param key without a placeholder: %v", err)
	}
}
