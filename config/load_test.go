package config

import (
	"crypto/tls"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// mustLoad loads a config that must be valid.
func mustLoad(t *testing.T, src string, env ...string) *Config {
	t.Helper()
	cfg, err := Load("t.json", []byte(src), env)
	if err != nil {
		t.Fatalf("Load: unexpected errors:\n%v", err)
	}
	return cfg
}

func warningLines(cfg *Config) []string {
	var out []string
	for _, w := range cfg.Warnings {
		out = append(out, w.String())
	}
	return out
}

func TestLoadMinimalDefaults(t *testing.T) {
	cfg := mustLoad(t, `{"version": 3}`)
	want := &Config{
		Source:                    "t.json",
		Port:                      8080,
		Timeout:                   2 * time.Second,
		OutputEncoding:            "json",
		ReadHeaderTimeout:         5 * time.Second,
		ReadTimeout:               30 * time.Second,
		WriteTimeout:              7 * time.Second, // service timeout + 5s: no endpoints
		IdleTimeout:               60 * time.Second,
		MaxHeaderBytes:            65536,
		MaxIdleConnectionsPerHost: 250,
		IdleConnectionTimeout:     30 * time.Second,
		DialerTimeout:             2 * time.Second,
		DialerFallbackDelay:       300 * time.Millisecond,
		DialerKeepAlive:           15 * time.Second,
		ClientTLS:                 &ClientTLS{MinVersion: tls.VersionTLS12},
		Router: Router{
			HealthPath:      "/__health",
			RemoteIPHeaders: []string{"X-Forwarded-For", "X-Real-Ip"},
		},
		Logging:                 Logging{Level: "DEBUG", Stdout: true, Format: "default"},
		MaxRequestBodyBytes:     1 << 20,
		MaxBackendResponseBytes: 2 << 20,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaults differ\ngot:  %+v\nwant: %+v", cfg, want)
	}
}

func TestLoadInheritance(t *testing.T) {
	cfg := mustLoad(t, `{
  "version": 3,
  "host": ["http://svc:80/"],
  "timeout": "3s",
  "cache_ttl": "30s",
  "output_encoding": "string",
  "extra_config": {"tributary": {"max_request_body_bytes": 100, "max_backend_response_bytes": 200}},
  "endpoints": [
    {
      "endpoint": "/a/{id}/{b-c_d}",
      "method": "POST",
      "cache_ttl": "0s",
      "input_headers": ["Content-Type", "X-A"],
      "input_query_strings": ["q", "*"],
      "backend": [
        {"url_pattern": "/x/{id}.json?v={b-c_d}&k=1"},
        {"url_pattern": "/y", "method": "PUT", "host": ["https://other:8443", "HTTPS://Third"],
         "encoding": "safejson", "is_collection": true, "target": "data.items",
         "deny": ["a.b"], "group": "g", "input_headers": [""], "input_query_strings": ["q"],
         "mapping": {"_id": "id", "@c": "comment", "a": "b", "b": "a"},
         "extra_config": {
           "backend/http": {"return_error_details": "y"},
           "proxy": {"shadow": false},
           "tributary": {"max_response_bytes": 300, "follow_redirects": true, "max_redirects": 5,
                         "redirect_hosts": ["https://cdn.example.com"]}
         }}
      ]
    },
    {
      "endpoint": "/b",
      "timeout": "10s",
      "cache_ttl": "1m",
      "output_encoding": "json",
      "concurrent_calls": 1,
      "extra_config": {"tributary": {"max_request_body_bytes": 7}, "proxy": {"sequential": false, "force_sandboxed_request": true}},
      "backend": [{"url_pattern": "/z", "input_headers": [], "extra_config": {"backend/http": {"return_error_code": true}}}]
    }
  ]
}`)
	if len(cfg.Warnings) != 0 {
		t.Errorf("unexpected warnings: %v", warningLines(cfg))
	}
	if cfg.WriteTimeout != 15*time.Second {
		t.Errorf("WriteTimeout = %v, want 15s (max endpoint timeout 10s + 5s)", cfg.WriteTimeout)
	}
	if len(cfg.Endpoints) != 2 {
		t.Fatalf("got %d endpoints, want 2", len(cfg.Endpoints))
	}
	e0 := cfg.Endpoints[0]
	wantE0 := Endpoint{
		JSONPath:            "$.endpoints[0]",
		Pos:                 Position{Line: 10, Col: 19},
		Path:                "/a/{id}/{b-c_d}",
		Params:              []string{"id", "b-c_d"},
		Method:              "POST",
		Timeout:             3 * time.Second,
		CacheTTL:            30 * time.Second, // "0s" falls back to the service value
		ConcurrentCalls:     1,
		InputHeaders:        []string{"Content-Type", "X-A"},
		InputQueryStrings:   []string{"q", "*"},
		OutputEncoding:      "string",
		MaxRequestBodyBytes: 100,
	}
	gotE0 := *e0
	gotE0.Backends = nil
	if !reflect.DeepEqual(gotE0, wantE0) {
		t.Errorf("endpoint 0\ngot:  %+v\nwant: %+v", gotE0, wantE0)
	}
	wantB := []Backend{
		{
			JSONPath:         "$.endpoints[0].backend[0]",
			Pos:              Position{Line: 16, Col: 9},
			URLPattern:       "/x/{id}.json?v={b-c_d}&k=1",
			Host:             []string{"http://svc:80"},
			Method:           "POST",
			Encoding:         "json",
			MaxResponseBytes: 200,
			MaxRedirects:     3,
		},
		{
			JSONPath:           "$.endpoints[0].backend[1]",
			Pos:                Position{Line: 17, Col: 9},
			URLPattern:         "/y",
			Host:               []string{"https://other:8443", "https://Third"},
			Method:             "PUT",
			Encoding:           "safejson",
			IsCollection:       true,
			Target:             "data.items",
			Deny:               []string{"a.b"},
			Mapping:            []Rename{{"_id", "id"}, {"@c", "comment"}, {"a", "b"}, {"b", "a"}},
			Group:              "g",
			InputHeaders:       []string{""},
			InputQueryStrings:  []string{"q"},
			ReturnErrorDetails: "y",
			MaxResponseBytes:   300,
			FollowRedirects:    true,
			MaxRedirects:       5,
			RedirectHosts:      []string{"https://cdn.example.com"},
		},
	}
	for i := range wantB {
		if !reflect.DeepEqual(*e0.Backends[i], wantB[i]) {
			t.Errorf("backend %d\ngot:  %+v\nwant: %+v", i, *e0.Backends[i], wantB[i])
		}
	}
	e1 := cfg.Endpoints[1]
	if e1.Method != "GET" || e1.Timeout != 10*time.Second || e1.CacheTTL != time.Minute ||
		e1.OutputEncoding != "json" || e1.MaxRequestBodyBytes != 7 || e1.Params != nil {
		t.Errorf("endpoint 1 = %+v", *e1)
	}
	b := e1.Backends[0]
	if b.Method != "GET" || b.InputHeaders != nil || !b.ReturnErrorCode || b.Host[0] != "http://svc:80" {
		t.Errorf("endpoint 1 backend = %+v", *b)
	}
}

func TestLoadNormalisationWarnings(t *testing.T) {
	cfg := mustLoad(t, `{
  "version": 3,
  "timeout": "30s",
  "allow_insecure_connections": true,
  "extra_config": {"telemetry/logging": {"level": "info"}},
  "endpoints": [
    {"endpoint": "a", "method": "post", "input_headers": ["*"],
     "backend": [{"host": ["svc:8080"], "url_pattern": "x", "method": "patch", "encoding": "JSON",
                  "allow": ["a"], "deny": ["b"], "group": "g",
                  "extra_config": {"backend/http": {"return_error_code": true}}},
                 {"host": ["http://h"], "url_pattern": "/y", "group": "g"}]},
    {"endpoint": "/b", "method": "PUT", "input_headers": ["X-A"], "timeout": "29s",
     "backend": [{"host": ["http://h"], "url_pattern": "/"}]}
  ]
}`)
	want := []string{
		`t.json:3:14: $.timeout: timeout 30s is at or above the 29s API Gateway integration timeout; on Lambda the function init fails unless TRIBUTARY_INTEGRATION_TIMEOUT declares a raised quota`,
		`t.json:4:33: $.allow_insecure_connections: TLS certificate verification towards backends is disabled; trust a private CA with client_tls.ca_certs instead`,
		`t.json:5:41: $.extra_config["telemetry/logging"]: application logs are discarded (stdout is not true); set "stdout": true`,
		`t.json:7:18: $.endpoints[0].endpoint: missing leading "/" added to endpoint "a"; write "/a"`,
		`t.json:7:33: $.endpoints[0].method: method "post" upper-cased to "POST"; write it in upper case`,
		`t.json:7:58: $.endpoints[0].input_headers: input_headers ["*"] forwards every client header, Cookie and Authorization included; list the headers the backends need`,
		`t.json:8:28: $.endpoints[0].backend[0].host[0]: scheme-less host "svc:8080" normalised to "http://svc:8080"; write "http://" or "https://"`,
		`t.json:8:56: $.endpoints[0].backend[0].url_pattern: missing leading "/" added to url_pattern "x"; write "/x"`,
		`t.json:8:71: $.endpoints[0].backend[0].method: method "patch" upper-cased to "PATCH"; write it in upper case`,
		`t.json:8:92: $.endpoints[0].backend[0].encoding: encoding "JSON" lower-cased to "json"; write it in lower case`,
		`t.json:9:43: $.endpoints[0].backend[0].deny: deny is ignored because allow is set; keep one of them`,
		`t.json:10:74: $.endpoints[0].backend[0].extra_config["backend/http"].return_error_code: return_error_code has no effect on an endpoint with several backends; they answer 502/504`,
		`t.json:11:71: $.endpoints[0].backend[1].group: group "g" is also used by backend 0; this backend's data replaces it; use distinct group names`,
		`t.json:12:58: $.endpoints[1].input_headers: Content-Type is not forwarded to the backends of this PUT endpoint; add "Content-Type" to input_headers`,
		`t.json:12:78: $.endpoints[1].timeout: timeout 29s is at or above the 29s API Gateway integration timeout; on Lambda the function init fails unless TRIBUTARY_INTEGRATION_TIMEOUT declares a raised quota`,
	}
	if got := warningLines(cfg); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings differ\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	e := cfg.Endpoints[0]
	b := e.Backends[0]
	if e.Path != "/a" || e.Method != "POST" || b.URLPattern != "/x" || b.Method != "PATCH" ||
		b.Encoding != "json" || b.Host[0] != "http://svc:8080" || !cfg.ClientTLS.AllowInsecureConnections ||
		cfg.Logging.Level != "INFO" || cfg.Logging.Stdout {
		t.Errorf("normalised values wrong: endpoint %+v backend %+v", *e, *b)
	}
	if cfg.WriteTimeout != 35*time.Second {
		t.Errorf("WriteTimeout = %v, want 35s", cfg.WriteTimeout)
	}
}

func TestLoadRouterLoggingTLS(t *testing.T) {
	cfg := mustLoad(t, `{
  "version": 3,
  "name": "gw",
  "port": 9000,
  "listen_ip": "127.0.0.1",
  "debug_endpoint": true,
  "echo_endpoint": true,
  "read_header_timeout": "1s", "read_timeout": "2s", "write_timeout": "3s", "idle_timeout": "4s",
  "max_header_bytes": 1000, "max_shutdown_wait_time": "5s", "disable_keep_alives": true,
  "disable_compression": true, "max_idle_connections": 10, "max_idle_connections_per_host": 0,
  "idle_connection_timeout": "6s", "response_header_timeout": "7s", "expect_continue_timeout": "8s",
  "dialer_timeout": "9s", "dialer_fallback_delay": "0s", "dialer_keep_alive": "11s",
  "tls": {"disabled": true, "public_key": "ignored.pem"},
  "disable_rest": false, "sequential_start": false, "use_h2c": false,
  "client_tls": {"ca_certs": ["ca.pem"], "disable_system_ca_pool": true, "min_version": "TLS13",
    "max_version": "TLS13", "client_certs": [{"certificate": "c.pem", "private_key": "k.pem"}]},
  "extra_config": {
    "@comment": "namespaces",
    "router": {
      "return_error_msg": true, "disable_health": true, "health_path": "/healthz",
      "disable_access_log": true, "logger_skip_paths": ["/healthz"], "auto_options": true,
      "disable_redirect_trailing_slash": true, "disable_redirect_fixed_path": true,
      "disable_handle_method_not_allowed": true, "forwarded_by_client_ip": true,
      "trusted_proxies": ["10.1.2.3/8", "::1", "192.168.0.1"], "remote_ip_headers": ["X-Real-Ip"],
      "disable_path_decoding": true, "hide_version_header": true, "max_multipart_memory": 10,
      "remove_extra_slash": false, "app_engine": false,
      "error_body": {"@comment": "skipped here", "404": {"@comment": "data", "error": "nf", "n": [1.50, true, null, "a\"\u00e9<"]},
                     "405": {}}
    },
    "telemetry/logging": {"level": "WARNING", "prefix": "[gw]", "stdout": true, "format": "logstash"},
    "tributary": {"version_header": true}
  }
}`)
	if len(cfg.Warnings) != 0 {
		t.Errorf("unexpected warnings: %v", warningLines(cfg))
	}
	wantRouter := Router{
		ReturnErrorMsg: true, DisableHealth: true, HealthPath: "/healthz", DisableAccessLog: true,
		LoggerSkipPaths: []string{"/healthz"}, AutoOptions: true, DisableRedirectTrailingSlash: true,
		DisableRedirectFixedPath: true, DisableHandleMethodNotAllowed: true, ForwardedByClientIP: true,
		TrustedProxies: []netip.Prefix{
			netip.MustParsePrefix("10.0.0.0/8"),
			netip.MustParsePrefix("::1/128"),
			netip.MustParsePrefix("192.168.0.1/32"),
		},
		RemoteIPHeaders: []string{"X-Real-Ip"}, DisablePathDecoding: true, HideVersionHeader: true,
		ErrorBody404: []byte(`{"@comment":"data","error":"nf","n":[1.50,true,null,"a\"é<"]}`),
		ErrorBody405: []byte(`{}`),
	}
	if !reflect.DeepEqual(cfg.Router, wantRouter) {
		t.Errorf("router\ngot:  %+v\nwant: %+v", cfg.Router, wantRouter)
	}
	if want := (Logging{Level: "WARNING", Prefix: "[gw]", Stdout: true, Format: "logstash"}); cfg.Logging != want {
		t.Errorf("logging = %+v, want %+v", cfg.Logging, want)
	}
	wantTLS := &ClientTLS{CACerts: []string{"ca.pem"}, DisableSystemCAPool: true, MinVersion: tls.VersionTLS13,
		MaxVersion: tls.VersionTLS13, ClientCerts: []ClientCert{{Certificate: "c.pem", PrivateKey: "k.pem"}}}
	if !reflect.DeepEqual(cfg.ClientTLS, wantTLS) {
		t.Errorf("client TLS = %+v, want %+v", cfg.ClientTLS, wantTLS)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Name", cfg.Name, "gw"},
		{"Port", cfg.Port, 9000},
		{"ListenIP", cfg.ListenIP, netip.MustParseAddr("127.0.0.1")},
		{"DebugEndpoint", cfg.DebugEndpoint, true},
		{"EchoEndpoint", cfg.EchoEndpoint, true},
		{"ReadHeaderTimeout", cfg.ReadHeaderTimeout, time.Second},
		{"ReadTimeout", cfg.ReadTimeout, 2 * time.Second},
		{"WriteTimeout", cfg.WriteTimeout, 3 * time.Second},
		{"IdleTimeout", cfg.IdleTimeout, 4 * time.Second},
		{"MaxHeaderBytes", cfg.MaxHeaderBytes, 1000},
		{"MaxShutdownWaitTime", cfg.MaxShutdownWaitTime, 5 * time.Second},
		{"DisableKeepAlives", cfg.DisableKeepAlives, true},
		{"DisableCompression", cfg.DisableCompression, true},
		{"MaxIdleConnections", cfg.MaxIdleConnections, 10},
		{"MaxIdleConnectionsPerHost", cfg.MaxIdleConnectionsPerHost, 250},
		{"IdleConnectionTimeout", cfg.IdleConnectionTimeout, 6 * time.Second},
		{"ResponseHeaderTimeout", cfg.ResponseHeaderTimeout, 7 * time.Second},
		{"ExpectContinueTimeout", cfg.ExpectContinueTimeout, 8 * time.Second},
		{"DialerTimeout", cfg.DialerTimeout, 9 * time.Second},
		{"DialerFallbackDelay", cfg.DialerFallbackDelay, time.Duration(0)},
		{"DialerKeepAlive", cfg.DialerKeepAlive, 11 * time.Second},
		{"VersionHeader", cfg.VersionHeader, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadNoOpEndpoint(t *testing.T) {
	cfg := mustLoad(t, `{"version": 3, "output_encoding": "no-op", "host": ["http://h"], "endpoints": [
  {"endpoint": "/a", "backend": [{"url_pattern": "/x"}]},
  {"endpoint": "/b", "backend": [{"url_pattern": "/x", "encoding": "no-op"}]},
  {"endpoint": "/c", "output_encoding": "json", "backend": [{"url_pattern": "/x"}]}
]}`)
	for i, want := range []string{"no-op", "no-op", "json"} {
		e := cfg.Endpoints[i]
		if e.Backends[0].Encoding != want {
			t.Errorf("endpoint %d backend encoding = %q, want %q", i, e.Backends[0].Encoding, want)
		}
	}
	if cfg.Endpoints[0].OutputEncoding != "no-op" || cfg.Endpoints[2].OutputEncoding != "json" {
		t.Errorf("output encodings not inherited/overridden as expected")
	}
}

func TestLoadEnvOverrides(t *testing.T) {
	const src = `{"version": 3, "port": 8080, "name": "file", "timeout": "1s", "debug_endpoint": false, "cache_ttl": "1s"}`
	tests := []struct {
		name  string
		env   []string
		check func(*Config) bool
	}{
		{"tributary port", []string{"TRIBUTARY_PORT=9090"}, func(c *Config) bool { return c.Port == 9090 }},
		{"krakend name", []string{"KRAKEND_NAME=from-env"}, func(c *Config) bool { return c.Name == "from-env" }},
		{"tributary wins", []string{"KRAKEND_NAME=k", "TRIBUTARY_NAME=t"}, func(c *Config) bool { return c.Name == "t" }},
		{"first entry wins", []string{"TRIBUTARY_PORT=1", "TRIBUTARY_PORT=2"}, func(c *Config) bool { return c.Port == 1 }},
		{"duration", []string{"TRIBUTARY_TIMEOUT=4s"}, func(c *Config) bool { return c.Timeout == 4*time.Second }},
		{"bool", []string{"KRAKEND_DEBUG_ENDPOINT=true"}, func(c *Config) bool { return c.DebugEndpoint }},
		{"absent key not created", []string{"TRIBUTARY_LISTEN_IP=not-an-ip", "TRIBUTARY_ECHO_ENDPOINT=maybe"},
			func(c *Config) bool { return !c.ListenIP.IsValid() && !c.EchoEndpoint }},
		{"version never overridden", []string{"KRAKEND_VERSION=2.13.8"}, func(*Config) bool { return true }},
		{"empty FC_ENABLE ignored", []string{"FC_ENABLE="}, func(*Config) bool { return true }},
		{"unrelated", []string{"PORT=1", "NOEQUALS"}, func(c *Config) bool { return c.Port == 8080 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustLoad(t, src, tc.env...)
			if !tc.check(cfg) {
				t.Errorf("override not applied as expected: %+v", cfg)
			}
		})
	}
}

func TestLoadEnvOverrideErrors(t *testing.T) {
	const src = `{"version": 3, "timeout": "1s", "name": "x"}`
	tests := []struct {
		env  string
		want string
	}{
		{"TRIBUTARY_TIMEOUT=0s", `t.json:1:27: $.timeout: timeout must be greater than 0 (value from environment variable TRIBUTARY_TIMEOUT); 0 does not disable the timeout; remove the key for the 2s default`},
		{"KRAKEND_TIMEOUT=soon", `t.json:1:27: $.timeout: invalid duration "soon" (value from environment variable KRAKEND_TIMEOUT); use Go duration syntax, e.g. "1500ms", "2s" or "1m"`},
		{"TRIBUTARY_NAME=\xff", "t.json:1:33: $.name: environment variable TRIBUTARY_NAME=\"\ufffd\" is not valid UTF-8; it overrides \"name\", which holds a string in the file"},
	}
	for _, tc := range tests {
		_, err := Load("t.json", []byte(src), []string{tc.env})
		if err == nil || err.Error() != tc.want {
			t.Errorf("env %q:\ngot:  %v\nwant: %s", tc.env, err, tc.want)
		}
	}
}

func TestLoadWriteTimeoutDefault(t *testing.T) {
	cfg := mustLoad(t, `{"version": 3, "timeout": "1s", "host": ["http://h"], "endpoints": [
  {"endpoint": "/a", "timeout": "500ms", "backend": [{"url_pattern": "/"}]},
  {"endpoint": "/b", "backend": [{"url_pattern": "/"}]}]}`)
	if cfg.WriteTimeout != 6*time.Second {
		t.Errorf("WriteTimeout = %v, want 6s", cfg.WriteTimeout)
	}
	if cfg.Endpoints[0].Timeout != 500*time.Millisecond || cfg.Endpoints[1].Timeout != time.Second {
		t.Errorf("endpoint timeouts = %v, %v", cfg.Endpoints[0].Timeout, cfg.Endpoints[1].Timeout)
	}
}

func TestLoadBOMAndColumns(t *testing.T) {
	// The BOM is skipped, but columns count its three bytes (as Go's compiler does).
	_, err := Load("t.json", []byte("\xef\xbb\xbf{\"version\": 3, \"Name\": 1}"), nil)
	want := `t.json:1:19: $.Name: unknown key; did you mean "name"?`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	mustLoad(t, "\xef\xbb\xbf{\"version\": 3}")
}

func TestLoadNestingLimit(t *testing.T) {
	nest := func(depth int) string {
		// The root object is level 1; depth-1 arrays follow.
		return `{"version": 3, "Name": ` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
	}
	_, err := Load("t.json", []byte(nest(128)), nil)
	if err == nil || !strings.HasSuffix(err.Error(), `$.Name: unknown key; did you mean "name"?`) {
		t.Errorf("depth 128 must parse (and fail only on the unknown key), got %v", err)
	}
	_, err = Load("t.json", []byte(nest(129)), nil)
	wantPrefix := "t.json:1:151: $.Name" + strings.Repeat("[0]", 127) + ": syntax error: nesting deeper than 128 levels"
	if err == nil || !strings.HasPrefix(err.Error(), wantPrefix) {
		t.Errorf("depth 129: got %v, want prefix %s", err, wantPrefix)
	}
}

func TestLoadCountLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version": 3, "host": ["http://h"], "endpoints": [`)
	for i := 0; i <= MaxEndpoints; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"endpoint": "/e` + itoa(i) + `", "backend": [{"url_pattern": "/"}]}`)
	}
	b.WriteString("]}")
	_, err := Load("t.json", []byte(b.String()), nil)
	want := `t.json:1:51: $.endpoints: too many endpoints (10001); the limit is 10000`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}

	backends := strings.Repeat(`{"url_pattern": "/"},`, MaxBackendsPerEndpoint) + `{"url_pattern": "/"}`
	_, err = Load("t.json", []byte(`{"version": 3, "host": ["http://h"], "endpoints": [{"endpoint": "/a", "backend": [`+backends+`]}]}`), nil)
	want = `t.json:1:82: $.endpoints[0].backend: too many backends (65); the limit is 64`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestLoadTooManyErrors(t *testing.T) {
	var b strings.Builder
	// Unknown options of the tributary namespace are errors (§2.2 rule 1).
	b.WriteString(`{"version": 3, "extra_config": {"tributary": {"k": 1`)
	for i := 0; i < maxDiagnostics+4; i++ {
		b.WriteString(`, "k` + itoa(i) + `": 1`)
	}
	b.WriteString("}}}")
	_, err := Load("t.json", []byte(b.String()), nil)
	errs, ok := err.(Errors)
	if !ok || len(errs) != maxDiagnostics+1 {
		t.Fatalf("got %d diagnostics (%T), want %d", len(errs), err, maxDiagnostics+1)
	}
	if last := errs[len(errs)-1].String(); last != "t.json:1:1: $: too many errors; 5 more not shown; fix the errors above and load again" {
		t.Errorf("last line = %q", last)
	}
}

func TestLoadSizeLimit(t *testing.T) {
	big := make([]byte, MaxFileBytes+1)
	_, err := Load("t.json", big, nil)
	if err == nil || err.Error() != "t.json:1:1: $: config file larger than 16 MiB; split or trim the config" {
		t.Errorf("got %v", err)
	}
}

func TestBundled(t *testing.T) {
	cfg, err := LoadFile("", nil)
	if err != nil {
		t.Fatalf("bundled config rejected:\n%v", err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("bundled config has warnings: %v", warningLines(cfg))
	}
	if cfg.Source != BundledName || cfg.Name != "tributary-demo" || len(cfg.Endpoints) != 3 {
		t.Errorf("unexpected bundled config: source %q name %q, %d endpoints", cfg.Source, cfg.Name, len(cfg.Endpoints))
	}
	front := cfg.Endpoints[0]
	if front.Path != "/frontpage/{id_user}" || len(front.Backends) != 4 || front.Backends[1].ReturnErrorDetails != "promos" {
		t.Errorf("unexpected front page endpoint: %+v", *front)
	}
	b := Bundled()
	b[0] = 'x'
	if Bundled()[0] != '{' {
		t.Errorf("Bundled must return a copy")
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(`{"version": 3, "port": 1234}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(good, nil)
	if err != nil || cfg.Port != 1234 || cfg.Source != good {
		t.Fatalf("LoadFile(good) = %+v, %v", cfg, err)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version": 3, "port": "x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFile(bad, nil)
	if want := bad + `:1:24: $.port: expected an integer, got string`; err == nil || err.Error() != want {
		t.Errorf("LoadFile(bad) = %v, want %s", err, want)
	}

	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, make([]byte, MaxFileBytes+10), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFile(huge, nil)
	if want := huge + ":1:1: $: config file larger than 16 MiB; split or trim the config"; err == nil || err.Error() != want {
		t.Errorf("LoadFile(huge) = %v", err)
	}

	_, err = LoadFile(filepath.Join(dir, "missing.json"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile(missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}
}

func TestDiagnosticString(t *testing.T) {
	d := Diagnostic{File: "f", Pos: Position{Line: 2, Col: 3}, Path: "$.a", Problem: "p", Hint: "h"}
	if got := d.String(); got != "f:2:3: $.a: p; h" {
		t.Errorf("got %q", got)
	}
	d.Hint, d.Path = "", ""
	if got := d.String(); got != "f:2:3: p" {
		t.Errorf("got %q", got)
	}
}

// loadErr loads src as "t.json" and returns the error text, failing the
// test when the load succeeds.
func loadErr(t *testing.T, src string, env ...string) string {
	t.Helper()
	_, err := Load("t.json", []byte(src), env)
	if err == nil {
		t.Fatalf("Load succeeded; want an error")
	}
	return err.Error()
}
