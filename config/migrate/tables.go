package migrate

import "strings"

// keyRenames are the option and object keys renamed in config v3
// (krakend-compat.md §18.2, after KrakenD's krakend-config-migrator). They
// apply to keys of schema-defined objects only, never to free-form data.
var keyRenames = map[string]string{
	"whitelist":          "allow",
	"blacklist":          "deny",
	"allowlist":          "allow",
	"denylist":           "deny",
	"headers_to_pass":    "input_headers",
	"querystring_params": "input_query_strings",
	"propagate-claims":   "propagate_claims",
	"jwk-url":            "jwk_url",
	"keys-to-sign":       "keys_to_sign",
	"maxErrors":          "max_errors",
	"logStatusChange":    "log_status_change",
	"cacheSize":          "cache_size",
	"maxRate":            "max_rate",
	"clientMaxRate":      "client_max_rate",
	"clientCapacity":     "client_capacity",
	"HashName":           "hash_name",
	"TokenKeys":          "token_keys",
}

// nsClass says what becomes of a namespace after its rename.
type nsClass uint8

const (
	// nsPlain is an ordinary namespace: renamed, then loaded by its rules.
	nsPlain nsClass = iota
	// nsPlugin is a KrakenD Go plugin namespace: renamed, but it cannot
	// run in Tributary (§18.4).
	nsPlugin
	// nsEnterprise is renamed to a KrakenD Enterprise namespace (§18.3).
	nsEnterprise
	// nsRemoved has no v3 equivalent: the migration refuses the file.
	nsRemoved
)

// legacyNS is the v3 fate of one legacy namespace.
type legacyNS struct {
	to    string
	class nsClass
}

// legacyNamespaces maps a legacy namespace name, without its "github.com/"
// or "github_com/" prefix, to its v3 name: every name of krakend-compat.md
// §18.1 (aliased or not) plus the Enterprise and plugin names of §18.2.
// Both prefix spellings are migrated (§18.1: "any aliased name … spelled
// with the other form").
var legacyNamespaces = map[string]legacyNS{
	"devopsfaith/krakend/proxy":                         {to: "proxy"},
	"luraproject/lura/router/gin":                       {to: "router"},
	"devopsfaith/krakend/router/gin":                    {to: "router"},
	"devopsfaith/krakend/http":                          {to: "backend/http"},
	"devopsfaith/krakend-httpcache":                     {to: "qos/http-cache"},
	"devopsfaith/krakend-circuitbreaker/gobreaker":      {to: "qos/circuit-breaker"},
	"devopsfaith/krakend-circuitbreaker/eapache":        {to: "qos/circuit-breaker"},
	"devopsfaith/krakend-oauth2-clientcredentials":      {to: "auth/client-credentials"},
	"devopsfaith/krakend-jose/validator":                {to: "auth/validator"},
	"devopsfaith/krakend-jose/signer":                   {to: "auth/signer"},
	"devopsfaith/bloomfilter":                           {to: "auth/revoker"},
	"devopsfaith/krakend-botdetector":                   {to: "security/bot-detector"},
	"devopsfaith/krakend-httpsecure":                    {to: "security/http"},
	"devopsfaith/krakend-cors":                          {to: "security/cors"},
	"devopsfaith/krakend-cel":                           {to: "validation/cel"},
	"devopsfaith/krakend-jsonschema":                    {to: "validation/json-schema"},
	"devopsfaith/krakend-amqp/agent":                    {to: "async/amqp"},
	"devopsfaith/krakend-amqp/consume":                  {to: "backend/amqp/consumer"},
	"devopsfaith/krakend-amqp/produce":                  {to: "backend/amqp/producer"},
	"devopsfaith/krakend-lambda":                        {to: "backend/lambda"},
	"devopsfaith/krakend-pubsub/publisher":              {to: "backend/pubsub/publisher"},
	"devopsfaith/krakend-pubsub/subscriber":             {to: "backend/pubsub/subscriber"},
	"devopsfaith/krakend/transport/http/client/graphql": {to: "backend/graphql"},
	"devopsfaith/krakend-gelf":                          {to: "telemetry/gelf"},
	"devopsfaith/krakend-gologging":                     {to: "telemetry/logging"},
	"devopsfaith/krakend-logstash":                      {to: "telemetry/logstash"},
	"devopsfaith/krakend-metrics":                       {to: "telemetry/metrics"},
	"letgoapp/krakend-influx":                           {to: "telemetry/influx"},
	"devopsfaith/krakend-influx":                        {to: "telemetry/influx"},
	"devopsfaith/krakend-opencensus":                    {to: "telemetry/opencensus"},
	"devopsfaith/krakend-lua/router":                    {to: "modifier/lua-endpoint"},
	"devopsfaith/krakend-lua/proxy":                     {to: "modifier/lua-proxy"},
	"devopsfaith/krakend-lua/proxy/backend":             {to: "modifier/lua-backend"},
	"devopsfaith/krakend-martian":                       {to: "modifier/martian"},
	"devopsfaith/krakend-ratelimit/juju/router":         {to: "qos/ratelimit/router"},
	"devopsfaith/krakend-ratelimit/rate/router":         {to: "qos/ratelimit/router"},
	"devopsfaith/krakend-ratelimit/juju/proxy":          {to: "qos/ratelimit/proxy"},
	"devopsfaith/krakend-ratelimit/rate/proxy":          {to: "qos/ratelimit/proxy"},

	"devopsfaith/krakend/transport/http/server/handler":  {to: "plugin/http-server", class: nsPlugin},
	"devopsfaith/krakend/transport/http/client/executor": {to: "plugin/http-client", class: nsPlugin},
	"devopsfaith/krakend/proxy/plugin":                   {to: "plugin/req-resp-modifier", class: nsPlugin},
	"devopsfaith/krakend/proxy/plugin/request":           {to: "plugin/request-modifier", class: nsPlugin},
	"devopsfaith/krakend/proxy/plugin/response":          {to: "plugin/response-modifier", class: nsPlugin},

	"devopsfaith/krakend-swagger":   {to: "generator/openapi", class: nsEnterprise},
	"devopsfaith/krakend-apikeys":   {to: "auth/api-keys", class: nsEnterprise},
	"devopsfaith/krakend-instana":   {to: "telemetry/instana", class: nsEnterprise},
	"devopsfaith/krakend-websocket": {to: "websocket", class: nsEnterprise},

	"devopsfaith/krakend-etcd":   {class: nsRemoved},
	"devopsfaith/krakend-consul": {class: nsRemoved},
}

// lookupLegacy returns the fate of namespace name, if it is a legacy one.
func lookupLegacy(name string) (legacyNS, bool) {
	rest, ok := strings.CutPrefix(name, "github.com/")
	if !ok {
		if rest, ok = strings.CutPrefix(name, "github_com/"); !ok {
			return legacyNS{}, false
		}
	}
	ns, ok := legacyNamespaces[rest]
	return ns, ok
}

// schemaNamespace reports whether the options of the v3 namespace name are
// a schema-defined object whose keys the migration may rename. The others
// (JSON Schemas, Go plugin settings, documentation metadata, unknown
// namespaces) are free-form and copied untouched.
func schemaNamespace(name string) bool {
	switch {
	case name == "validation/json-schema", name == "modifier/martian",
		strings.HasPrefix(name, "plugin/"), strings.HasPrefix(name, "documentation/"):
		return false
	case name == "tributary", name == "telemetry/opentelemetry",
		strings.HasPrefix(name, "auth/"), strings.HasPrefix(name, "security/"), strings.HasPrefix(name, "qos/"):
		return true
	}
	for _, ns := range legacyNamespaces {
		if ns.to == name {
			return true
		}
	}
	return false
}

// freeForm reports whether the value of key, found in a schema-defined
// object that is itself the value of parent, is free-form data whose keys
// are never renamed: backend mapping, static data, error bodies, the
// ssl_proxy_headers map and GraphQL variables.
func freeForm(parent, key string) bool {
	switch key {
	case "mapping", "error_body", "ssl_proxy_headers", "variables":
		return true
	case "data":
		return parent == "static"
	}
	return false
}
