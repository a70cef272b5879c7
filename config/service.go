package config

import (
	"crypto/tls"
	"math"
	"net/netip"
	"strconv"
	"time"
)

// newConfig returns a Config holding every service-level default.
func newConfig(source string) *Config {
	return &Config{
		Source:                    source,
		Port:                      DefaultPort,
		Timeout:                   DefaultTimeout,
		OutputEncoding:            OutputJSON,
		ReadHeaderTimeout:         DefaultReadHeaderTimeout,
		ReadTimeout:               DefaultReadTimeout,
		IdleTimeout:               DefaultIdleTimeout,
		MaxHeaderBytes:            DefaultMaxHeaderBytes,
		MaxIdleConnectionsPerHost: DefaultMaxIdleConnsPerHost,
		IdleConnectionTimeout:     DefaultIdleConnectionTimeout,
		DialerTimeout:             DefaultDialerTimeout,
		DialerFallbackDelay:       DefaultDialerFallbackDelay,
		DialerKeepAlive:           DefaultDialerKeepAlive,
		ClientTLS:                 &ClientTLS{MinVersion: tls.VersionTLS12},
		Router: Router{
			HealthPath:      DefaultHealthPath,
			RemoteIPHeaders: []string{"X-Forwarded-For", "X-Real-Ip"},
		},
		Logging:                 Logging{Level: "DEBUG", Stdout: true, Format: "default"},
		MaxRequestBodyBytes:     DefaultMaxRequestBodyBytes,
		MaxBackendResponseBytes: DefaultMaxBackendResponseBytes,
	}
}

// serviceState is what the endpoint walk needs from the service level
// besides the Config itself.
type serviceState struct {
	// hosts is the service "host" list, normalised.
	hosts []string
	// hostsBad is set when the service host list had errors, so backends
	// relying on it are not reported a second time.
	hostsBad bool
	// writeTimeoutSet records an explicit write_timeout.
	writeTimeoutSet bool
	// timeoutNode is the service "timeout" value, for the lint warning.
	timeoutNode *node
}

// service decodes the root object and everything below it.
func (l *loader) service(root *node) *Config {
	c := newConfig(l.file)
	var st serviceState
	var endpoints, extra *node
	hasVersion := false
	const base = "$"
	for m := range root.schemaMembers() {
		v := &m.val
		switch m.key {
		case "version":
			hasVersion = true
			l.version(v)
		case "name":
			if s, ok := l.str(v, base, m.key); ok {
				c.Name = s
			}
		case "port":
			if p, ok := l.intRange(v, base, m.key, 1, 65535); ok {
				c.Port = int(p)
			}
		case "listen_ip":
			if s, ok := l.str(v, base, m.key); ok && s != "" {
				a, err := netip.ParseAddr(s)
				if err != nil {
					l.errNode(v, keyPath(base, m.key), "invalid IP address "+quoteJSON(s),
						`use an address such as "127.0.0.1" or "::1", or "" for every interface`)
				} else {
					c.ListenIP = a
				}
			}
		case "endpoints":
			endpoints = v
		case "host":
			st.hosts, st.hostsBad = l.hostList(v, base, m.key)
		case "timeout":
			if d, ok := l.positiveTimeout(v, base, m.key,
				"0 does not disable the timeout; remove the key for the 2s default"); ok {
				c.Timeout = d
				st.timeoutNode = v
			}
		case "cache_ttl":
			if d, ok := l.duration(v, base, m.key); ok {
				c.CacheTTL = d
			}
		case "output_encoding":
			if s, ok := l.outputEncoding(v, base, m.key); ok {
				c.OutputEncoding = s
			}
		case "extra_config":
			extra = v
		case "debug_endpoint":
			l.setBool(&c.DebugEndpoint, v, base, m.key)
		case "echo_endpoint":
			l.setBool(&c.EchoEndpoint, v, base, m.key)
		case "client_tls":
			l.clientTLS(c, v, base, m.key)
		case "allow_insecure_connections":
			if b, ok := l.boolean(v, base, m.key); ok && b {
				c.ClientTLS.AllowInsecureConnections = true
				l.warnInsecure(v, keyPath(base, m.key))
			}
		case "read_header_timeout":
			l.setLimitDuration(&c.ReadHeaderTimeout, v, base, m.key)
		case "read_timeout":
			l.setLimitDuration(&c.ReadTimeout, v, base, m.key)
		case "write_timeout":
			st.writeTimeoutSet = l.setLimitDuration(&c.WriteTimeout, v, base, m.key)
		case "idle_timeout":
			l.setLimitDuration(&c.IdleTimeout, v, base, m.key)
		case "idle_connection_timeout":
			l.setLimitDuration(&c.IdleConnectionTimeout, v, base, m.key)
		case "dialer_timeout":
			l.setLimitDuration(&c.DialerTimeout, v, base, m.key)
		case "max_header_bytes":
			if n, ok := l.limitInt(v, base, m.key, math.MaxInt32); ok {
				c.MaxHeaderBytes = int(n)
			}
		case "max_shutdown_wait_time":
			l.setDuration(&c.MaxShutdownWaitTime, v, base, m.key)
		case "response_header_timeout":
			l.setDuration(&c.ResponseHeaderTimeout, v, base, m.key)
		case "expect_continue_timeout":
			l.setDuration(&c.ExpectContinueTimeout, v, base, m.key)
		case "dialer_fallback_delay":
			l.setDuration(&c.DialerFallbackDelay, v, base, m.key)
		case "dialer_keep_alive":
			l.setDuration(&c.DialerKeepAlive, v, base, m.key)
		case "disable_keep_alives":
			l.setBool(&c.DisableKeepAlives, v, base, m.key)
		case "disable_compression":
			l.setBool(&c.DisableCompression, v, base, m.key)
		case "max_idle_connections":
			if n, ok := l.intRange(v, base, m.key, 0, math.MaxInt32); ok {
				c.MaxIdleConnections = int(n)
			}
		case "max_idle_connections_per_host":
			if n, ok := l.intRange(v, base, m.key, 0, math.MaxInt32); ok && n > 0 {
				c.MaxIdleConnectionsPerHost = int(n)
			}
		case "tls":
			l.serverTLS(m)
		case "disable_rest":
			l.gapFlag(v, base, m.key, "placeholders inside a segment (/file.{ext}) need it")
		case "sequential_start", "use_h2c":
			l.gapFlag(v, base, m.key, "")
		case "plugin":
			l.rootPlugin(m)
		default:
			l.unknownKey(objService, base, m)
		}
	}
	if !hasVersion {
		l.errAt(root.pos, base, `missing required key "version"`, `add "version": 3`)
	}
	if extra != nil {
		l.serviceExtra(c, extra)
	}
	if endpoints != nil {
		l.endpoints(c, &st, endpoints)
	}
	if !st.writeTimeoutSet {
		c.WriteTimeout = maxEndpointTimeout(c) + writeTimeoutMarginOverMaxTimeout
	}
	return c
}

// maxEndpointTimeout is the largest endpoint timeout, or the service
// timeout when there are no endpoints.
func maxEndpointTimeout(c *Config) time.Duration {
	if len(c.Endpoints) == 0 {
		return c.Timeout
	}
	var d time.Duration
	for _, e := range c.Endpoints {
		d = max(d, e.Timeout)
	}
	return d
}

func (l *loader) version(v *node) {
	n, ok := l.integer(v, "$", "version")
	if !ok {
		return
	}
	switch n {
	case 3:
	case 1, 2:
		l.errNode(v, "$.version", "config version "+strconv.FormatInt(n, 10)+" is not supported",
			"convert it with tributary migrate -c OLD -o NEW (docs/krakend-compatibility.md#legacy-names)")
	default:
		l.errNode(v, "$.version", "unsupported version "+strconv.FormatInt(n, 10)+"; must be 3", "")
	}
}

func (l *loader) setBool(dst *bool, v *node, base, key string) {
	if b, ok := l.boolean(v, base, key); ok {
		*dst = b
	}
}

func (l *loader) setDuration(dst *time.Duration, v *node, base, key string) {
	if d, ok := l.duration(v, base, key); ok {
		*dst = d
	}
}

// setLimitDuration decodes an [H1] duration; it reports whether dst was set.
func (l *loader) setLimitDuration(dst *time.Duration, v *node, base, key string) bool {
	d, ok := l.limitDuration(v, base, key)
	if ok {
		*dst = d
	}
	return ok
}

// positiveTimeout decodes a timeout that must be > 0; zeroHint explains
// why 0 is refused.
func (l *loader) positiveTimeout(v *node, base, key, zeroHint string) (time.Duration, bool) {
	d, ok := l.duration(v, base, key)
	if ok && d == 0 {
		l.errNode(v, keyPath(base, key), "timeout must be greater than 0", zeroHint)
		return 0, false
	}
	return d, ok
}

// gapFlag accepts false for a boolean whose true value is a [gap].
func (l *loader) gapFlag(v *node, base, key, hint string) {
	if b, ok := l.boolean(v, base, key); ok && b {
		l.errNode(v, keyPath(base, key), quoteJSON(key)+": true not supported yet", hint)
	}
}

func (l *loader) warnInsecure(v *node, path string) {
	l.warnAt(v.pos, path, "TLS certificate verification towards backends is disabled",
		"trust a private CA with client_tls.ca_certs instead")
}

// outputEncoding decodes an output_encoding value.
func (l *loader) outputEncoding(v *node, base, key string) (string, bool) {
	s, ok := l.str(v, base, key)
	if !ok {
		return "", false
	}
	switch s {
	case OutputJSON, OutputJSONCollection, OutputString, OutputNegotiate, OutputNoOp, OutputXML, OutputYAML:
		return s, true
	case "fast-json":
		l.errNode(v, keyPath(base, key), "output encoding "+quoteJSON(s)+" not supported yet", "")
		return "", false
	}
	valid := []string{OutputJSON, OutputJSONCollection, OutputString, OutputNegotiate, OutputNoOp, OutputXML, OutputYAML}
	hint := "use one of json, json-collection, string, negotiate, xml, yaml, no-op"
	if sug, _ := suggest(s, valid); sug != "" {
		hint = "did you mean " + quoteJSON(sug) + "?"
	}
	l.errNode(v, keyPath(base, key), "unknown output encoding "+quoteJSON(s), hint)
	return "", false
}

// serviceExtra decodes the service extra_config.
func (l *loader) serviceExtra(c *Config, v *node) {
	if !l.object(v, "$", "extra_config") {
		return
	}
	const base = "$.extra_config"
	for _, m := range l.namespaces(scopeService, base, v) {
		switch m.name {
		case "router":
			l.router(c, &m.val, base, m.key)
		case "telemetry/logging":
			l.logging(c, &m.val, base, m.key)
		case "tributary":
			l.tributaryService(c, &m.val, base, m.key)
		case "security/cors":
			l.cors(c, &m.val, base, m.key)
		case "security/http":
			l.httpSecure(c, &m.val, base, m.key)
		case "security/bot-detector":
			c.BotDetector = l.botDetector(&m.val, base, m.key)
		case "modifier/lua-endpoint":
			c.LuaEndpoint = l.lua(m.name, &m.val, base, m.key)
		case "auth/revoker":
			l.revoker(c, &m.val, base, m.key)
		case "auth/validator":
			l.validatorService(c, &m.val, base, m.key)
		case "redis":
			l.redisNamespace(c, &m.val, base, m.key)
		case "telemetry/metrics":
			l.metrics(c, &m.val, base, m.key)
		case "telemetry/opentelemetry":
			l.openTelemetry(c, &m.val, base, m.key)
		case "telemetry/opencensus":
			l.openCensus(c, &m.val, base, m.key)
		case "telemetry/gelf", "telemetry/logstash", "telemetry/influx":
			l.logSink(c, m.name, &m.val, base, m.key)
		}
	}
	l.resolveRedis(c)
	l.resolveLogSinks(c, v)
}

// tributaryService decodes the service-level "tributary" namespace.
func (l *loader) tributaryService(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	for m := range v.schemaMembers() {
		switch m.key {
		case "max_request_body_bytes":
			if n, ok := l.limitInt(&m.val, path, m.key, math.MaxInt64); ok {
				c.MaxRequestBodyBytes = n
			}
		case "max_backend_response_bytes":
			if n, ok := l.limitInt(&m.val, path, m.key, MaxBackendResponseBytesLimit); ok {
				c.MaxBackendResponseBytes = n
			}
		case "version_header":
			l.setBool(&c.VersionHeader, &m.val, path, m.key)
		case "catch_all_routes":
			l.setBool(&c.CatchAllRoutes, &m.val, path, m.key)
		case "server":
			l.serverImpl(c, &m.val, path, m.key)
		case "trusted_trace_sources":
			l.trustedTraceSources(c, &m.val, path, m.key)
		case "revoke_admin":
			l.revokeAdmin(c, &m.val, path, m.key)
		case "shared_store":
			l.sharedStore(c, &m.val, path, m.key)
		case "request_id":
			l.requestID(c, &m.val, path, m.key)
		case "access_log":
			l.accessLogOptions(c, &m.val, path, m.key)
		case "lambda_metrics":
			l.lambdaMetrics(c, &m.val, path, m.key)
		default:
			l.unknownKey(objTributaryService, path, m)
		}
	}
}

// rootPlugin reports the root "plugin" object, KrakenD's Go plugin loader
// [T12], naming its folder and pattern (§18.4).
func (l *loader) rootPlugin(m *member) {
	var folder, pattern string
	if m.val.kind == kindObject {
		for i := range m.val.members {
			if f := &m.val.members[i]; f.val.kind == kindString {
				switch f.key {
				case "folder":
					folder = f.val.text
				case "pattern":
					pattern = f.val.text
				}
			}
		}
	}
	l.errAt(m.pos, keyPath("$", m.key), "plugin loader (folder "+quoteJSON(folder)+", pattern "+quoteJSON(pattern)+
		"): KrakenD Go plugins (.so) cannot run in Tributary", pluginHint)
}
