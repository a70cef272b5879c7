package config

import "strings"

// extra_config namespaces (krakend-compat.md §17, §18). A namespace is
// either decoded (supported at that scope), or rejected with a reason:
// wrong scope, not supported yet, KrakenD Enterprise, renamed, or unknown.
// Nothing is ever silently ignored.

// scope is a set of config levels.
type scope uint8

const (
	scopeService scope = 1 << iota
	scopeEndpoint
	scopeBackend
)

// String names the levels of s, e.g. "endpoint or backend".
func (s scope) String() string {
	var names []string
	if s&scopeService != 0 {
		names = append(names, "service")
	}
	if s&scopeEndpoint != 0 {
		names = append(names, "endpoint")
	}
	if s&scopeBackend != 0 {
		names = append(names, "backend")
	}
	return strings.Join(names, " or ")
}

// nsClass is how the loader treats a namespace.
type nsClass uint8

const (
	nsUnknown    nsClass = iota
	nsSupported          // decoded into the model
	nsLater              // a §17 Tributary feature not implemented in this release
	nsGap                // a KrakenD CE namespace Tributary does not implement
	nsEnterprise         // a KrakenD Enterprise namespace
	nsRenamed            // a legacy long name
)

// nsInfo describes one namespace.
type nsInfo struct {
	class nsClass
	// scopes are the levels where the namespace applies (supported, later).
	scopes scope
	// enterprise are the levels where it is an Enterprise-only feature.
	enterprise scope
	// renamedTo is the v3 name of a legacy namespace.
	renamedTo string
	// hint is added to the diagnostic.
	hint string
}

// namespaceInfo classifies a namespace name.
func namespaceInfo(name string) nsInfo {
	switch name {
	case "router", "telemetry/logging":
		return nsInfo{class: nsSupported, scopes: scopeService}
	case "tributary":
		return nsInfo{class: nsSupported, scopes: scopeService | scopeEndpoint | scopeBackend}
	case "proxy":
		return nsInfo{class: nsSupported, scopes: scopeEndpoint | scopeBackend}
	case "backend/http":
		return nsInfo{class: nsSupported, scopes: scopeBackend}

	case "qos/ratelimit/router", "validation/json-schema":
		return nsInfo{class: nsLater, scopes: scopeEndpoint}
	case "qos/ratelimit/proxy", "qos/circuit-breaker", "qos/http-cache", "backend/lambda", "modifier/martian":
		return nsInfo{class: nsLater, scopes: scopeBackend}
	case "auth/validator":
		return nsInfo{class: nsLater, scopes: scopeEndpoint | scopeService}
	case "security/cors":
		return nsInfo{class: nsLater, scopes: scopeService, enterprise: scopeEndpoint}
	case "security/http":
		return nsInfo{class: nsLater, scopes: scopeService}
	case "telemetry/opentelemetry":
		return nsInfo{class: nsLater, scopes: scopeService, enterprise: scopeEndpoint | scopeBackend}

	case "auth/signer", "auth/client-credentials", "auth/revoker", "security/bot-detector", "validation/cel",
		"modifier/lua-endpoint", "modifier/lua-proxy", "modifier/lua-backend", "backend/graphql",
		"async/amqp", "telemetry/metrics", "telemetry/influx", "telemetry/gelf", "telemetry/logstash",
		"telemetry/opencensus":
		return nsInfo{class: nsGap}

	case "auth/api-keys", "auth/basic", "qos/ratelimit/service", "qos/ratelimit/tiered",
		"qos/ratelimit/router/redis", "qos/circuit-breaker/http", "backend/http/client", "backend/grpc",
		"backend/soap", "backend/static-filesystem", "backend/conditional", "modifier/jmespath",
		"modifier/response-body", "modifier/body-generator", "modifier/request-body-generator",
		"modifier/response-body-generator", "modifier/response-headers", "security/policies",
		"validation/response-json-schema", "websocket", "telemetry/opentelemetry-security", "redis", "grpc":
		return nsInfo{class: nsEnterprise}
	}
	for _, p := range []string{"plugin/", "backend/amqp/", "backend/pubsub/"} {
		if strings.HasPrefix(name, p) {
			return nsInfo{class: nsGap}
		}
	}
	for _, p := range []string{"governance/", "documentation/", "server/", "ai/"} {
		if strings.HasPrefix(name, p) {
			return nsInfo{class: nsEnterprise}
		}
	}
	if to, hint := legacyNamespace(name); to != "" {
		return nsInfo{class: nsRenamed, renamedTo: to, hint: hint}
	}
	return nsInfo{class: nsUnknown}
}

// legacyNamespace maps a pre-v3 long namespace name to its v3 name. Both
// the "github.com/" and the "github_com/" spellings are recognised.
func legacyNamespace(name string) (to, hint string) {
	n, ok := strings.CutPrefix(name, "github_com/")
	if !ok {
		if n, ok = strings.CutPrefix(name, "github.com/"); !ok {
			return "", ""
		}
	}
	switch n {
	case "devopsfaith/krakend/proxy":
		return "proxy", ""
	case "luraproject/lura/router/gin", "devopsfaith/krakend/router/gin":
		return "router", ""
	case "devopsfaith/krakend/http":
		return "backend/http", ""
	case "devopsfaith/krakend-ratelimit/juju/router":
		return "qos/ratelimit/router", "rename maxRate → max_rate, clientMaxRate → client_max_rate, clientCapacity → client_capacity"
	case "devopsfaith/krakend-ratelimit/juju/proxy":
		return "qos/ratelimit/proxy", "rename maxRate → max_rate"
	case "devopsfaith/krakend-circuitbreaker/gobreaker":
		return "qos/circuit-breaker", ""
	case "devopsfaith/krakend-httpcache":
		return "qos/http-cache", ""
	case "devopsfaith/krakend-jose/validator":
		return "auth/validator", ""
	case "devopsfaith/krakend-cors":
		return "security/cors", ""
	case "devopsfaith/krakend-httpsecure":
		return "security/http", ""
	case "devopsfaith/krakend-lambda":
		return "backend/lambda", ""
	case "devopsfaith/krakend-martian":
		return "modifier/martian", ""
	case "devopsfaith/krakend-gologging":
		return "telemetry/logging", ""
	case "devopsfaith/krakend-jsonschema":
		return "validation/json-schema", ""
	}
	return "", ""
}

// knownNamespaces lists the names offered as "did you mean" candidates.
func knownNamespaces() []string {
	return []string{"router", "telemetry/logging", "tributary", "proxy", "backend/http",
		"qos/ratelimit/router", "qos/ratelimit/proxy", "qos/circuit-breaker", "qos/http-cache",
		"auth/validator", "security/cors", "security/http", "backend/lambda", "telemetry/opentelemetry",
		"modifier/martian", "validation/json-schema"}
}

// namespace decides what to do with the extra_config member m found at
// scope sc under base (the extra_config path). It reports true when the
// caller must decode it; otherwise it has recorded the error.
func (l *loader) namespace(sc scope, base string, m *member) bool {
	info := namespaceInfo(m.key)
	if info.class == nsSupported && info.scopes&sc != 0 {
		return true
	}
	path := keyPath(base, m.key)
	q := quoteJSON(m.key)
	switch info.class {
	case nsSupported:
		l.errAt(m.pos, path, "namespace "+q+" is not valid at "+sc.String()+" scope",
			"valid at "+info.scopes.String()+" scope")
	case nsLater:
		switch {
		case info.scopes&sc != 0:
			l.errAt(m.pos, path, "namespace "+q+" not supported yet", "")
		case info.enterprise&sc != 0:
			l.errAt(m.pos, path, "namespace "+q+" at "+sc.String()+" scope not supported (KrakenD Enterprise feature)",
				"valid at "+info.scopes.String()+" scope")
		default:
			l.errAt(m.pos, path, "namespace "+q+" is not valid at "+sc.String()+" scope",
				"valid at "+info.scopes.String()+" scope")
		}
	case nsGap:
		l.errAt(m.pos, path, "namespace "+q+" not supported yet", "")
	case nsEnterprise:
		l.errAt(m.pos, path, "namespace "+q+" not supported (KrakenD Enterprise feature)", "")
	case nsRenamed:
		l.errAt(m.pos, path, "namespace renamed; use "+quoteJSON(info.renamedTo), info.hint)
	default:
		hint := ""
		if sug, _ := suggest(m.key, knownNamespaces()); sug != "" {
			hint = "did you mean " + quoteJSON(sug) + "?"
		}
		l.errAt(m.pos, path, "unknown namespace "+q, hint)
	}
	return false
}
