package main

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The subset of the KrakenD v3 config format the harness generates.
type kdConfig struct {
	Version     int            `json:"version"`
	Name        string         `json:"name"`
	Port        int            `json:"port"`
	ListenIP    string         `json:"listen_ip"`
	Timeout     string         `json:"timeout"`
	ExtraConfig map[string]any `json:"extra_config,omitempty"`
	Endpoints   []kdEndpoint   `json:"endpoints"`
}

type kdEndpoint struct {
	Endpoint    string         `json:"endpoint"`
	Method      string         `json:"method"`
	Backend     []kdBackend    `json:"backend"`
	ExtraConfig map[string]any `json:"extra_config,omitempty"`
}

type kdBackend struct {
	Host         []string          `json:"host"`
	URLPattern   string            `json:"url_pattern"`
	IsCollection bool              `json:"is_collection,omitempty"`
	Allow        []string          `json:"allow,omitempty"`
	Deny         []string          `json:"deny,omitempty"`
	Mapping      map[string]string `json:"mapping,omitempty"`
	Group        string            `json:"group,omitempty"`
}

// gatewayTimeout is the endpoint timeout of every generated config: long
// enough that a loaded two-core machine never turns slow answers into 504s.
const gatewayTimeout = "10s"

// newConfig returns the common root of every generated config: the gateway
// listens on 127.0.0.1:port and logs warnings and errors only, so the
// per-request access log (INFO) is not part of the measurement.
func newConfig(name string, port int, endpoints []kdEndpoint) kdConfig {
	return kdConfig{
		Version: 3, Name: "loadtest-" + name, Port: port, ListenIP: "127.0.0.1",
		Timeout: gatewayTimeout,
		ExtraConfig: map[string]any{
			"telemetry/logging": map[string]any{"level": "WARNING", "stdout": true},
		},
		Endpoints: endpoints,
	}
}

// proxyEndpoint is one endpoint passing /users/{id_user} through unshaped.
func proxyEndpoint(path string, host []string) kdEndpoint {
	return kdEndpoint{Endpoint: path, Method: "GET", Backend: []kdBackend{
		{Host: host, URLPattern: "/users/{id_user}"},
	}}
}

// aggregateEndpoint is the front page of the design brief: four backends
// merged into one ~13 KB document.
func aggregateEndpoint(path string, host []string) kdEndpoint {
	return kdEndpoint{Endpoint: path, Method: "GET", Backend: []kdBackend{
		{Host: host, URLPattern: "/users/{id_user}", Allow: []string{"name", "address.city", "loyalty.tier"}},
		{Host: host, URLPattern: "/cart/{id_user}", Group: "cart"},
		{Host: host, URLPattern: "/products", IsCollection: true, Mapping: map[string]string{"collection": "products"}},
		{Host: host, URLPattern: "/promos", Group: "promos"},
	}}
}

// limitedEndpoint is proxyEndpoint behind qos/ratelimit/router: an
// endpoint bucket and a per-client bucket (by IP) of ten million requests a
// second each, far above anything a loopback run offers, so every request
// is admitted and the scenario measures the cost of the checks.
func limitedEndpoint(path string, host []string) kdEndpoint {
	ep := proxyEndpoint(path, host)
	ep.ExtraConfig = map[string]any{"qos/ratelimit/router": map[string]any{
		"max_rate": 10_000_000, "capacity": 10_000_000,
		"client_max_rate": 10_000_000, "client_capacity": 10_000_000, "strategy": "ip",
	}}
	return ep
}

// sequentialEndpoint chains two backends with proxy.sequential: the
// user, then the cart whose URL takes the user's id_user from the first
// response ({resp0_id_user}), grouped under "cart".
func sequentialEndpoint(path string, host []string) kdEndpoint {
	return kdEndpoint{Endpoint: path, Method: "GET",
		ExtraConfig: map[string]any{"proxy": map[string]any{"sequential": true}},
		Backend: []kdBackend{
			{Host: host, URLPattern: "/users/{id_user}"},
			{Host: host, URLPattern: "/cart/{resp0_id_user}", Group: "cart"},
		}}
}

// webHeadersExtra returns the service-level namespaces of the browser-facing
// scenarios: CORS allowing browserOrigin only (no credentials, a 12 h
// preflight cache, the default exposed headers) and six security headers,
// HSTS forced on plain HTTP so the loopback run sends it too.
// tracedExtra is telemetry/opentelemetry exporting over OTLP/HTTP to a
// loopback port nothing listens on (port 1): every export fails at once,
// as with a dead collector. all samples every request and adds a
// Prometheus listener on a free loopback port; otherwise nothing is
// sampled.
func tracedExtra(all bool) map[string]any {
	otel := map[string]any{
		"service_name":      "loadtest",
		"trace_sample_rate": 0.0,
		"exporters": map[string]any{
			"otlp": []any{map[string]any{"name": "dead", "host": "127.0.0.1", "port": 1, "use_http": true}},
		},
	}
	if all {
		otel["trace_sample_rate"] = 1.0
		otel["exporters"].(map[string]any)["prometheus"] = []any{
			map[string]any{"name": "scrape", "listen_ip": "127.0.0.1", "port": scrapePort()},
		}
	}
	return map[string]any{"telemetry/opentelemetry": otel}
}

// scrapePort is a free loopback port for the Prometheus listener (9091
// when none can be found: the gateway then fails to start and says why).
func scrapePort() int {
	if p, err := freePort(); err == nil {
		return p
	}
	return 9091
}

func webHeadersExtra() map[string]any {
	return map[string]any{
		"security/cors": map[string]any{
			"allow_origins":     []string{browserOrigin},
			"allow_credentials": false,
			"max_age":           "12h",
		},
		"security/http": map[string]any{
			"frame_deny":              true,
			"content_type_nosniff":    true,
			"browser_xss_filter":      true,
			"referrer_policy":         "strict-origin-when-cross-origin",
			"content_security_policy": "default-src 'none'; frame-ancestors 'none'",
			"sts_seconds":             31536000,
			"force_sts_header":        true,
		},
	}
}

// securedEndpoint is proxyEndpoint behind auth/validator: RS256 with the
// fixture's local JWK set, and issuer, audience and roles configured so
// every check of the validator runs. cached adds the verified-token cache.
func securedEndpoint(path string, host []string, fx *authFixture, cached bool) kdEndpoint {
	ep := proxyEndpoint(path, host)
	ep.ExtraConfig = map[string]any{"auth/validator": map[string]any{
		"alg":            "RS256",
		"jwk_local_path": fx.JWKPath,
		"issuer":         jwtIssuer,
		"audience":       []string{jwtAudience},
		"roles_key":      jwtRolesKey,
		"roles":          []string{jwtRole},
	}}
	if cached {
		ep.ExtraConfig["tributary"] = map[string]any{"jwt_cache": map[string]any{"max_entries": 10000, "ttl": "1m"}}
	}
	return ep
}

// bigEndpoint serves the ~1 MB document with one field denied.
func bigEndpoint(path string, host []string) kdEndpoint {
	return kdEndpoint{Endpoint: path, Method: "GET", Backend: []kdBackend{
		{Host: host, URLPattern: "/big", Deny: []string{bigDeniedField}},
	}}
}

// scenarioConfig returns the config of the named scenario (see
// scenarios) for a stub backend at backendAddr ("127.0.0.1:PORT") and a
// gateway on port. fx is the key material of the secured scenarios; it may
// be nil for the others.
func scenarioConfig(name, backendAddr string, port int, fx *authFixture) ([]byte, error) {
	host := []string{"http://" + backendAddr}
	var ep kdEndpoint
	var service map[string]any
	switch name {
	case "proxy":
		ep = proxyEndpoint("/users/{id_user}", host)
	case "limited":
		ep = limitedEndpoint("/users/{id_user}", host)
	case "sequential":
		ep = sequentialEndpoint("/usercart/{id_user}", host)
	case "webheaders":
		ep, service = proxyEndpoint("/users/{id_user}", host), webHeadersExtra()
	case "secured", "secured-cached":
		if fx == nil {
			return nil, fmt.Errorf("scenario %s: no JWK set and token", name)
		}
		ep, service = securedEndpoint("/users/{id_user}", host, fx, name == "secured-cached"), webHeadersExtra()
	case "traced-off", "traced":
		ep, service = proxyEndpoint("/users/{id_user}", host), tracedExtra(name == "traced")
	case "aggregate":
		ep = aggregateEndpoint("/frontpage/{id_user}", host)
	case "big":
		ep = bigEndpoint("/big", host)
	default:
		return nil, fmt.Errorf("unknown scenario %q", name)
	}
	c := newConfig(name, port, []kdEndpoint{ep})
	for k, v := range service {
		c.ExtraConfig[k] = v
	}
	return encodeConfig(c)
}

// startupEndpoints is the size of the start-up config.
const startupEndpoints = 100

// startupProbePath is the request the start-up measurement waits for: the
// last endpoint of the start-up config.
func startupProbePath() string {
	return "/svc/" + strconv.Itoa(startupEndpoints-1) + "/1"
}

// startupConfig returns a config with startupEndpoints endpoints, a mix of
// the three scenario shapes (every fourth endpoint aggregates four
// backends, every fourth denies a field, the rest pass through), so start-up
// includes a realistic amount of filter compilation.
func startupConfig(backendAddr string, port int) ([]byte, error) {
	host := []string{"http://" + backendAddr}
	eps := make([]kdEndpoint, 0, startupEndpoints)
	for i := range startupEndpoints {
		path := "/svc/" + strconv.Itoa(i) + "/{id_user}"
		switch i % 4 {
		case 1:
			eps = append(eps, aggregateEndpoint(path, host))
		case 2:
			ep := proxyEndpoint(path, host)
			ep.Backend[0].Deny = []string{"password_hash"}
			eps = append(eps, ep)
		default:
			eps = append(eps, proxyEndpoint(path, host))
		}
	}
	return encodeConfig(newConfig("startup", port, eps))
}

func encodeConfig(c kdConfig) ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding config %s: %w", c.Name, err)
	}
	return append(b, '\n'), nil
}
