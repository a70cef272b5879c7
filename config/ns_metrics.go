package config

import (
	"net"
	"strconv"
	"time"
)

// MinMetricsCollectionTime is the shortest collection_time accepted: each
// collection reads the runtime's memory statistics, which briefly stops
// the world.
const MinMetricsCollectionTime = time.Second

// Metrics is the "telemetry/metrics" namespace: in-process counters and
// latency histograms served as JSON on a second listener.
type Metrics struct {
	// CollectionTime is collection_time: how often the runtime gauges are
	// sampled (and, on Lambda, the stats logged). Default 60s.
	CollectionTime time.Duration
	// ListenAddress is listen_address, the stats listener's host:port.
	// Default ":8090".
	ListenAddress string
	// ProxyDisabled is proxy_disabled: no per-endpoint pipe metrics.
	ProxyDisabled bool
	// RouterDisabled is router_disabled: no connection and per-endpoint
	// response metrics.
	RouterDisabled bool
	// BackendDisabled is backend_disabled: no per-backend metrics.
	BackendDisabled bool
	// EndpointDisabled is endpoint_disabled: the stats are collected but
	// no listener serves them (and a Lambda function does not log them).
	EndpointDisabled bool
}

// metrics decodes "telemetry/metrics" (service scope).
func (l *loader) metrics(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	m := &Metrics{CollectionTime: 60 * time.Second, ListenAddress: ":8090"}
	for mb := range v.schemaMembers() {
		mv := &mb.val
		switch mb.key {
		case "collection_time":
			if d, ok := l.duration(mv, path, mb.key); ok {
				if d < MinMetricsCollectionTime {
					l.errNode(mv, keyPath(path, mb.key), "collection_time "+quoteJSON(mv.text)+" is below 1s",
						"each collection samples the runtime's memory statistics; use 1s or more (default 60s)")
				} else {
					m.CollectionTime = d
				}
			}
		case "listen_address":
			if s, ok := l.str(mv, path, mb.key); ok {
				if problem := listenAddressProblem(s); problem != "" {
					l.errNode(mv, keyPath(path, mb.key), "invalid listen_address "+quoteJSON(s)+": "+problem,
						`use host:port or :port, e.g. ":8090" or "127.0.0.1:8090"`)
				} else {
					m.ListenAddress = s
				}
			}
		case "proxy_disabled":
			l.setBool(&m.ProxyDisabled, mv, path, mb.key)
		case "router_disabled":
			l.setBool(&m.RouterDisabled, mv, path, mb.key)
		case "backend_disabled":
			l.setBool(&m.BackendDisabled, mv, path, mb.key)
		case "endpoint_disabled":
			l.setBool(&m.EndpointDisabled, mv, path, mb.key)
		default:
			l.unknownKey(objMetrics, path, mb)
		}
	}
	c.Metrics = m
}

// listenAddressProblem says what is wrong with a host:port, or "".
func listenAddressProblem(s string) string {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return "not host:port"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || port == "" {
		return "the port must be a number from 0 to 65535"
	}
	return ""
}
