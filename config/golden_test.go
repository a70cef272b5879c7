package config

import (
	"strings"
	"testing"
)

// brokenCase is one rejected config and the exact diagnostics it must
// produce, in order. The file name in diagnostics is "t.json".
type brokenCase struct {
	name string
	env  []string
	json string
	want []string
}

// brokenConfigs is the golden table of rejected configs (krakend-compat.md
// §2.2, security.md §5 class A).
var brokenConfigs = []brokenCase{
	{
		name: "syntax_missing_comma",
		json: `{
  "version": 3
  "port": 8080
}`,
		want: []string{
			`t.json:3:3: $: syntax error: unexpected character '"'; expected ',' or '}'; missing ',' between members?`,
		},
	},
	{
		name: "syntax_trailing_comma_deep",
		json: `{
  "version": 3,
  "endpoints": [
    {
      "endpoint": "/a",
      "backend": [
        {"host": ["http://h"], "url_pattern": "/x"},
      ]
    }
  ]
}`,
		want: []string{
			`t.json:7:52: $.endpoints[0].backend: syntax error: trailing comma before ']'; JSON does not allow trailing commas; remove it`,
		},
	},
	{
		name: "syntax_comment",
		json: `{
  // a comment
  "version": 3
}`,
		want: []string{
			`t.json:2:3: $: syntax error: unexpected character '/'; expected a string key; JSON has no comments; use a "@comment" key instead`,
		},
	},
	{
		name: "syntax_unquoted_key",
		json: `{"version": 3, port: 1}`,
		want: []string{
			`t.json:1:16: $: syntax error: unexpected character 'p'; expected a string key; object keys need double quotes`,
		},
	},
	{
		name: "syntax_bad_number",
		json: `{"version": 3, "port": 080}`,
		want: []string{
			`t.json:1:24: $.port: syntax error: invalid number "080"`,
		},
	},
	{
		name: "syntax_raw_newline_in_string",
		json: `{"version": 3, "name": "a
b"}`,
		want: []string{
			`t.json:1:26: $.name: syntax error: unterminated string (raw line break inside it); escape it as \n`,
		},
	},
	{
		name: "syntax_trailing_data",
		json: `{"version": 3} {}`,
		want: []string{
			`t.json:1:16: $: syntax error: unexpected character '{' after the top-level value; a config holds exactly one JSON object`,
		},
	},
	{
		name: "empty_file",
		json: ``,
		want: []string{
			`t.json:1:1: $: syntax error: empty config file; the config must be a JSON object such as {"version": 3}`,
		},
	},
	{
		name: "top_level_array",
		json: `[{"version": 3}]`,
		want: []string{
			`t.json:1:1: $: the top level must be a JSON object, got array; a config looks like {"version": 3, "endpoints": [...]}`,
		},
	},
	{
		name: "invalid_utf8",
		json: "{\"version\": 3, \"name\": \"caf\xe9\"}",
		want: []string{
			`t.json:1:28: $.name: syntax error: invalid UTF-8 in string; the config must be UTF-8`,
		},
	},
	{
		name: "utf16_bom",
		json: "\xff\xfe{\x00}\x00",
		want: []string{
			`t.json:1:1: $: syntax error: the file is UTF-16 or UTF-32 encoded; save it as UTF-8`,
		},
	},
	{
		name: "duplicate_keys",
		json: `{
  "version": 3,
  "name": "a",
  "name": "b",
  "endpoints": [{
    "endpoint": "/a",
    "backend": [{
      "host": ["http://h"], "url_pattern": "/x",
      "mapping": {"_id": "id", "_id": "uid"}
    }]
  }]
}`,
		want: []string{
			`t.json:4:3: $.name: duplicate key "name"; first defined at 3:3`,
			`t.json:9:32: $.endpoints[0].backend[0].mapping._id: duplicate key "_id"; first defined at 9:19`,
		},
	},
	{
		name: "unknown_keys",
		json: `{
  "version": 3,
  "timout": "1s",
  "Port": 80,
  "endpoints": [{
    "endpoint": "/a",
    "url_pattern": "/x",
    "backend": [{"host": ["http://h"], "url_pattern": "/x", "grop": "g", "zzzzzz": 1}]
  }]
}`,
		want: []string{
			`t.json:3:3: $.timout: unknown key; did you mean "timeout"?`,
			`t.json:4:3: $.Port: unknown key; did you mean "port"?`,
			`t.json:8:61: $.endpoints[0].backend[0].grop: unknown key; did you mean "group"?`,
		},
	},
	{
		name: "renamed_keys",
		json: `{
  "version": 3,
  "endpoints": [{
    "endpoint": "/a",
    "headers_to_pass": ["Authorization"],
    "querystring_params": ["q"],
    "backend": [{
      "host": ["http://h"], "url_pattern": "/x",
      "whitelist": ["a"],
      "blacklist": ["b"]
    }]
  }]
}`,
		want: []string{
			`t.json:5:5: $.endpoints[0].headers_to_pass: key renamed in config v3; use "input_headers"`,
			`t.json:6:5: $.endpoints[0].querystring_params: key renamed in config v3; use "input_query_strings"`,
			`t.json:9:7: $.endpoints[0].backend[0].whitelist: key renamed in config v3; use "allow"`,
			`t.json:10:7: $.endpoints[0].backend[0].blacklist: key renamed in config v3; use "deny"`,
		},
	},
	{
		name: "durations",
		json: `{
  "version": 3,
  "timeout": 3000,
  "cache_ttl": "3 s",
  "max_shutdown_wait_time": "-1s",
  "endpoints": [{"endpoint": "/a", "timeout": "0s", "backend": [{"host": ["http://h"], "url_pattern": "/x"}]}]
}`,
		want: []string{
			`t.json:3:14: $.timeout: expected a duration string like "3s", got number; a bare number has no unit; write e.g. "500ms" or "3s"`,
			`t.json:4:16: $.cache_ttl: invalid duration "3 s"; use Go duration syntax, e.g. "1500ms", "2s" or "1m"`,
			`t.json:5:29: $.max_shutdown_wait_time: duration "-1s" must not be negative`,
			`t.json:6:47: $.endpoints[0].timeout: timeout must be greater than 0; 0 does not disable the timeout; remove the key to inherit the service timeout`,
		},
	},
	{
		name: "zero_timeout",
		json: `{
  "version": 3,
  "timeout": "0s"
}`,
		want: []string{
			`t.json:3:14: $.timeout: timeout must be greater than 0; 0 does not disable the timeout; remove the key for the 2s default`,
		},
	},
	{
		name: "hardening_zero",
		json: `{
  "version": 3,
  "read_timeout": "0s",
  "max_header_bytes": 0,
  "idle_connection_timeout": "0ms",
  "extra_config": {"tributary": {"max_request_body_bytes": 0}}
}`,
		want: []string{
			`t.json:3:19: $.read_timeout: 0 would remove a safety limit; omit the key for the default`,
			`t.json:4:23: $.max_header_bytes: 0 would remove a safety limit; omit the key for the default`,
			`t.json:5:30: $.idle_connection_timeout: 0 would remove a safety limit; omit the key for the default`,
			`t.json:6:60: $.extra_config.tributary.max_request_body_bytes: 0 would remove a safety limit; omit the key for the default`,
		},
	},
	{
		name: "wrong_types",
		json: `{
  "version": 3,
  "port": 80.5,
  "name": 7,
  "debug_endpoint": "true",
  "host": "http://h",
  "max_idle_connections": "1e3",
  "endpoints": {}
}`,
		want: []string{
			`t.json:3:11: $.port: expected an integer, got 80.5`,
			`t.json:4:11: $.name: expected a string, got number`,
			`t.json:5:21: $.debug_endpoint: expected true or false, got string; booleans are not strings; remove the quotes`,
			`t.json:6:11: $.host: expected an array of strings, got string; wrap it in brackets: ["http://h"]`,
			`t.json:7:27: $.max_idle_connections: expected an integer, got string; numbers are not strings; remove the quotes`,
			`t.json:8:16: $.endpoints: expected an array of endpoint objects, got object`,
		},
	},
	{
		name: "version_2",
		json: `{
  "version": 2,
  "endpoints": []
}`,
		want: []string{
			`t.json:2:14: $.version: config version 2 is not supported; convert it with tributary migrate -c OLD -o NEW (docs/krakend-compatibility.md#legacy-names)`,
		},
	},
	{
		name: "version_missing",
		json: `{
  "name": "x"
}`,
		want: []string{
			`t.json:1:1: $: missing required key "version"; add "version": 3`,
		},
	},
	{
		name: "namespaces_each_class",
		json: `{
  "version": 3,
  "extra_config": {
    "auth/signer": {},
    "async/amqp": {},      
    "qos/ratelimit/tiered": {},
    "github_com/devopsfaith/krakend-gologging": {"level": "INFO", "stdout": true},
    "github.com/devopsfaith/krakend-ratelimit/juju/router": {},
    "telemetry/loging": {},
    "plugin/http-server": {},
    "governance/quota": {}
  }
}`,
		want: []string{
			`t.json:4:5: $.extra_config["auth/signer"]: namespace "auth/signer" is not valid at service scope; valid at endpoint scope`,
			`t.json:5:5: $.extra_config["async/amqp"]: namespace "async/amqp" not supported yet`,
			`t.json:6:5: $.extra_config["qos/ratelimit/tiered"]: namespace "qos/ratelimit/tiered" not supported (KrakenD Enterprise feature)`,
			`t.json:8:5: $.extra_config["github.com/devopsfaith/krakend-ratelimit/juju/router"]: legacy namespace "github.com/devopsfaith/krakend-ratelimit/juju/router" is not read by KrakenD, so its feature would be silently off; renamed to "qos/ratelimit/router"; rename maxRate → max_rate, clientMaxRate → client_max_rate, clientCapacity → client_capacity`,
			`t.json:9:5: $.extra_config["telemetry/loging"]: unknown namespace "telemetry/loging"; did you mean "telemetry/logging"?`,
			`t.json:10:5: $.extra_config["plugin/http-server"]: Go plugin namespace: KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)`,
			`t.json:11:5: $.extra_config["governance/quota"]: namespace "governance/quota" not supported (KrakenD Enterprise feature)`,
		},
	},
	{
		name: "namespace_wrong_scope",
		json: `{
  "version": 3,
  "extra_config": {"backend/http": {}, "proxy": {}},
  "endpoints": [{
    "endpoint": "/a",
    "extra_config": {"router": {}, "security/cors": {}, "qos/ratelimit/proxy": {}},
    "backend": [{"host": ["http://h"], "url_pattern": "/x",
      "extra_config": {"telemetry/opentelemetry": {}, "qos/ratelimit/router": {}, "auth/validator": {}}}]
  }]
}`,
		want: []string{
			`t.json:6:36: $.endpoints[0].extra_config["security/cors"]: namespace "security/cors" at endpoint scope not supported (KrakenD Enterprise feature); valid at service scope`,
			`t.json:6:57: $.endpoints[0].extra_config["qos/ratelimit/proxy"]: namespace "qos/ratelimit/proxy" is not valid at endpoint scope; valid at backend scope`,
			`t.json:8:24: $.endpoints[0].backend[0].extra_config["telemetry/opentelemetry"]: namespace "telemetry/opentelemetry" at backend scope not supported (KrakenD Enterprise feature); valid at service scope`,
			`t.json:8:55: $.endpoints[0].backend[0].extra_config["qos/ratelimit/router"]: namespace "qos/ratelimit/router" is not valid at backend scope; valid at endpoint scope`,
			`t.json:8:83: $.endpoints[0].backend[0].extra_config["auth/validator"]: namespace "auth/validator" is not valid at backend scope; valid at service or endpoint scope`,
		},
	},
	{
		name: "placeholders",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a/{id}", "backend": [{"url_pattern": "/b/{ID}"}, {"url_pattern": "/c/{user}"}]},
    {"endpoint": "/b", "backend": [{"url_pattern": "/x/{resp0_id}"}, {"url_pattern": "/y/{JWT.sub}"}, {"url_pattern": "/z/{x}"}]},
    {"endpoint": "/c/{id}", "backend": [{"url_pattern": "/x?{id}=1"}, {"url_pattern": "/x/{}"}, {"url_pattern": "/x/{id"}, {"url_pattern": "/x/id}"}]}
  ]
}`,
		want: []string{
			`t.json:5:57: $.endpoints[0].backend[0].url_pattern: undefined placeholder "ID" in backend 0 of GET /a/{id}; did you mean {id}?`,
			`t.json:5:85: $.endpoints[0].backend[1].url_pattern: undefined placeholder "user" in backend 1 of GET /a/{id}; the endpoint declares {id}`,
			`t.json:6:52: $.endpoints[1].backend[0].url_pattern: placeholder {resp0_id} needs proxy.sequential: true on the endpoint; add "extra_config": {"proxy": {"sequential": true}} to the endpoint`,
			`t.json:6:86: $.endpoints[1].backend[1].url_pattern: placeholder {JWT.sub} needs auth/validator on the endpoint`,
			`t.json:6:119: $.endpoints[1].backend[2].url_pattern: undefined placeholder "x" in backend 2 of GET /b; the endpoint template declares no placeholders`,
			`t.json:7:57: $.endpoints[2].backend[0].url_pattern: invalid url_pattern "/x?{id}=1": placeholder {id} in a query key; placeholders are allowed only in query values`,
			`t.json:7:87: $.endpoints[2].backend[1].url_pattern: invalid url_pattern "/x/{}": empty placeholder {}`,
			`t.json:7:113: $.endpoints[2].backend[2].url_pattern: invalid url_pattern "/x/{id": unbalanced '{'`,
			`t.json:7:140: $.endpoints[2].backend[3].url_pattern: invalid url_pattern "/x/id}": unbalanced '}'`,
		},
	},
	{
		name: "template_rules",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/file.{ext}", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a//b", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a/{}", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a/{id", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a/{id}/{id}", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a/*", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a/../b", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a?x=1", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a b", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/a/{i.d}", "backend": [{"url_pattern": "/"}]}
  ]
}`,
		want: []string{
			`t.json:5:18: $.endpoints[0].endpoint: invalid endpoint "/file.{ext}": placeholder must be a whole segment, not part of "file.{ext}" (that needs disable_rest, which is not supported yet)`,
			`t.json:6:18: $.endpoints[1].endpoint: invalid endpoint "/a//b": empty segment ("//")`,
			`t.json:7:18: $.endpoints[2].endpoint: invalid endpoint "/a/{}": empty placeholder {}`,
			`t.json:8:18: $.endpoints[3].endpoint: invalid endpoint "/a/{id": unbalanced braces in segment "{id"`,
			`t.json:9:18: $.endpoints[4].endpoint: invalid endpoint "/a/{id}/{id}": placeholder {id} appears twice`,
			`t.json:10:18: $.endpoints[5].endpoint: invalid endpoint "/a/*": '*' is not allowed (wildcard routes are not supported)`,
			`t.json:11:18: $.endpoints[6].endpoint: invalid endpoint "/a/../b": dot segment ".."`,
			`t.json:12:18: $.endpoints[7].endpoint: invalid endpoint "/a?x=1": '?' is not allowed (the query is not part of the route)`,
			`t.json:13:18: $.endpoints[8].endpoint: invalid endpoint "/a b": whitespace is not allowed`,
			`t.json:14:18: $.endpoints[9].endpoint: invalid endpoint "/a/{i.d}": invalid placeholder name "i.d" (use letters, digits, _ and -)`,
		},
	},
	{
		name: "reserved_paths",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "extra_config": {"router": {"health_path": "/status"}},
  "endpoints": [
    {"endpoint": "/__health", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/__debug/x", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/status", "backend": [{"url_pattern": "/"}]},
    {"endpoint": "/__echoes", "backend": [{"url_pattern": "/"}]}
  ]
}`,
		want: []string{
			`t.json:6:18: $.endpoints[0].endpoint: endpoint "/__health" is reserved (built-in /__health); paths under "/__" are reserved for built-in endpoints`,
			`t.json:7:18: $.endpoints[1].endpoint: endpoint "/__debug/x" is reserved (built-in /__debug); paths under "/__" are reserved for built-in endpoints`,
			`t.json:8:18: $.endpoints[2].endpoint: endpoint "/status" is reserved (built-in /status); it is the router.health_path`,
		},
	},
	{
		name: "no_backends",
		json: `{
  "version": 3,
  "endpoints": [
    {"endpoint": "/a", "backend": []},
    {"endpoint": "/b"},
    {"endpoint": "/c", "backend": [{"url_pattern": "/x"}]}
  ]
}`,
		want: []string{
			`t.json:4:35: $.endpoints[0].backend: no backends; an endpoint needs at least one backend`,
			`t.json:5:5: $.endpoints[1]: missing required key "backend"; an endpoint needs at least one backend`,
			`t.json:6:36: $.endpoints[2].backend[0]: missing required key "host"; set host on the backend or at the service level`,
		},
	},
	{
		name: "noop_rules",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "output_encoding": "no-op", "backend": [{"url_pattern": "/x"}, {"url_pattern": "/y"}]},
    {"endpoint": "/b", "output_encoding": "no-op", "backend": [{"url_pattern": "/x", "encoding": "json"}]},
    {"endpoint": "/c", "backend": [{"url_pattern": "/x", "encoding": "no-op"}]}
  ]
}`,
		want: []string{
			`t.json:5:63: $.endpoints[0].backend: output_encoding "no-op" needs exactly one backend, got 2; split the endpoint, or use another output_encoding`,
		},
	},
	{
		name: "return_error_code_and_details",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/x",
    "extra_config": {"backend/http": {"return_error_code": true, "return_error_details": "x"}}}]}]
}`,
		want: []string{
			`t.json:5:90: $.endpoints[0].backend[0].extra_config["backend/http"].return_error_details: return_error_code and return_error_details cannot be combined; keep one of them`,
		},
	},
	{
		name: "allow_overlap",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/x",
    "allow": ["a.b", "c", "a", "c", "d..e"]}]}]
}`,
		want: []string{
			`t.json:5:27: $.endpoints[0].backend[0].allow[2]: allow entries "a" and "a.b" overlap; keep one`,
			`t.json:5:32: $.endpoints[0].backend[0].allow[3]: allow entry "c" is listed twice; keep one`,
			`t.json:5:37: $.endpoints[0].backend[0].allow[4]: empty segment in dot path "d..e"`,
		},
	},
	{
		name: "mapping_errors",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/x",
    "mapping": {"a": "x.y", "b": "z", "c": "z", "d": "", "e": 1}}]}]
}`,
		want: []string{
			`t.json:5:22: $.endpoints[0].backend[0].mapping.a: mapping target "x.y" contains "."; mapping renames top-level keys only; use group to nest`,
			`t.json:5:44: $.endpoints[0].backend[0].mapping.c: keys "b" and "c" are both mapped to "z"; map each target once`,
			`t.json:5:54: $.endpoints[0].backend[0].mapping.d: empty mapping target`,
			`t.json:5:63: $.endpoints[0].backend[0].mapping.e: expected a string, got number`,
		},
	},
	{
		name: "bad_hosts",
		json: `{
  "version": 3,
  "host": [
    "http://user:pw@h",
    "http://h/api",
    "http://h?x=1",
    "ftp://h",
    "http://{tenant}.h",
    "http://h:70000",
    "",
    "http://",
    "http://h:"
  ]
}`,
		want: []string{
			`t.json:4:5: $.host[0]: userinfo is not allowed in host "http://user:pw@h"; send credentials with input_headers or a namespace`,
			`t.json:5:5: $.host[1]: a path is not allowed in host "http://h/api"; put the path in url_pattern`,
			`t.json:6:5: $.host[2]: a query or fragment is not allowed in host "http://h?x=1"; put the query in url_pattern`,
			`t.json:7:5: $.host[3]: unsupported scheme in host "ftp://h"; use http:// or https://`,
			`t.json:8:5: $.host[4]: placeholders are not allowed in host "http://{tenant}.h"; put them in url_pattern`,
			`t.json:9:5: $.host[5]: port out of range in host "http://h:70000"; use 1–65535`,
			`t.json:10:5: $.host[6]: empty host; use e.g. "http://users:8080"`,
			`t.json:11:5: $.host[7]: missing host name in "http://"`,
			`t.json:12:5: $.host[8]: empty port in host "http://h:"`,
		},
	},
	{
		name: "trusted_proxies",
		json: `{
  "version": 3,
  "extra_config": {"router": {
    "trusted_proxies": ["10.0.0.0/8", "1.2.3.4", "not-an-ip"]
  }}
}`,
		want: []string{
			`t.json:4:5: $.extra_config.router.trusted_proxies: trusted_proxies has no effect without forwarded_by_client_ip; set "forwarded_by_client_ip": true, or remove trusted_proxies`,
			`t.json:4:50: $.extra_config.router.trusted_proxies[2]: invalid IP address or CIDR "not-an-ip"; use e.g. "10.0.0.1" or "10.0.0.0/8"`,
		},
	},
	{
		name: "env_bad_value",
		env:  []string{"TRIBUTARY_PORT=abc", "KRAKEND_DEBUG_ENDPOINT=yes", "TRIBUTARY_NAME=ok"},
		json: `{
  "version": 3,
  "port": 8080,
  "debug_endpoint": false,
  "name": "x"
}`,
		want: []string{
			`t.json:3:3: $.port: environment variable TRIBUTARY_PORT="abc" is not a number; it overrides "port", which holds a number in the file`,
			`t.json:4:3: $.debug_endpoint: environment variable KRAKEND_DEBUG_ENDPOINT="yes" is not true or false; it overrides "debug_endpoint", which holds true or false in the file`,
		},
	},
	{
		name: "env_out_of_range",
		env:  []string{"KRAKEND_PORT=70000"},
		json: `{
  "version": 3,
  "port": 8080
}`,
		want: []string{
			`t.json:3:11: $.port: value 70000 out of range; must be 1–65535 (value from environment variable KRAKEND_PORT)`,
		},
	},
	{
		name: "fc_enable",
		env:  []string{"FC_ENABLE=1"},
		json: `{"version": 3, "endpoints": [{{ template "x" }}]}`,
		want: []string{
			`t.json:1:42: Flexible Config template error: executing "t.json" at <{{template "x"}}>: template "x" not defined`,
		},
	},
	{
		name: "many_errors_in_order",
		json: `{
  "extra_config": {"router": {"helth_path": "/h"}},
  "endpoints": [
    {"endpoint": "/a", "method": "TRACE", "backend": [{"url_pattern": "/x/{y}", "host": ["h:1"]}]}
  ],
  "timeout": "1",
  "version": 2
}`,
		want: []string{
			`t.json:2:31: $.extra_config.router.helth_path: unknown key; did you mean "health_path"?`,
			`t.json:4:34: $.endpoints[0].method: unsupported endpoint method "TRACE"; use GET, POST, PUT, PATCH or DELETE; declare one endpoint object per method`,
			`t.json:4:71: $.endpoints[0].backend[0].url_pattern: undefined placeholder "y" in backend 0 of GET /a; the endpoint template declares no placeholders`,
			`t.json:6:14: $.timeout: invalid duration "1"; use Go duration syntax, e.g. "1500ms", "2s" or "1m"`,
			`t.json:7:14: $.version: config version 2 is not supported; convert it with tributary migrate -c OLD -o NEW (docs/krakend-compatibility.md#legacy-names)`,
		},
	},
	{
		name: "concurrent_calls",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "concurrent_calls": 3, "backend": [{"url_pattern": "/x"}, {"url_pattern": "/y", "method": "post"}]},
    {"endpoint": "/b", "concurrent_calls": 0, "backend": [{"url_pattern": "/x"}]},
    {"endpoint": "/c", "concurrent_calls": 1, "backend": [{"url_pattern": "/x"}]},
    {"endpoint": "/d", "concurrent_calls": 11, "backend": [{"url_pattern": "/x"}]},
    {"endpoint": "/e", "method": "PUT", "concurrent_calls": 10, "backend": [{"url_pattern": "/x", "method": "GET"}]}
  ]
}`,
		want: []string{
			`t.json:5:44: $.endpoints[0].concurrent_calls: concurrent_calls 3 needs every backend method to be GET, HEAD or OPTIONS; $.endpoints[0].backend[1] uses POST; identical copies of a request that is not idempotent are never sent; set concurrent_calls to 1`,
			`t.json:6:44: $.endpoints[1].concurrent_calls: value 0 out of range; must be 1–10`,
			`t.json:8:44: $.endpoints[3].concurrent_calls: value 11 out of range; must be 1–10`,
		},
	},
	{
		name: "duplicate_routes",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/u/{id}", "backend": [{"url_pattern": "/x"}]},
    {"endpoint": "/u/{name}", "backend": [{"url_pattern": "/x"}]},
    {"endpoint": "/u/{name}", "method": "POST", "backend": [{"url_pattern": "/x"}]},
    {"endpoint": "u/{x}", "method": "get", "backend": [{"url_pattern": "/x"}]}
  ]
}`,
		want: []string{
			`t.json:6:18: $.endpoints[1].endpoint: duplicate route GET /u/{name}; same route as GET /u/{id} at $.endpoints[0] (line 5); declare each method and path once; placeholder names do not make routes different`,
			`t.json:8:18: $.endpoints[3].endpoint: duplicate route GET /u/{x}; same route as GET /u/{id} at $.endpoints[0] (line 5); declare each method and path once; placeholder names do not make routes different`,
		},
	},
	{
		name: "proxy_options",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{
    "endpoint": "/a",
    "extra_config": {"proxy": {"sequential": true, "static": {}, "combiner": "x", "force_sandboxed_request": true}},
    "backend": [{"url_pattern": "/x", "extra_config": {
      "proxy": {"shadow": true, "flatmap_filter": []},
      "tributary": {"lambda_event": "krakend", "max_redirects": 11, "max_response_bytes": 67108865}
    }}]
  }]
}`,
		want: []string{
			`t.json:6:46: $.endpoints[0].extra_config.proxy.sequential: proxy.sequential cannot be combined with a shadow backend ($.endpoints[0].backend[0]); remove the shadow backend, or the sequential flag`,
			`t.json:6:62: $.endpoints[0].extra_config.proxy.static: missing required key "data"; the static data is an object, e.g. "data": {"promo": null}`,
			`t.json:6:66: $.endpoints[0].extra_config.proxy.combiner: key "combiner" not supported yet; it needs a custom KrakenD build`,
			`t.json:7:16: $.endpoints[0].backend: every backend is a shadow, so no backend answers the client; keep at least one backend without "shadow": true`,
			`t.json:9:37: $.endpoints[0].backend[0].extra_config.tributary.lambda_event: lambda_event and lambda_unwrap need backend/lambda; add "backend/lambda" to this backend, or remove them`,
			`t.json:9:65: $.endpoints[0].backend[0].extra_config.tributary.max_redirects: value 11 out of range; must be 1–10`,
			`t.json:9:91: $.endpoints[0].backend[0].extra_config.tributary.max_response_bytes: value 67108865 out of range; must be at most 67108864`,
		},
	},
	{
		name: "router_options",
		json: `{
  "version": 3,
  "extra_config": {"router": {
    "remove_extra_slash": true,
    "use_h2c": false,
    "max_payload": 10,
    "error_body": {"404": {"error": "nf"}, "500": {}, "405": "x"},
    "health_path": "health",
    "remote_ip_headers": []
  }}
}`,
		want: []string{
			`t.json:4:27: $.extra_config.router.remove_extra_slash: "remove_extra_slash": true not supported yet`,
			`t.json:6:5: $.extra_config.router.max_payload: key "max_payload" not supported (KrakenD Enterprise feature); for a body cap use "tributary": {"max_request_body_bytes": N}`,
			`t.json:7:44: $.extra_config.router.error_body["500"]: unsupported error_body status "500"; only "404" and "405" bodies can be replaced`,
			`t.json:7:62: $.extra_config.router.error_body["405"]: expected a JSON object, got string`,
			`t.json:8:20: $.extra_config.router.health_path: health_path "health" must start with "/"`,
			`t.json:9:26: $.extra_config.router.remote_ip_headers: empty list; remove the key for the default ["X-Forwarded-For", "X-Real-Ip"]`,
		},
	},
	{
		name: "encodings",
		json: `{
  "version": 3,
  "output_encoding": "fast-json",
  "host": ["http://h"],
  "endpoints": [
    {"endpoint": "/a", "output_encoding": "jsn", "backend": [{"url_pattern": "/x", "encoding": "yaml"}]},
    {"endpoint": "/b", "backend": [{"url_pattern": "/x", "encoding": "jsonn"}]}
  ]
}`,
		want: []string{
			`t.json:3:22: $.output_encoding: output encoding "fast-json" not supported yet`,
			`t.json:6:43: $.endpoints[0].output_encoding: unknown output encoding "jsn"; did you mean "json"?`,
			`t.json:6:96: $.endpoints[0].backend[0].encoding: encoding "yaml" not supported yet`,
		},
	},
	{
		name: "scopes_of_keys",
		json: `{
  "version": 3,
  "extra_config": {"tributary": {"follow_redirects": true, "max_request_body_bytes": 10}},
  "endpoints": [{"endpoint": "/a", "host": ["http://h"], "backend": [{"url_pattern": "/x", "timeout": "1s", "host": ["http://h"]}]}]
}`,
		want: []string{
			`t.json:3:34: $.extra_config.tributary.follow_redirects: unknown key at service scope; valid at backend scope`,
		},
	},
	{
		name: "logging",
		json: `{
  "version": 3,
  "extra_config": {"telemetry/logging": {"level": "VERBOSE", "syslog": true, "format": "custom"}}
}`,
		want: []string{
			`t.json:3:51: $.extra_config["telemetry/logging"].level: unknown log level "VERBOSE"; use DEBUG, INFO, WARNING, ERROR or CRITICAL`,
			`t.json:3:88: $.extra_config["telemetry/logging"].format: log format "custom" not supported yet; use "default" or "logstash"`,
		},
	},
	{
		name: "logging_missing_level",
		json: `{
  "version": 3,
  "extra_config": {"telemetry/logging": {"stdout": true}}
}`,
		want: []string{
			`t.json:3:41: $.extra_config["telemetry/logging"]: missing required key "level"; use DEBUG, INFO, WARNING, ERROR or CRITICAL`,
		},
	},
	{
		name: "tls",
		json: `{
  "version": 3,
  "tls": {"public_key": "a.pem"},
  "client_tls": {"min_version": "TLS10", "cipher_suites": [1], "max_version": "TLS12"},
  "disable_rest": true,
  "plugin": {}
}`,
		want: []string{
			`t.json:3:3: $.tls: server TLS ("tls") not supported yet; terminate TLS in front of Tributary, or set "disabled": true`,
			`t.json:4:33: $.client_tls.min_version: TLS version "TLS10" is below the TLS 1.2 minimum; use "TLS12" or "TLS13"`,
			`t.json:4:42: $.client_tls.cipher_suites: key "cipher_suites" not supported yet`,
			`t.json:5:19: $.disable_rest: "disable_rest": true not supported yet; placeholders inside a segment (/file.{ext}) need it`,
			`t.json:6:3: $.plugin: plugin loader (folder "", pattern ""): KrakenD Go plugins (.so) cannot run in Tributary; reimplement it behind a backend (docs/krakend-compatibility.md#go-plugins)`,
		},
	},
	{
		name: "misc_values",
		json: `{
  "version": 3,
  "listen_ip": "localhost",
  "port": 0,
  "endpoints": [{"endpoint": "/a", "method": "HEAD", "input_headers": ["X Y"], "input_query_strings": [""],
    "backend": [{"host": ["http://h"], "url_pattern": "/x#y", "method": "GE T", "sd": "dns", "target": "a..b", "input_headers": ["", "A"]}]}]
}`,
		want: []string{
			`t.json:3:16: $.listen_ip: invalid IP address "localhost"; use an address such as "127.0.0.1" or "::1", or "" for every interface`,
			`t.json:4:11: $.port: value 0 out of range; must be 1–65535`,
			`t.json:5:46: $.endpoints[0].method: unsupported endpoint method "HEAD"; use GET, POST, PUT, PATCH or DELETE; declare one endpoint object per method`,
			`t.json:5:72: $.endpoints[0].input_headers[0]: invalid header name "X Y"`,
			`t.json:5:104: $.endpoints[0].input_query_strings[0]: empty query key`,
			`t.json:6:55: $.endpoints[0].backend[0].url_pattern: invalid url_pattern "/x#y": '#' is not allowed (a fragment is never sent)`,
			`t.json:6:73: $.endpoints[0].backend[0].method: invalid method "GE T"; use an HTTP method such as GET or POST`,
			`t.json:6:87: $.endpoints[0].backend[0].sd: service discovery "dns" not supported yet; use "static" with a host list`,
			`t.json:6:104: $.endpoints[0].backend[0].target: empty segment in dot path "a..b"`,
			`t.json:6:130: $.endpoints[0].backend[0].input_headers[0]: empty entry in a non-empty list; [""] alone forwards nothing; otherwise list names`,
		},
	},
	{
		name: "backend_empty_host_list",
		json: `{
  "version": 3,
  "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/x", "host": []}]}]
}`,
		want: []string{
			`t.json:3:78: $.endpoints[0].backend[0].host: empty host list, and the service declares no host; list at least one base URL here or in the service host`,
		},
	},
	{
		name: "unsupported_values_in_supported_keys",
		json: `{
  "version": 3,
  "host": ["http://h"],
  "endpoints": [{"endpoint": "/a", "output_encoding": "fast-json",
    "backend": [{"url_pattern": "/x", "sd_scheme": "https", "disable_host_sanitize": true, "shadow_timeout": "1s"}]}]
}`,
		want: []string{
			`t.json:4:55: $.endpoints[0].output_encoding: output encoding "fast-json" not supported yet`,
			`t.json:5:52: $.endpoints[0].backend[0].sd_scheme: sd_scheme "https" not supported; it only applies to service discovery; put the scheme in "host"`,
		},
	},
	{
		name: "list_element_types",
		json: `{
  "version": 3,
  "host": ["http://h", 5],
  "extra_config": {"router": {"logger_skip_paths": ["/a", null, "b"]}}
}`,
		want: []string{
			`t.json:3:24: $.host[1]: expected a string, got number`,
			`t.json:4:59: $.extra_config.router.logger_skip_paths[1]: expected a string, got null`,
		},
	},
}

func TestLoadBrokenGolden(t *testing.T) {
	for _, tc := range brokenConfigs {
		t.Run(tc.name, func(t *testing.T) { checkBroken(t, tc) })
	}
}

// checkBroken loads tc and compares its diagnostics with tc.want.
func checkBroken(t *testing.T, tc brokenCase) {
	t.Helper()
	cfg, err := Load("t.json", []byte(tc.json), tc.env)
	if err == nil {
		t.Fatalf("Load succeeded (%d endpoints); want errors:\n%s", len(cfg.Endpoints), strings.Join(tc.want, "\n"))
	}
	if cfg != nil && (len(cfg.Endpoints) != 0 || cfg.Source != "t.json") {
		t.Errorf("Load returned more than Source and Warnings together with an error")
	}
	errs, ok := err.(Errors)
	if !ok {
		t.Fatalf("error type %T, want config.Errors", err)
	}
	got := strings.Split(errs.Error(), "\n")
	if len(got) != len(errs) {
		t.Fatalf("Error() has %d lines for %d diagnostics", len(got), len(errs))
	}
	if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
		t.Errorf("diagnostics differ\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
	}
}
