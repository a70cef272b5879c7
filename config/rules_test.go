package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		in     string
		params []string
		reason string
	}{
		{"/", nil, ""},
		{"/users/", nil, ""},
		{"/users/{id}", []string{"id"}, ""},
		{"/a/{x}/b/{Y-z_1}/", []string{"x", "Y-z_1"}, ""},
		{"/é/ü", nil, ""},
		{"//", nil, `empty segment ("//")`},
		{"/a/./b", nil, `dot segment "."`},
		{"/a/..", nil, `dot segment ".."`},
		{"/a/{x}{y}", nil, `placeholder must be a whole segment, not part of "{x}{y}" (that needs disable_rest, which is not supported yet)`},
		{"/a/}x{", nil, `unbalanced braces in segment "}x{"`},
		{"/a/x}", nil, `unbalanced braces in segment "x}"`},
		{"/a#b", nil, "'#' is not allowed"},
		{`/a\b`, nil, `'\' is not allowed`},
		{"/a\x7f", nil, "control character U+007F is not allowed"},
		{"/a\u00a0b", nil, "whitespace is not allowed"},
	}
	for _, tc := range tests {
		params, reason := parseTemplate(tc.in)
		if !reflect.DeepEqual(params, tc.params) || reason != tc.reason {
			t.Errorf("%q: got %v %q, want %v %q", tc.in, params, reason, tc.params, tc.reason)
		}
	}
}

func TestScanPlaceholders(t *testing.T) {
	tests := []struct {
		in     string
		names  []string
		reason string
	}{
		{"/a/{id}.json", []string{"id"}, ""},
		{"/a/{x}{y}?q={z}&r=s{t}", []string{"x", "y", "z", "t"}, ""},
		{"/a?{k}", nil, "placeholder {k} in a query key; placeholders are allowed only in query values"},
		{"/a?x=1&{k}=2", nil, "placeholder {k} in a query key; placeholders are allowed only in query values"},
		{"/a/{a{b}}", nil, "unbalanced '{'"},
		{"/a/{", nil, "unbalanced '{'"},
		{"/a/}", nil, "unbalanced '}'"},
	}
	for _, tc := range tests {
		var names []string
		reason := scanPlaceholders(tc.in, func(name string) { names = append(names, name) })
		if !reflect.DeepEqual(names, tc.names) || reason != tc.reason {
			t.Errorf("%q: got %v %q, want %v %q", tc.in, names, reason, tc.names, tc.reason)
		}
	}
}

func TestNormaliseHost(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		added   bool
		problem string
	}{
		{"http://h", "http://h", false, ""},
		{"https://h:8443/", "https://h:8443", false, ""},
		{"HTTP://H", "http://H", false, ""},
		{"h:80", "http://h:80", true, ""},
		{"http://[::1]:8080", "http://[::1]:8080", false, ""},
		{"http://127.0.0.1:1", "http://127.0.0.1:1", false, ""},
		{"http://h#f", "", false, `a query or fragment is not allowed in host "http://h#f"`},
		{"http://h:0", "", false, `port out of range in host "http://h:0"`},
		{"http://h:x", "", false, `invalid host "http://h:x"`},
		{"http://a b", "", false, `invalid host "http://a b"`},
		{"//h", "", false, `missing host name in "//h"`},
		{"unix:///tmp/s", "", false, `unsupported scheme in host "unix:///tmp/s"`},
	}
	for _, tc := range tests {
		got, added, problem, _ := normaliseHost(tc.in)
		if got != tc.want || added != tc.added || problem != tc.problem {
			t.Errorf("%q: got %q %v %q, want %q %v %q", tc.in, got, added, problem, tc.want, tc.added, tc.problem)
		}
	}
}

func TestReservedPathAndRouteKey(t *testing.T) {
	tests := []struct {
		path, health, want string
	}{
		{"/__health", "/__health", "/__health"},
		{"/__health/x", "/__health", "/__health"},
		{"/__healthz", "/__health", ""},
		{"/__stats", "/__health", "/__stats"},
		{"/__catchall/a/b", "/__health", "/__catchall"},
		{"/ok", "/ok", "/ok"},
		{"/ok/", "/ok/", "/ok/"},
		{"/okay", "/ok", ""},
		{"/users", "/__health", ""},
	}
	for _, tc := range tests {
		if got := reservedPath(tc.path, tc.health); got != tc.want {
			t.Errorf("reservedPath(%q, %q) = %q, want %q", tc.path, tc.health, got, tc.want)
		}
	}
	if a, b := routeKey("GET", "/u/{id}/x"), routeKey("GET", "/u/{name}/x"); a != b || a != "GET /u/{}/x" {
		t.Errorf("route keys %q %q", a, b)
	}
	if routeKey("GET", "/u/{id}") == routeKey("GET", "/u/{id}/") {
		t.Errorf("a trailing slash makes a different route")
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"timeout", "cache_ttl", "port", "endpoints"}
	tests := []struct {
		key   string
		want  string
		exact bool
	}{
		{"TIMEOUT", "timeout", true},
		{"timout", "timeout", false},
		{"tiemout", "timeout", false},
		{"cache-ttl", "cache_ttl", false},
		{"prot", "port", false},
		{"endpoint", "endpoints", false},
		{"zzzz", "", false},
		{strings.Repeat("x", 100), "", false},
		{"CACHE_TL", "cache_ttl", false}, // distance compared case-insensitively
	}
	for _, tc := range tests {
		got, exact := suggest(tc.key, cands)
		if got != tc.want || exact != tc.exact {
			t.Errorf("suggest(%q) = %q %v, want %q %v", tc.key, got, exact, tc.want, tc.exact)
		}
	}
	// Ties go to the first candidate in table order: "post" is at distance
	// 1 of both.
	if got, _ := suggest("post", []string{"port", "host"}); got != "port" {
		t.Errorf("tie: suggest(post) = %q, want port", got)
	}
	if got, _ := suggest("post", []string{"host", "port"}); got != "host" {
		t.Errorf("tie: suggest(post) = %q, want host", got)
	}
	if d := editDistance("kitten", "sitting", 5); d != 3 {
		t.Errorf("editDistance = %d, want 3", d)
	}
}

func TestNamespaceClasses(t *testing.T) {
	tests := []struct {
		name  string
		class nsClass
		to    string
	}{
		{"router", nsSupported, ""},
		{"backend/http", nsSupported, ""},
		{"qos/circuit-breaker", nsSupported, ""},
		{"validation/json-schema", nsSupported, ""},
		{"modifier/lua-proxy", nsSupported, ""},
		{"plugin/req-resp-modifier", nsPlugin, ""},
		{"backend/amqp/consumer", nsGap, ""},
		{"telemetry/opencensus", nsSupported, ""},
		{"auth/basic", nsEnterprise, ""},
		{"documentation/openapi", nsDocumentation, ""},
		{"github.com/devopsfaith/krakend/proxy/plugin", nsPlugin, "plugin/req-resp-modifier"},
		{"github.com/devopsfaith/krakend-etcd", nsRetired, ""},
		{"github.com/devopsfaith/krakend/http", nsAlias, "backend/http"},
		{"github_com/devopsfaith/krakend/http", nsRenamed, "backend/http"},
		{"github_com/devopsfaith/krakend-metrics", nsAlias, "telemetry/metrics"},
		{"github_com/devopsfaith/krakend-cors", nsAlias, "security/cors"},
		{"ai/llm", nsEnterprise, ""},
		{"github.com/devopsfaith/krakend/proxy", nsAlias, "proxy"},
		{"github_com/luraproject/lura/router/gin", nsAlias, "router"},
		{"github.com/devopsfaith/krakend-ratelimit/juju/proxy", nsRenamed, "qos/ratelimit/proxy"},
		{"github.com/devopsfaith/krakend-circuitbreaker/gobreaker", nsAlias, "qos/circuit-breaker"},
		{"github.com/devopsfaith/krakend-httpcache", nsAlias, "qos/http-cache"},
		{"github.com/devopsfaith/krakend-jose/validator", nsAlias, "auth/validator"},
		{"github_com/devopsfaith/krakend-httpsecure", nsAlias, "security/http"},
		{"github.com/devopsfaith/krakend-lambda", nsAlias, "backend/lambda"},
		{"github.com/devopsfaith/krakend-martian", nsAlias, "modifier/martian"},
		{"github.com/devopsfaith/krakend-jsonschema", nsAlias, "validation/json-schema"},
		{"github.com/other/thing", nsUnknown, ""},
		{"Router", nsUnknown, ""},
	}
	for _, tc := range tests {
		info := namespaceInfo(tc.name)
		if info.class != tc.class || info.renamedTo != tc.to {
			t.Errorf("%s: class %d to %q, want %d %q", tc.name, info.class, info.renamedTo, tc.class, tc.to)
		}
	}
	for _, n := range knownNamespaces() {
		if c := namespaceInfo(n).class; c != nsSupported && c != nsLater && c != nsGap {
			t.Errorf("did-you-mean candidate %q has class %d", n, c)
		}
	}
}

// TestSchemaValidKeysAccepted keeps the did-you-mean tables in step with the
// walkers: every key listed as valid for an object must be decoded by that
// object's walker, never reported as unknown or unsupported.
func TestSchemaValidKeysAccepted(t *testing.T) {
	// Each template holds %s where the object's members go; the object is
	// found at path.
	type place struct {
		tpl  string
		path string
	}
	places := map[objKind]place{
		objService:           {`{%s}`, "$"},
		objEndpoint:          {`{"version": 3, "endpoints": [{%s}]}`, "$.endpoints[0]"},
		objBackend:           {`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [{%s}]}]}`, "$.endpoints[0].backend[0]"},
		objClientTLS:         {`{"version": 3, "client_tls": {%s}}`, "$.client_tls"},
		objClientCert:        {`{"version": 3, "client_tls": {"client_certs": [{%s}]}}`, "$.client_tls.client_certs[0]"},
		objServerTLS:         {`{"version": 3, "tls": {%s}}`, "$.tls"},
		objRouter:            {`{"version": 3, "extra_config": {"router": {%s}}}`, "$.extra_config.router"},
		objLogging:           {`{"version": 3, "extra_config": {"telemetry/logging": {%s}}}`, `$.extra_config["telemetry/logging"]`},
		objProxyEndpoint:     {`{"version": 3, "endpoints": [{"extra_config": {"proxy": {%s}}}]}`, "$.endpoints[0].extra_config.proxy"},
		objProxyBackend:      {`{"version": 3, "endpoints": [{"backend": [{"extra_config": {"proxy": {%s}}}]}]}`, "$.endpoints[0].backend[0].extra_config.proxy"},
		objBackendHTTP:       {`{"version": 3, "endpoints": [{"backend": [{"extra_config": {"backend/http": {%s}}}]}]}`, `$.endpoints[0].backend[0].extra_config["backend/http"]`},
		objTributaryService:  {`{"version": 3, "extra_config": {"tributary": {%s}}}`, "$.extra_config.tributary"},
		objTributaryEndpoint: {`{"version": 3, "endpoints": [{"extra_config": {"tributary": {%s}}}]}`, "$.endpoints[0].extra_config.tributary"},
		objTributaryBackend:  {`{"version": 3, "endpoints": [{"backend": [{"extra_config": {"tributary": {%s}}}]}]}`, "$.endpoints[0].backend[0].extra_config.tributary"},
	}
	for k := objService; k <= objTributaryBackend; k++ {
		p, ok := places[k]
		if !ok {
			t.Fatalf("object kind %d has no test placement", k)
		}
		for _, key := range schemaOf(k).valid {
			src := strings.Replace(p.tpl, "%s", quoteJSON(key)+": null", 1)
			_, err := Load("t.json", []byte(src), nil)
			errs, _ := err.(Errors)
			for _, d := range errs {
				if d.Path == keyPath(p.path, key) && (strings.HasPrefix(d.Problem, "unknown") || strings.Contains(d.Problem, "not supported")) {
					t.Errorf("%s: valid key %q rejected: %s", p.path, key, d)
				}
			}
		}
	}
}
