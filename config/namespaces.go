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
	nsUnknown       nsClass = iota
	nsSupported             // decoded into the model
	nsLater                 // a §17 Tributary feature not implemented in this release
	nsGap                   // a KrakenD CE namespace Tributary does not implement
	nsEnterprise            // a KrakenD Enterprise namespace
	nsRenamed               // a legacy name KrakenD CE does not alias: an error
	nsAlias                 // a legacy name KrakenD CE aliases: a warning, then the current name
	nsPlugin                // a KrakenD Go plugin namespace [T12]
	nsDocumentation         // documentation/*: Enterprise metadata, ignored with a warning
	nsRetired               // a namespace KrakenD itself no longer supports
)

// nsInfo describes one namespace.
type nsInfo struct {
	class nsClass
	// scopes are the levels where the namespace applies (supported, later).
	scopes scope
	// enterprise are the levels where it is an Enterprise-only feature.
	enterprise scope
	// renamedTo is the current name of a legacy namespace.
	renamedTo string
	// hint is added to the diagnostic.
	hint string
}

// namespaceInfo classifies a namespace name (krakend-compat.md §2.2 rule 2,
// §17, §18).
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

	case "qos/ratelimit/router", "auth/signer":
		return nsInfo{class: nsSupported, scopes: scopeEndpoint}
	case "qos/ratelimit/proxy", "qos/circuit-breaker", "qos/http-cache", "auth/client-credentials":
		return nsInfo{class: nsSupported, scopes: scopeBackend}
	case "auth/validator":
		return nsInfo{class: nsSupported, scopes: scopeEndpoint | scopeService}
	case "security/cors":
		return nsInfo{class: nsSupported, scopes: scopeService, enterprise: scopeEndpoint}
	case "security/http", "auth/revoker", "redis":
		return nsInfo{class: nsSupported, scopes: scopeService}
	case "security/bot-detector":
		return nsInfo{class: nsSupported, scopes: scopeService | scopeEndpoint}
	case "modifier/lua-endpoint":
		return nsInfo{class: nsSupported, scopes: scopeService | scopeEndpoint}
	case "modifier/lua-proxy":
		return nsInfo{class: nsSupported, scopes: scopeEndpoint}
	case "modifier/lua-backend":
		return nsInfo{class: nsSupported, scopes: scopeBackend}
	case "validation/json-schema":
		return nsInfo{class: nsSupported, scopes: scopeEndpoint}
	case "validation/cel":
		return nsInfo{class: nsSupported, scopes: scopeEndpoint | scopeBackend}
	case "backend/lambda", "backend/graphql":
		return nsInfo{class: nsSupported, scopes: scopeBackend}
	case "modifier/martian":
		return nsInfo{class: nsSupported, scopes: scopeBackend}
	case "telemetry/opentelemetry":
		return nsInfo{class: nsSupported, scopes: scopeService, enterprise: scopeEndpoint | scopeBackend}
	case "telemetry/opencensus":
		return nsInfo{class: nsSupported, scopes: scopeService}

	case "telemetry/metrics":
		return nsInfo{class: nsSupported, scopes: scopeService}

	case "telemetry/influx", "telemetry/gelf", "telemetry/logstash":
		return nsInfo{class: nsSupported, scopes: scopeService}

	case "async/amqp":
		return nsInfo{class: nsGap}

	case "qos/ratelimit/router/redis":
		return nsInfo{class: nsEnterprise,
			hint: `use "qos/ratelimit/router" with tributary.shared_store: its buckets then live in Redis, shared by every instance`}
	case "auth/api-keys", "auth/basic", "auth/ntlm", "qos/ratelimit/service", "qos/ratelimit/tiered",
		"qos/circuit-breaker/http", "backend/http/client", "backend/grpc",
		"backend/soap", "backend/static-filesystem", "backend/conditional", "modifier/jmespath",
		"modifier/response-body", "modifier/body-generator", "modifier/request-body-generator",
		"modifier/response-body-generator", "modifier/response-headers", "security/policies",
		"validation/response-json-schema", "websocket", "generator/openapi", "telemetry/opentelemetry-security",
		"telemetry/instana", "grpc":
		return nsInfo{class: nsEnterprise}
	}
	switch {
	case strings.HasPrefix(name, "plugin/"):
		return nsInfo{class: nsPlugin}
	case strings.HasPrefix(name, "documentation/"):
		return nsInfo{class: nsDocumentation}
	case strings.HasPrefix(name, "backend/amqp/"), strings.HasPrefix(name, "backend/pubsub/"):
		return nsInfo{class: nsGap}
	}
	for _, p := range []string{"governance/", "server/", "ai/"} {
		if strings.HasPrefix(name, p) {
			return nsInfo{class: nsEnterprise}
		}
	}
	return legacyNamespace(name)
}

// aliasedNamespaces is KrakenD CE's alias table (krakend-compat.md §18.1,
// first table): legacy names KrakenD loads as the current name. The names
// are matched exactly.
var aliasedNamespaces = map[string]string{
	"github.com/devopsfaith/krakend/proxy":                          "proxy",
	"github_com/luraproject/lura/router/gin":                        "router",
	"github.com/devopsfaith/krakend/http":                           "backend/http",
	"github.com/devopsfaith/krakend-httpcache":                      "qos/http-cache",
	"github.com/devopsfaith/krakend-circuitbreaker/gobreaker":       "qos/circuit-breaker",
	"github.com/devopsfaith/krakend-oauth2-clientcredentials":       "auth/client-credentials",
	"github.com/devopsfaith/krakend-jose/validator":                 "auth/validator",
	"github.com/devopsfaith/krakend-jose/signer":                    "auth/signer",
	"github_com/devopsfaith/bloomfilter":                            "auth/revoker",
	"github_com/devopsfaith/krakend-botdetector":                    "security/bot-detector",
	"github_com/devopsfaith/krakend-httpsecure":                     "security/http",
	"github_com/devopsfaith/krakend-cors":                           "security/cors",
	"github.com/devopsfaith/krakend-cel":                            "validation/cel",
	"github.com/devopsfaith/krakend-jsonschema":                     "validation/json-schema",
	"github.com/devopsfaith/krakend-amqp/agent":                     "async/amqp",
	"github.com/devopsfaith/krakend-amqp/consume":                   "backend/amqp/consumer",
	"github.com/devopsfaith/krakend-amqp/produce":                   "backend/amqp/producer",
	"github.com/devopsfaith/krakend-lambda":                         "backend/lambda",
	"github.com/devopsfaith/krakend-pubsub/publisher":               "backend/pubsub/publisher",
	"github.com/devopsfaith/krakend-pubsub/subscriber":              "backend/pubsub/subscriber",
	"github.com/devopsfaith/krakend/transport/http/client/graphql":  "backend/graphql",
	"github_com/devopsfaith/krakend-gelf":                           "telemetry/gelf",
	"github_com/devopsfaith/krakend-gologging":                      "telemetry/logging",
	"github_com/devopsfaith/krakend-logstash":                       "telemetry/logstash",
	"github_com/devopsfaith/krakend-metrics":                        "telemetry/metrics",
	"github_com/letgoapp/krakend-influx":                            "telemetry/influx",
	"github_com/devopsfaith/krakend-opencensus":                     "telemetry/opencensus",
	"github.com/devopsfaith/krakend-lua/router":                     "modifier/lua-endpoint",
	"github.com/devopsfaith/krakend-lua/proxy":                      "modifier/lua-proxy",
	"github.com/devopsfaith/krakend-lua/proxy/backend":              "modifier/lua-backend",
	"github.com/devopsfaith/krakend-martian":                        "modifier/martian",
	"github_com/devopsfaith/krakend/transport/http/server/handler":  "plugin/http-server",
	"github.com/devopsfaith/krakend/transport/http/client/executor": "plugin/http-client",
	"github.com/devopsfaith/krakend/proxy/plugin":                   "plugin/req-resp-modifier",
}

// legacyNamespace classifies a pre-v3 long namespace name: aliased by
// KrakenD CE (nsAlias, or nsPlugin for the Go plugin loaders), not aliased
// (nsRenamed: KrakenD silently ignores it), no longer supported by KrakenD
// (nsRetired), or not a legacy name at all (nsUnknown).
func legacyNamespace(name string) nsInfo {
	if to, ok := aliasedNamespaces[name]; ok {
		if strings.HasPrefix(to, "plugin/") {
			return nsInfo{class: nsPlugin, renamedTo: to}
		}
		return nsInfo{class: nsAlias, renamedTo: to}
	}
	n, ok := strings.CutPrefix(name, "github_com/")
	other := "github.com/" + n
	if !ok {
		if n, ok = strings.CutPrefix(name, "github.com/"); !ok {
			return nsInfo{class: nsUnknown}
		}
		other = "github_com/" + n
	}
	if to, ok := aliasedNamespaces[other]; ok {
		// An aliased name spelled with the other github.com/github_com form:
		// KrakenD does not read it.
		if strings.HasPrefix(to, "plugin/") {
			return nsInfo{class: nsPlugin, renamedTo: to}
		}
		return nsInfo{class: nsRenamed, renamedTo: to}
	}
	const rl = "rename maxRate → max_rate, clientMaxRate → client_max_rate, clientCapacity → client_capacity"
	switch n {
	case "devopsfaith/krakend-ratelimit/juju/router", "devopsfaith/krakend-ratelimit/rate/router":
		return nsInfo{class: nsRenamed, renamedTo: "qos/ratelimit/router", hint: rl}
	case "devopsfaith/krakend-ratelimit/juju/proxy", "devopsfaith/krakend-ratelimit/rate/proxy":
		return nsInfo{class: nsRenamed, renamedTo: "qos/ratelimit/proxy", hint: "rename maxRate → max_rate"}
	case "devopsfaith/krakend/router/gin":
		return nsInfo{class: nsRenamed, renamedTo: "router"}
	case "devopsfaith/krakend-influx":
		return nsInfo{class: nsRenamed, renamedTo: "telemetry/influx"}
	case "devopsfaith/krakend-circuitbreaker/eapache":
		return nsInfo{class: nsRenamed, renamedTo: "qos/circuit-breaker"}
	case "devopsfaith/krakend/proxy/plugin/request":
		return nsInfo{class: nsPlugin, renamedTo: "plugin/request-modifier"}
	case "devopsfaith/krakend/proxy/plugin/response":
		return nsInfo{class: nsPlugin, renamedTo: "plugin/response-modifier"}
	case "devopsfaith/krakend-etcd", "devopsfaith/krakend-consul":
		return nsInfo{class: nsRetired}
	}
	return nsInfo{class: nsUnknown}
}

// knownNamespaces lists the current names offered as "did you mean"
// candidates, in the order of krakend-compat.md §17.
func knownNamespaces() []string {
	return []string{"proxy", "router", "qos/ratelimit/router", "qos/ratelimit/proxy", "qos/circuit-breaker",
		"qos/http-cache", "auth/validator", "security/cors", "security/http", "backend/lambda",
		"telemetry/logging", "telemetry/opentelemetry", "validation/json-schema", "modifier/martian",
		"tributary", "backend/http", "auth/signer", "auth/client-credentials", "auth/revoker",
		"security/bot-detector", "validation/cel", "modifier/lua-endpoint", "modifier/lua-proxy",
		"modifier/lua-backend", "backend/graphql", "telemetry/metrics", "telemetry/opencensus",
		"telemetry/influx", "telemetry/gelf", "telemetry/logstash"}
}

// guardedNamespace reports the security and QoS namespaces, where a
// silently ignored block would leave a protection missing.
func guardedNamespace(name string) bool {
	return strings.HasPrefix(name, "auth/") || strings.HasPrefix(name, "security/") || strings.HasPrefix(name, "qos/")
}

// nsMember is an extra_config member to decode under its current name.
type nsMember struct {
	*member
	// name is the current namespace name: the key, or the name a legacy
	// alias stands for.
	name string
}

// namespaces applies rules 2 and 3 of §2.2 to the extra_config object v
// found at scope sc (base is its path) and returns the members the caller
// must decode, each under its current name. Everything else has been
// reported.
func (l *loader) namespaces(sc scope, base string, v *node) []nsMember {
	var out []nsMember
	var seen map[string]*member // current name → the member that set it
	for i := range v.members {
		m := &v.members[i]
		if isCommentKey(m.key) {
			continue
		}
		name, ok := l.namespace(sc, base, m)
		if name == "" {
			continue
		}
		if first, dup := seen[name]; dup {
			old, cur := m.key, first.key
			if old == name {
				old, cur = cur, old
			}
			l.errAt(m.pos, keyPath(base, m.key), "namespaces "+quoteJSON(old)+" and "+quoteJSON(cur)+
				" are the same (the first is KrakenD's legacy name of the second)", "keep one of them")
			continue
		}
		if seen == nil {
			seen = make(map[string]*member)
		}
		seen[name] = m
		if ok {
			out = append(out, nsMember{member: m, name: name})
		}
	}
	return out
}

// namespace decides what to do with the extra_config member m found at
// scope sc under base (the extra_config path). It returns the member's
// current name ("" for a namespace that names nothing Tributary knows) and
// whether the caller must decode it; otherwise it has recorded the error or
// warning.
func (l *loader) namespace(sc scope, base string, m *member) (string, bool) {
	name := m.key
	path := keyPath(base, m.key)
	info := namespaceInfo(name)
	if info.class == nsAlias {
		l.warnAt(m.pos, path, "legacy namespace "+quoteJSON(m.key)+" loaded as "+quoteJSON(info.renamedTo)+
			", as KrakenD does", "rename it to "+quoteJSON(info.renamedTo))
		name = info.renamedTo
		info = namespaceInfo(name)
	}
	if info.class == nsSupported && info.scopes&sc != 0 {
		return name, true
	}
	q := quoteJSON(name)
	switch info.class {
	case nsSupported, nsLater:
		switch {
		case info.scopes&sc != 0:
			l.errAt(m.pos, path, "namespace "+q+" not supported yet", "")
		case info.enterprise&sc != 0:
			l.errAt(m.pos, path, "namespace "+q+" at "+sc.String()+" scope not supported (KrakenD Enterprise feature)",
				"valid at "+info.scopes.String()+" scope")
		case guardedNamespace(name):
			l.errAt(m.pos, path, "namespace "+q+" is not valid at "+sc.String()+" scope",
				"valid at "+info.scopes.String()+" scope")
		default:
			l.warnAt(m.pos, path, q+" ignored at "+sc.String()+" scope, as KrakenD does",
				"valid at "+info.scopes.String()+" scope")
		}
	case nsGap:
		l.errAt(m.pos, path, "namespace "+q+" not supported yet", "")
	case nsEnterprise:
		l.errAt(m.pos, path, "namespace "+q+" not supported (KrakenD Enterprise feature)", info.hint)
	case nsRenamed:
		hint := "renamed to " + quoteJSON(info.renamedTo)
		if info.hint != "" {
			hint += "; " + info.hint
		}
		l.errAt(m.pos, path, "legacy namespace "+quoteJSON(m.key)+" is not read by KrakenD, so its feature would be silently off", hint)
	case nsPlugin:
		l.plugins(&m.val, m.pos, path)
	case nsDocumentation:
		l.warnAt(m.pos, path, "KrakenD Enterprise documentation metadata ignored", "")
	case nsRetired:
		l.errAt(m.pos, path, "namespace "+q+" is no longer supported by KrakenD", "remove it")
	default:
		sug, _ := suggest(name, knownNamespaces())
		if sug == "" && !guardedNamespace(name) {
			l.warnAt(m.pos, path, "unknown namespace "+q+" ignored, as KrakenD does", "")
			return "", false
		}
		hint := ""
		if sug != "" {
			hint = "did you mean " + quoteJSON(sug) + "?"
		}
		l.errAt(m.pos, path, "unknown namespace "+q, hint)
		return "", false
	}
	return name, false
}

// pluginHint is the fix offered for every Go plugin (§18.4).
const pluginHint = "reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)"

// plugins reports a Go plugin namespace [T12]: one error per plugin its
// "name" value names (a string or a list of strings), or one for the
// namespace when it names none.
func (l *loader) plugins(v *node, pos Position, path string) {
	const problem = "KrakenD Go plugins (.so) cannot run in Tributary"
	reported := false
	if v.kind == kindObject {
		for i := range v.members {
			m := &v.members[i]
			if m.key != "name" {
				continue
			}
			switch m.val.kind {
			case kindString:
				l.errAt(m.val.pos, keyPath(path, "name"), "plugin "+quoteJSON(m.val.text)+": "+problem, pluginHint)
				reported = true
			case kindArray:
				for j := range m.val.elems {
					if e := &m.val.elems[j]; e.kind == kindString {
						l.errAt(e.pos, keyIndexPath(path, "name", j), "plugin "+quoteJSON(e.text)+": "+problem, pluginHint)
						reported = true
					}
				}
			}
		}
	}
	if !reported {
		l.errAt(pos, path, "Go plugin namespace: "+problem, pluginHint)
	}
}

// notYet reports a namespace whose decoder is not written yet.
func (l *loader) notYet(v *node, base, key string) {
	l.errNode(v, keyPath(base, key), "namespace "+quoteJSON(key)+" not supported yet", "")
}
