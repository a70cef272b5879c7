package faults

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GatewayOptions shape the generated gateway config. The zero value works
// apart from FaultAddr.
type GatewayOptions struct {
	// FaultAddr is the fault server's "127.0.0.1:PORT".
	FaultAddr string
	// Port is written into the config (1–65535). StartGateway ignores it
	// and listens on a free loopback port. Default 8080.
	Port int
	// Timeout is the endpoint timeout T of the /e1, /e2 and /e3
	// endpoints. Default 1s.
	Timeout time.Duration
	// SlowTimeout is the timeout of the /slow endpoint the disconnect
	// storm uses: long, so that a backend call still running when the
	// client leaves can only end early if the gateway cancels it.
	// Default 10s.
	SlowTimeout time.Duration
	// ReadHeaderTimeout is the server's read_header_timeout (slowloris).
	// Default 1s.
	ReadHeaderTimeout time.Duration
	// IdleConnTimeout is idle_connection_timeout: how long the gateway
	// keeps an idle backend connection. Default 3s.
	IdleConnTimeout time.Duration
	// CacheTTL is the service cache_ttl, so that complete responses carry
	// Cache-Control and partial ones must not. Default 30s.
	CacheTTL time.Duration
	// LogLevel is telemetry/logging's level. Default "ERROR": backend
	// failures (WARNING) are the point of the suite, panics are not.
	LogLevel string
}

// WithDefaults returns o with every zero field set to its default.
func (o GatewayOptions) WithDefaults() GatewayOptions {
	if o.Port <= 0 {
		o.Port = 8080
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.SlowTimeout <= 0 {
		o.SlowTimeout = 10 * time.Second
	}
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = time.Second
	}
	if o.IdleConnTimeout <= 0 {
		o.IdleConnTimeout = 3 * time.Second
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = 30 * time.Second
	}
	if o.LogLevel == "" {
		o.LogLevel = "ERROR"
	}
	return o
}

// CacheControl is the header complete responses must carry under o.
func (o GatewayOptions) CacheControl() string {
	return "public, max-age=" + strconv.Itoa(int(o.WithDefaults().CacheTTL/time.Second))
}

// Limits returns the expectations' limits for the /e endpoints.
func (o GatewayOptions) Limits() Limits { return Limits{Timeout: o.WithDefaults().Timeout} }

// The subset of the KrakenD v3 format the generator writes.
type (
	kdConfig struct {
		Version           int            `json:"version"`
		Name              string         `json:"name"`
		Port              int            `json:"port"`
		ListenIP          string         `json:"listen_ip"`
		Timeout           string         `json:"timeout"`
		CacheTTL          string         `json:"cache_ttl"`
		ReadHeaderTimeout string         `json:"read_header_timeout"`
		IdleConnTimeout   string         `json:"idle_connection_timeout"`
		ExtraConfig       map[string]any `json:"extra_config"`
		Endpoints         []kdEndpoint   `json:"endpoints"`
	}
	kdEndpoint struct {
		Endpoint string      `json:"endpoint"`
		Method   string      `json:"method"`
		Timeout  string      `json:"timeout,omitempty"`
		Backend  []kdBackend `json:"backend"`
	}
	kdBackend struct {
		Host        []string       `json:"host"`
		URLPattern  string         `json:"url_pattern"`
		Group       string         `json:"group"`
		ExtraConfig map[string]any `json:"extra_config,omitempty"`
	}
)

// MaxBackends is the widest fan-out of the generated endpoints.
const MaxBackends = 3

// GatewayConfig returns a KrakenD v3 config for a gateway in front of the
// fault server:
//
//	GET /e1/{f0}/{id}                one backend
//	GET /e2/{f0}/{f1}/{id}           two backends
//	GET /e3/{f0}/{f1}/{f2}/{id}      three backends; the third follows
//	                                 redirects (3 hops at most)
//	GET /slow/{f0}/{f1}/{id}         two backends, SlowTimeout
//
// Backend i of each endpoint calls /fault/{fi}/{id}/i and its data is
// grouped under "b<i>", so the merged response shows which backends
// succeeded and whose answer each one got.
func GatewayConfig(o GatewayOptions) ([]byte, error) {
	o = o.WithDefaults()
	if o.FaultAddr == "" {
		return nil, fmt.Errorf("gateway config: no fault server address")
	}
	host := []string{"http://" + o.FaultAddr}
	endpoint := func(prefix string, n int, timeout string) kdEndpoint {
		ep := kdEndpoint{Endpoint: prefix, Method: "GET", Timeout: timeout}
		for i := range n {
			ep.Endpoint += "/{f" + strconv.Itoa(i) + "}"
			b := kdBackend{
				Host:       host,
				URLPattern: "/fault/{f" + strconv.Itoa(i) + "}/{id}/" + strconv.Itoa(i),
				Group:      "b" + strconv.Itoa(i),
			}
			if n == 3 && i == 2 {
				b.ExtraConfig = map[string]any{"tributary": map[string]any{"follow_redirects": true, "max_redirects": 3}}
			}
			ep.Backend = append(ep.Backend, b)
		}
		ep.Endpoint += "/{id}"
		return ep
	}
	c := kdConfig{
		Version: 3, Name: "tributary-faults", Port: o.Port, ListenIP: "127.0.0.1",
		Timeout:           o.Timeout.String(),
		CacheTTL:          o.CacheTTL.String(),
		ReadHeaderTimeout: o.ReadHeaderTimeout.String(),
		IdleConnTimeout:   o.IdleConnTimeout.String(),
		ExtraConfig: map[string]any{
			"telemetry/logging": map[string]any{"level": o.LogLevel, "stdout": true},
			"router":            map[string]any{"disable_access_log": true},
		},
		Endpoints: []kdEndpoint{
			endpoint("/e1", 1, ""),
			endpoint("/e2", 2, ""),
			endpoint("/e3", 3, ""),
			endpoint("/slow", 2, o.SlowTimeout.String()),
		},
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("gateway config: %w", err)
	}
	return append(b, '\n'), nil
}

// Path returns the request path of an /e endpoint calling one backend per
// fault (1–3 faults).
func Path(faults []Fault, id string) string {
	return pathUnder("/e"+strconv.Itoa(len(faults)), faults, id)
}

// SlowPath returns the request path of the /slow endpoint (two faults).
func SlowPath(f0, f1 Fault, id string) string {
	return pathUnder("/slow", []Fault{f0, f1}, id)
}

// pathUnder returns prefix/<fault>…/<id>.
func pathUnder(prefix string, faults []Fault, id string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, f := range faults {
		b.WriteByte('/')
		b.WriteString(f.String())
	}
	b.WriteByte('/')
	b.WriteString(id)
	return b.String()
}
