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

// bigEndpoint serves the ~1 MB document with one field denied.
func bigEndpoint(path string, host []string) kdEndpoint {
	return kdEndpoint{Endpoint: path, Method: "GET", Backend: []kdBackend{
		{Host: host, URLPattern: "/big", Deny: []string{bigDeniedField}},
	}}
}

// scenarioConfig returns the config of the named scenario (proxy,
// aggregate, big) for a stub backend at backendAddr ("127.0.0.1:PORT") and
// a gateway on port.
func scenarioConfig(name, backendAddr string, port int) ([]byte, error) {
	host := []string{"http://" + backendAddr}
	var ep kdEndpoint
	switch name {
	case "proxy":
		ep = proxyEndpoint("/users/{id_user}", host)
	case "limited":
		ep = limitedEndpoint("/users/{id_user}", host)
	case "aggregate":
		ep = aggregateEndpoint("/frontpage/{id_user}", host)
	case "big":
		ep = bigEndpoint("/big", host)
	default:
		return nil, fmt.Errorf("unknown scenario %q", name)
	}
	return encodeConfig(newConfig(name, port, []kdEndpoint{ep}))
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
