package config

import (
	"strings"
	"testing"
	"time"
)

// Golden tests of the loading policy (krakend-compat.md §2.2): what loads
// with a warning, and what stays a load error.

// warnCase is one config that must load, and the exact warnings it must
// produce, in order. The file name in diagnostics is "t.json".
type warnCase struct {
	name string
	env  []string
	json string
	want []string
	// check, when set, inspects the loaded config.
	check func(t *testing.T, cfg *Config)
}

// warnConfigs is the golden table of configs that load with warnings.
var warnConfigs = []warnCase{
	{
		// Keys seen in real KrakenD files: none is a typo of a valid key of
		// its object, so each is ignored with a warning, as KrakenD does.
		// max_rate belongs to qos/ratelimit/router; on the endpoint object
		// it is at distance > 2 of every endpoint key, so it is not a typo.
		name: "unknown_keys_real_files",
		json: `{
  "version": 3,
  "oauth": {"client_id": "x"},
  "extra_config": {"router": {"read_timeout_ms": 1, "write_timeout_ms": 1, "idle_timeout_ms": 1,
    "dial_timeout_ms": 1, "forward_all_headers": true}},
  "endpoints": [{
    "endpoint": "/a", "max_rate": 10, "input_type": "json", "url_pattern": "/x",
    "backend": [{"host": ["http://h"], "url_pattern": "/x", "zzzzzz": 1}]
  }]
}`,
		want: []string{
			`t.json:3:3: warning: $.oauth: unknown key "oauth" ignored, as KrakenD does`,
			`t.json:4:31: warning: $.extra_config.router.read_timeout_ms: unknown key "read_timeout_ms" ignored, as KrakenD does`,
			`t.json:4:53: warning: $.extra_config.router.write_timeout_ms: unknown key "write_timeout_ms" ignored, as KrakenD does`,
			`t.json:4:76: warning: $.extra_config.router.idle_timeout_ms: unknown key "idle_timeout_ms" ignored, as KrakenD does`,
			`t.json:5:5: warning: $.extra_config.router.dial_timeout_ms: unknown key "dial_timeout_ms" ignored, as KrakenD does`,
			`t.json:5:27: warning: $.extra_config.router.forward_all_headers: unknown key "forward_all_headers" ignored, as KrakenD does`,
			`t.json:7:23: warning: $.endpoints[0].max_rate: unknown key "max_rate" ignored, as KrakenD does`,
			`t.json:7:39: warning: $.endpoints[0].input_type: unknown key "input_type" ignored, as KrakenD does`,
			`t.json:7:61: warning: $.endpoints[0].url_pattern: unknown key "url_pattern" ignored, as KrakenD does; valid at backend scope`,
			`t.json:8:61: warning: $.endpoints[0].backend[0].zzzzzz: unknown key "zzzzzz" ignored, as KrakenD does`,
		},
	},
	{
		// Rule 2: names in KrakenD CE's alias table load with a warning and
		// are then handled as the current name; documentation/* is ignored
		// unvalidated; an unknown namespace that is no typo is ignored.
		name: "legacy_namespaces_aliased",
		json: `{
  "version": 3,
  "extra_config": {
    "github_com/devopsfaith/krakend-gologging": {"level": "ERROR", "stdout": true},
    "github_com/luraproject/lura/router/gin": {"return_error_msg": true},
    "documentation/openapi": {"anything": [1, {"goes": true}]},
    "github.com/acme/krakend-thing": {"x": 1}
  },
  "endpoints": [{
    "endpoint": "/a",
    "extra_config": {"github.com/devopsfaith/krakend/proxy": {"sequential": false}},
    "backend": [{"host": ["http://h"], "url_pattern": "/x",
      "extra_config": {"github.com/devopsfaith/krakend/http": {"return_error_code": true}}}]
  }]
}`,
		want: []string{
			`t.json:4:5: warning: $.extra_config["github_com/devopsfaith/krakend-gologging"]: legacy namespace "github_com/devopsfaith/krakend-gologging" loaded as "telemetry/logging", as KrakenD does; rename it to "telemetry/logging"`,
			`t.json:5:5: warning: $.extra_config["github_com/luraproject/lura/router/gin"]: legacy namespace "github_com/luraproject/lura/router/gin" loaded as "router", as KrakenD does; rename it to "router"`,
			`t.json:6:5: warning: $.extra_config["documentation/openapi"]: KrakenD Enterprise documentation metadata ignored`,
			`t.json:7:5: warning: $.extra_config["github.com/acme/krakend-thing"]: unknown namespace "github.com/acme/krakend-thing" ignored, as KrakenD does`,
			`t.json:11:22: warning: $.endpoints[0].extra_config["github.com/devopsfaith/krakend/proxy"]: legacy namespace "github.com/devopsfaith/krakend/proxy" loaded as "proxy", as KrakenD does; rename it to "proxy"`,
			`t.json:13:24: warning: $.endpoints[0].backend[0].extra_config["github.com/devopsfaith/krakend/http"]: legacy namespace "github.com/devopsfaith/krakend/http" loaded as "backend/http", as KrakenD does; rename it to "backend/http"`,
		},
		check: func(t *testing.T, cfg *Config) {
			if cfg.Logging.Level != "ERROR" || !cfg.Router.ReturnErrorMsg || !cfg.Endpoints[0].Backends[0].ReturnErrorCode {
				t.Errorf("aliased namespaces not decoded: logging %+v, router.return_error_msg %v, return_error_code %v",
					cfg.Logging, cfg.Router.ReturnErrorMsg, cfg.Endpoints[0].Backends[0].ReturnErrorCode)
			}
		},
	},
	{
		// Rule 3: a known namespace at a scope where it does not apply is
		// ignored with a warning naming the valid scopes.
		name: "namespace_wrong_scope_warns",
		json: `{
  "version": 3,
  "extra_config": {"backend/http": {}, "proxy": {}, "validation/json-schema": {}},
  "endpoints": [{
    "endpoint": "/a",
    "extra_config": {"router": {}, "telemetry/logging": {}, "backend/lambda": {}},
    "backend": [{"host": ["http://h"], "url_pattern": "/x", "extra_config": {"router": {}}}]
  }]
}`,
		want: []string{
			`t.json:3:20: warning: $.extra_config["backend/http"]: "backend/http" ignored at service scope, as KrakenD does; valid at backend scope`,
			`t.json:3:40: warning: $.extra_config.proxy: "proxy" ignored at service scope, as KrakenD does; valid at endpoint or backend scope`,
			`t.json:3:53: warning: $.extra_config["validation/json-schema"]: "validation/json-schema" ignored at service scope, as KrakenD does; valid at endpoint scope`,
			`t.json:6:22: warning: $.endpoints[0].extra_config.router: "router" ignored at endpoint scope, as KrakenD does; valid at service scope`,
			`t.json:6:36: warning: $.endpoints[0].extra_config["telemetry/logging"]: "telemetry/logging" ignored at endpoint scope, as KrakenD does; valid at service scope`,
			`t.json:6:61: warning: $.endpoints[0].extra_config["backend/lambda"]: "backend/lambda" ignored at endpoint scope, as KrakenD does; valid at backend scope`,
			`t.json:7:78: warning: $.endpoints[0].backend[0].extra_config.router: "router" ignored at backend scope, as KrakenD does; valid at service scope`,
		},
	},
	{
		// Rule 4: where an integer is expected, a base-10 integer string and
		// true/false convert with a warning, then the usual range checks.
		name: "integer_conversions",
		json: `{
  "version": "3",
  "port": "8080",
  "max_idle_connections": true,
  "max_header_bytes": "04096",
  "extra_config": {"tributary": {"max_request_body_bytes": "+1024"}},
  "endpoints": [{"endpoint": "/a", "concurrent_calls": true,
    "backend": [{"host": ["http://h"], "url_pattern": "/x", "extra_config": {"tributary": {"max_redirects": "3"}}}]}]
}`,
		want: []string{
			`t.json:2:14: warning: $.version: converted "3" to 3, as KrakenD does; write the number without quotes`,
			`t.json:3:11: warning: $.port: converted "8080" to 8080, as KrakenD does; write the number without quotes`,
			`t.json:4:27: warning: $.max_idle_connections: converted "true" to 1, as KrakenD does; write the number without quotes`,
			`t.json:5:23: warning: $.max_header_bytes: converted "04096" to 4096, as KrakenD does; write the number without quotes`,
			`t.json:6:60: warning: $.extra_config.tributary.max_request_body_bytes: converted "+1024" to 1024, as KrakenD does; write the number without quotes`,
			`t.json:7:56: warning: $.endpoints[0].concurrent_calls: converted "true" to 1, as KrakenD does; write the number without quotes`,
			`t.json:8:109: warning: $.endpoints[0].backend[0].extra_config.tributary.max_redirects: converted "3" to 3, as KrakenD does; write the number without quotes`,
		},
		check: func(t *testing.T, cfg *Config) {
			if cfg.Port != 8080 || cfg.MaxIdleConnections != 1 || cfg.MaxRequestBodyBytes != 1024 ||
				cfg.Endpoints[0].ConcurrentCalls != 1 || cfg.Endpoints[0].Backends[0].MaxRedirects != 3 {
				t.Errorf("converted values wrong: port %d, max_idle_connections %d, body %d, concurrent %d, redirects %d",
					cfg.Port, cfg.MaxIdleConnections, cfg.MaxRequestBodyBytes, cfg.Endpoints[0].ConcurrentCalls,
					cfg.Endpoints[0].Backends[0].MaxRedirects)
			}
		},
	},
	{
		// KrakenD docs boilerplate: "syslog": false with a facility loads
		// (the facility is accepted and unused), and disable_host_sanitize
		// keeps well-formed hosts exactly as written.
		name: "logging_syslog_off_and_host_sanitize",
		json: `{
  "version": 3,
  "extra_config": {"telemetry/logging": {"level": "INFO", "prefix": "[KRAKEND]", "syslog": false,
    "stdout": true, "syslog_facility": "local3", "format": "default"}},
  "endpoints": [{"endpoint": "/a",
    "backend": [{"host": ["https://api.example.com:8443", "http://h:8080/base/v1"], "url_pattern": "/x", "disable_host_sanitize": true}]}]
}`,
		check: func(t *testing.T, cfg *Config) {
			b := cfg.Endpoints[0].Backends[0]
			if !b.DisableHostSanitize || len(b.Host) != 2 || b.Host[0] != "https://api.example.com:8443" ||
				b.Host[1] != "http://h:8080/base/v1" {
				t.Errorf("backend %+v", *b)
			}
		},
	},
	{
		// Rule 5: unknown encodings decode as json with a did-you-mean;
		// encoding/output mismatches load and behave as §10/§13 say.
		name: "encodings_lenient",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "backend": [{"url_pattern": "/x", "encoding": "no_op"}, {"url_pattern": "/y", "encoding": "fast-json"},
      {"url_pattern": "/z", "encoding": "JSONN", "is_collection": true}]},
    {"endpoint": "/b", "backend": [{"url_pattern": "/x", "encoding": "no-op", "target": "data", "group": "g"}]},
    {"endpoint": "/c", "output_encoding": "no-op", "backend": [{"url_pattern": "/x", "encoding": "json", "allow": ["a"]}]},
    {"endpoint": "/d", "output_encoding": "no-op", "backend": [{"url_pattern": "/x", "encoding": "jsn"}]}
  ]
}`,
		want: []string{
			`t.json:5:70: warning: $.endpoints[0].backend[0].encoding: unknown encoding "no_op" decoded as "json", as KrakenD does; did you mean "no-op"?`,
			`t.json:5:114: warning: $.endpoints[0].backend[1].encoding: encoding "fast-json" (KrakenD Enterprise) decoded as "json", as KrakenD CE does; write "json"`,
			`t.json:6:41: warning: $.endpoints[0].backend[2].encoding: unknown encoding "JSONN" decoded as "json", as KrakenD does; did you mean "json"?`,
			`t.json:7:70: warning: $.endpoints[1].backend[0].encoding: encoding "no-op" under output_encoding "json": the backend's response is discarded, as KrakenD does; set "output_encoding": "no-op" on the endpoint for a passthrough, or remove the encoding`,
			`t.json:7:79: warning: $.endpoints[1].backend[0].target: "target" is ignored: the response of a "no-op" backend is not decoded, as KrakenD does; remove it`,
			`t.json:7:97: warning: $.endpoints[1].backend[0].group: "group" is ignored: the response of a "no-op" backend is not decoded, as KrakenD does; remove it`,
			`t.json:8:98: warning: $.endpoints[2].backend[0].encoding: encoding "json" is ignored under output_encoding "no-op", as KrakenD does; remove it`,
			`t.json:8:106: warning: $.endpoints[2].backend[0].allow: "allow" is ignored: the response of a "no-op" backend is not decoded, as KrakenD does; remove it`,
			`t.json:9:98: warning: $.endpoints[3].backend[0].encoding: unknown encoding "jsn" decoded as "json", as KrakenD does; did you mean "json"?`,
			`t.json:9:98: warning: $.endpoints[3].backend[0].encoding: encoding "jsn" is ignored under output_encoding "no-op", as KrakenD does; remove it`,
		},
		check: func(t *testing.T, cfg *Config) {
			var got []string
			for _, e := range cfg.Endpoints {
				for _, b := range e.Backends {
					got = append(got, b.Encoding)
				}
			}
			if strings.Join(got, " ") != "json json json no-op no-op no-op" {
				t.Errorf("encodings %v", got)
			}
			if b := cfg.Endpoints[0].Backends[2]; !b.IsCollection {
				t.Errorf("is_collection lost on a backend decoded as json")
			}
			if b := cfg.Endpoints[1].Backends[0]; b.Target != "" || b.Group != "" {
				t.Errorf("shaping kept on a no-op backend: %+v", *b)
			}
		},
	},
	{
		// Backend timeout (§5): implemented; a value at or above the
		// endpoint timeout has no effect and is reported.
		name: "backend_timeout",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "timeout": "3s",
  "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/x", "timeout": "500ms"}, {"url_pattern": "/y", "timeout": "3s"}]}]
}`,
		want: []string{
			`t.json:5:124: warning: $.endpoints[0].backend[1].timeout: backend timeout 3s has no effect: the endpoint timeout 3s ends the call first; use a value below the endpoint timeout, or remove it`,
		},
		check: func(t *testing.T, cfg *Config) {
			bs := cfg.Endpoints[0].Backends
			if bs[0].Timeout != 500*time.Millisecond || bs[1].Timeout != 0 {
				t.Errorf("backend timeouts %v, %v; want 500ms, 0", bs[0].Timeout, bs[1].Timeout)
			}
		},
	},
	{
		// §4.3: overlapping routes of different shapes load; only
		// identical shapes conflict (see duplicate_routes).
		name: "overlapping_routes_load",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/api/images/{file_id}", "backend": [{"url_pattern": "/i/{file_id}"}]},
    {"endpoint": "/api/{user_name}/publications", "backend": [{"url_pattern": "/p/{user_name}"}]},
    {"endpoint": "/x/{a}", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/x/{b}/y", "backend": [{"url_pattern": "/"}]}
  ]
}`,
		check: func(t *testing.T, cfg *Config) {
			if len(cfg.Endpoints) != 4 {
				t.Errorf("%d endpoints, want 4", len(cfg.Endpoints))
			}
		},
	},
	{
		// §2.4: variables that override nothing get a warning: a root key
		// the file does not set, or a probable typo of an override or of a
		// reserved variable. Unrelated variables are left alone.
		name: "env_unused_did_you_mean",
		env: []string{"TRIBUTARY_TIMOUT=3s", "KRAKEND_PROT=80", "TRIBUTARY_PORT=9000", "TRIBUTARY_CONFG=/x",
			"TRIBUTARY_NAME=n", "KRAKEND_LICENSE_KEY=abc", "TRIBUTARY_STRICT=1", "TRIBUTARY_ENDPOINT=GET /a"},
		json: `{
  "version": 3,
  "name": "x",
  "timeout": "1s"
}`,
		want: []string{
			`t.json:1:1: warning: $: environment variable KRAKEND_PROT matches no root key; did you mean KRAKEND_PORT?`,
			`t.json:1:1: warning: $: environment variable TRIBUTARY_CONFG matches no root key; did you mean TRIBUTARY_CONFIG?`,
			`t.json:1:1: warning: $: environment variable TRIBUTARY_PORT ignored: "port" is not set in the file; overrides only replace keys the file sets; add "port" to the file`,
			`t.json:1:1: warning: $: environment variable TRIBUTARY_TIMOUT matches no root key; did you mean TRIBUTARY_TIMEOUT?`,
		},
		check: func(t *testing.T, cfg *Config) {
			if cfg.Name != "n" || cfg.Timeout != time.Second {
				t.Errorf("name %q timeout %v", cfg.Name, cfg.Timeout)
			}
		},
	},
}

// policyBroken is the golden table of configs the policy still rejects.
var policyBroken = []brokenCase{
	{
		// Probable typos (case-insensitive equality or edit distance ≤ 2,
		// compared case-insensitively), renamed v2 keys anywhere, and any
		// unknown option of the tributary namespace are errors.
		name: "unknown_keys_errors",
		json: `{
  "version": 3,
  "TimeOut": "1s",
  "Endpoint": [],
  "extra_config": {"router": {"Return_Error_Msgs": true},
    "tributary": {"max_body": 1}},
  "endpoints": [{
    "endpoint": "/a", "Concurrent_Cals": 1, "clientMaxRate": 1,
    "backend": [{"host": ["http://h"], "url_pattern": "/x", "SD": "static", "headers_to_pass": ["A"]}]
  }]
}`,
		want: []string{
			`t.json:3:3: $.TimeOut: unknown key; did you mean "timeout"?`,
			`t.json:4:3: $.Endpoint: unknown key; did you mean "endpoints"?`,
			`t.json:5:31: $.extra_config.router.Return_Error_Msgs: unknown key; did you mean "return_error_msg"?`,
			`t.json:6:19: $.extra_config.tributary.max_body: unknown option "max_body"`,
			`t.json:8:23: $.endpoints[0].Concurrent_Cals: unknown key; did you mean "concurrent_calls"?`,
			`t.json:8:45: $.endpoints[0].clientMaxRate: key renamed in config v3; use "client_max_rate"`,
			`t.json:9:61: $.endpoints[0].backend[0].SD: unknown key; did you mean "sd"?`,
			`t.json:9:77: $.endpoints[0].backend[0].headers_to_pass: key renamed in config v3; use "input_headers"`,
		},
	},
	{
		// Rule 2: an alias of a not-supported-yet name stays an error after
		// its warning; both names in one object, names KrakenD does not
		// alias (including the other github.com/github_com spelling), Go
		// plugins, Enterprise names, probable typos and unknown auth/,
		// security/, qos/ names are errors.
		name: "legacy_namespaces_errors",
		json: `{
  "version": 3,
  "plugin": {"folder": "./plugins/", "pattern": ".so"},
  "extra_config": {
    "github.com/devopsfaith/krakend-cel": [{"check_expr": "true"}],
    "github.com/devopsfaith/krakend-amqp/agent": {},
    "telemetry/logging": {"level": "INFO", "stdout": true},
    "github_com/devopsfaith/krakend-gologging": {"level": "INFO", "stdout": true},
    "github_com/devopsfaith/krakend/router/gin": {},
    "github.com/devopsfaith/krakend-etcd": {},
    "plugin/http-server": {"name": ["auth-plugin", "geo"]},
    "github_com/devopsfaith/krakend/transport/http/server/handler": {"name": "legacy-one"},
    "auth/api-keys": {},
    "Router": {},
    "security/waf": {}
  },
  "endpoints": [{
    "endpoint": "/a",
    "extra_config": {"github.com/devopsfaith/krakend-jsonschema": {"type": "object"}},
    "backend": [{"host": ["http://h"], "url_pattern": "/x",
      "extra_config": {"github_com/devopsfaith/krakend/http": {}, "plugin/http-client": {}}}]
  }]
}`,
		want: []string{
			`t.json:3:3: $.plugin: plugin loader (folder "./plugins/", pattern ".so"): KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)`,
			`t.json:6:5: $.extra_config["github.com/devopsfaith/krakend-amqp/agent"]: namespace "async/amqp" not supported yet`,
			`t.json:8:5: $.extra_config["github_com/devopsfaith/krakend-gologging"]: namespaces "github_com/devopsfaith/krakend-gologging" and "telemetry/logging" are the same (the first is KrakenD's legacy name of the second); keep one of them`,
			`t.json:9:5: $.extra_config["github_com/devopsfaith/krakend/router/gin"]: legacy namespace "github_com/devopsfaith/krakend/router/gin" is not read by KrakenD, so its feature would be silently off; renamed to "router"`,
			`t.json:10:5: $.extra_config["github.com/devopsfaith/krakend-etcd"]: namespace "github.com/devopsfaith/krakend-etcd" is no longer supported by KrakenD; remove it`,
			`t.json:11:37: $.extra_config["plugin/http-server"].name[0]: plugin "auth-plugin": KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)`,
			`t.json:11:52: $.extra_config["plugin/http-server"].name[1]: plugin "geo": KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)`,
			`t.json:12:78: $.extra_config["github_com/devopsfaith/krakend/transport/http/server/handler"].name: plugin "legacy-one": KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)`,
			`t.json:13:5: $.extra_config["auth/api-keys"]: namespace "auth/api-keys" not supported (KrakenD Enterprise feature)`,
			`t.json:14:5: $.extra_config.Router: unknown namespace "Router"; did you mean "router"?`,
			`t.json:15:5: $.extra_config["security/waf"]: unknown namespace "security/waf"`,
			`t.json:21:24: $.endpoints[0].backend[0].extra_config["github_com/devopsfaith/krakend/http"]: legacy namespace "github_com/devopsfaith/krakend/http" is not read by KrakenD, so its feature would be silently off; renamed to "backend/http"`,
			`t.json:21:67: $.endpoints[0].backend[0].extra_config["plugin/http-client"]: Go plugin namespace: KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)`,
		},
	},
	{
		// Rule 3: auth/*, security/* and qos/* at the wrong scope are errors
		// (the protection would silently not exist); Enterprise-only scopes
		// are the Enterprise error.
		name: "guarded_namespace_wrong_scope",
		json: `{
  "version": 3,
  "endpoints": [{
    "endpoint": "/a",
    "extra_config": {"security/cors": {}, "qos/ratelimit/proxy": {}},
    "backend": [{"host": ["http://h"], "url_pattern": "/x",
      "extra_config": {"telemetry/opentelemetry": {}, "auth/validator": {}}}]
  }]
}`,
		want: []string{
			`t.json:5:22: $.endpoints[0].extra_config["security/cors"]: namespace "security/cors" at endpoint scope not supported (KrakenD Enterprise feature); valid at service scope`,
			`t.json:5:43: $.endpoints[0].extra_config["qos/ratelimit/proxy"]: namespace "qos/ratelimit/proxy" is not valid at endpoint scope; valid at backend scope`,
			`t.json:7:24: $.endpoints[0].backend[0].extra_config["telemetry/opentelemetry"]: namespace "telemetry/opentelemetry" at backend scope not supported (KrakenD Enterprise feature); valid at service scope`,
			`t.json:7:55: $.endpoints[0].backend[0].extra_config["auth/validator"]: namespace "auth/validator" is not valid at backend scope; valid at service or endpoint scope`,
		},
	},
	{
		// Rule 4 converts nothing else, and a converted value still gets the
		// range checks.
		name: "integer_conversions_errors",
		json: `{
  "version": "2",
  "port": "70000",
  "max_idle_connections": "0x10",
  "max_header_bytes": false,
  "debug_endpoint": "true",
  "timeout": 3000,
  "name": 5,
  "endpoints": [{"endpoint": "/a", "concurrent_calls": "11", "backend": [{"host": ["http://h"], "url_pattern": "/x", "is_collection": 1}]}]
}`,
		want: []string{
			`t.json:2:14: $.version: config version 2 is not supported; convert it with tributary migrate -c OLD -o NEW (docs/krakend-compatibility.md#legacy-names)`,
			`t.json:3:11: $.port: value 70000 out of range; must be 1–65535`,
			`t.json:4:27: $.max_idle_connections: expected an integer, got string`,
			`t.json:5:23: $.max_header_bytes: 0 would remove a safety limit; omit the key for the default`,
			`t.json:6:21: $.debug_endpoint: expected true or false, got string; booleans are not strings; remove the quotes`,
			`t.json:7:14: $.timeout: expected a duration string like "3s", got number; a bare number has no unit; write e.g. "500ms" or "3s"`,
			`t.json:8:11: $.name: expected a string, got number`,
			`t.json:9:56: $.endpoints[0].concurrent_calls: value 11 out of range; must be 1–10`,
			`t.json:9:135: $.endpoints[0].backend[0].is_collection: expected true or false, got number`,
		},
	},
	{
		// a syslog facility must be one of KrakenD's;
		// disable_host_sanitize hosts must be absolute http(s) URLs, and a
		// base path is not supported yet.
		name: "logging_syslog_and_host_sanitize_errors",
		json: `{
  "version": 3,
  "extra_config": {"telemetry/logging": {"level": "INFO", "stdout": true, "syslog": true, "syslog_facility": "local9"}},
  "endpoints": [{"endpoint": "/a",
    "backend": [{"host": ["svc:8080", "http://h/base/", "ftp://h", "http://u@h", "http://h/a/../b", "http://h/a%20b"], "url_pattern": "/x", "disable_host_sanitize": true}]}]
}`,
		want: []string{
			`t.json:3:110: $.extra_config["telemetry/logging"].syslog_facility: unknown syslog facility "local9"; use local0 … local7, user or daemon`,
			`t.json:5:27: $.endpoints[0].backend[0].host[0]: host "svc:8080" is not an absolute http:// or https:// URL; disable_host_sanitize keeps the host as written`,
			`t.json:5:39: $.endpoints[0].backend[0].host[1]: host "http://h/base/": a trailing "/" is not supported yet (KrakenD would send "//" before url_pattern); remove the trailing "/"`,
			`t.json:5:57: $.endpoints[0].backend[0].host[2]: host "ftp://h" is not an absolute http:// or https:// URL; disable_host_sanitize keeps the host as written`,
			`t.json:5:68: $.endpoints[0].backend[0].host[3]: invalid host "http://u@h"; disable_host_sanitize keeps the host as written; use e.g. "http://users:8080" without userinfo, query or fragment`,
			`t.json:5:82: $.endpoints[0].backend[0].host[4]: host "http://h/a/../b": empty, "." or ".." segment in the base path`,
			`t.json:5:101: $.endpoints[0].backend[0].host[5]: host "http://h/a%20b": character "%" not allowed in the base path; put it in url_pattern`,
		},
	},
	{
		name: "backend_timeout_errors",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/x", "timeout": "0s"}, {"url_pattern": "/y", "timeout": 300}]}]
}`,
		want: []string{
			`t.json:4:81: $.endpoints[0].backend[0].timeout: timeout must be greater than 0; 0 does not disable the timeout; remove the key to use the endpoint timeout`,
			`t.json:4:121: $.endpoints[0].backend[1].timeout: expected a duration string like "3s", got number; a bare number has no unit; write e.g. "500ms" or "3s"`,
		},
	},
}

func TestLoadWarningGolden(t *testing.T) {
	for _, tc := range warnConfigs {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load("t.json", []byte(tc.json), tc.env)
			if err != nil {
				t.Fatalf("Load: unexpected errors:\n%v", err)
			}
			var got []string
			for _, w := range cfg.Warnings {
				got = append(got, strings.Replace(w.String(), ": ", ": warning: ", 1))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("warnings differ\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if tc.check != nil {
				tc.check(t, cfg)
			}
		})
	}
}

func TestLoadPolicyBrokenGolden(t *testing.T) {
	for _, tc := range policyBroken {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}
