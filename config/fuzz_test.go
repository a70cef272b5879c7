package config

import (
	"crypto/tls"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are valid configs that exercise most of the schema.
var fuzzSeeds = []string{
	`{"version": 3}`,
	`{"version": 3, "host": ["h:1"], "endpoints": [{"endpoint": "a/{x}", "method": "post",
	  "input_headers": ["*"], "backend": [{"url_pattern": "b/{x}?q={x}", "encoding": "SAFEJSON",
	  "allow": ["a.b", "c"], "mapping": {"_id": "id"}, "group": "g"}]}]}`,
	`{"version": 3, "output_encoding": "no-op", "extra_config": {"router": {"forwarded_by_client_ip": true,
	  "trusted_proxies": ["10.0.0.0/8"], "error_body": {"404": {"e": 1}}}, "telemetry/logging": {"level": "INFO"},
	  "tributary": {"max_backend_response_bytes": 10}}, "endpoints": [{"endpoint": "/n", "backend": [
	  {"host": ["https://x"], "url_pattern": "/", "extra_config": {"backend/http": {"return_error_code": true},
	  "tributary": {"follow_redirects": true, "redirect_hosts": ["https://y"]}}}]}]}`,
}

func FuzzConfigLoad(f *testing.F) {
	f.Add(Bundled())
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, tc := range brokenConfigs {
		f.Add([]byte(tc.json))
	}
	for _, tc := range policyBroken {
		f.Add([]byte(tc.json))
	}
	for _, tc := range warnConfigs {
		f.Add([]byte(tc.json))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		cfg, err := Load("f.json", data, nil)
		elapsed := time.Since(start)

		cfg2, err2 := Load("f.json", data, nil)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) || !reflect.DeepEqual(cfg, cfg2) {
			t.Fatalf("Load is not deterministic:\n%v\n---\n%v", err, err2)
		}
		if len(data) < 64<<10 && elapsed > 100*time.Millisecond {
			// Re-measure before failing: the first run may have been descheduled.
			best := elapsed
			for range 3 {
				s := time.Now()
				_, _ = Load("f.json", data, nil)
				best = min(best, time.Since(s))
			}
			if best > 100*time.Millisecond {
				t.Fatalf("Load took %v for %d bytes", best, len(data))
			}
		}
		if err != nil {
			checkErrors(t, cfg, err)
			return
		}
		checkConfigInvariants(t, cfg)
	})
}

// checkErrors verifies the shape of a rejection.
func checkErrors(t *testing.T, cfg *Config, err error) {
	t.Helper()
	if cfg != nil && (cfg.Endpoints != nil || cfg.Port != 0 || cfg.Source != "f.json") {
		t.Fatalf("Load returned more than Source and Warnings with an error")
	}
	errs, ok := err.(Errors)
	if !ok || len(errs) == 0 {
		t.Fatalf("error is %T with %d diagnostics, want non-empty Errors", err, len(errs))
	}
	for i, d := range errs {
		if d.File != "f.json" || d.Pos.Line < 1 || d.Pos.Col < 1 || !strings.HasPrefix(d.Path, "$") || d.Problem == "" {
			t.Fatalf("malformed diagnostic %d: %#v", i, d)
		}
		if i > 0 && i < len(errs)-1 && less(d.Pos, errs[i-1].Pos) {
			t.Fatalf("diagnostics not sorted: %s after %s", d, errs[i-1])
		}
	}
}

func less(a, b Position) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
}

// checkConfigInvariants verifies the properties every loaded config has
// (security.md §6): clean paths, backend placeholders ⊆ endpoint params,
// positive timeouts, resolved defaults.
func checkConfigInvariants(t *testing.T, cfg *Config) {
	t.Helper()
	if cfg.Timeout <= 0 || cfg.ReadHeaderTimeout <= 0 || cfg.ReadTimeout <= 0 || cfg.WriteTimeout <= 0 ||
		cfg.IdleTimeout <= 0 || cfg.IdleConnectionTimeout <= 0 || cfg.DialerTimeout <= 0 || cfg.MaxHeaderBytes <= 0 {
		t.Fatalf("a server or transport limit is not positive: %+v", cfg)
	}
	if cfg.Port < 1 || cfg.Port > 65535 || cfg.MaxIdleConnectionsPerHost <= 0 {
		t.Fatalf("port or idle pool out of range: %+v", cfg)
	}
	if cfg.ClientTLS == nil || cfg.ClientTLS.MinVersion < tls.VersionTLS12 {
		t.Fatalf("client TLS not defaulted: %+v", cfg.ClientTLS)
	}
	if cfg.MaxRequestBodyBytes <= 0 || cfg.MaxBackendResponseBytes <= 0 || cfg.MaxBackendResponseBytes > MaxBackendResponseBytesLimit {
		t.Fatalf("body caps out of range: %d %d", cfg.MaxRequestBodyBytes, cfg.MaxBackendResponseBytes)
	}
	if !strings.HasPrefix(cfg.Router.HealthPath, "/") || len(cfg.Router.RemoteIPHeaders) == 0 {
		t.Fatalf("router not defaulted: %+v", cfg.Router)
	}
	if len(cfg.Router.TrustedProxies) > 0 && !cfg.Router.ForwardedByClientIP {
		t.Fatalf("trusted_proxies accepted without forwarded_by_client_ip")
	}
	if cfg.Logging.Level == "" || cfg.Logging.Format == "" {
		t.Fatalf("logging not defaulted: %+v", cfg.Logging)
	}
	if len(cfg.Endpoints) > MaxEndpoints {
		t.Fatalf("%d endpoints", len(cfg.Endpoints))
	}
	for i := 1; i < len(cfg.Warnings); i++ {
		if less(cfg.Warnings[i].Pos, cfg.Warnings[i-1].Pos) && i < len(cfg.Warnings)-1 {
			t.Fatalf("warnings not sorted")
		}
	}
	routes := map[string]bool{}
	for _, e := range cfg.Endpoints {
		checkEndpointInvariants(t, cfg, e)
		key := routeKey(e.Method, e.Path)
		if routes[key] {
			t.Fatalf("duplicate route %s accepted", key)
		}
		routes[key] = true
	}
}

func checkEndpointInvariants(t *testing.T, cfg *Config, e *Endpoint) {
	t.Helper()
	params, reason := parseTemplate(e.Path)
	if !strings.HasPrefix(e.Path, "/") || reason != "" || !reflect.DeepEqual(params, e.Params) {
		t.Fatalf("endpoint %s: unclean path %q (%s) or params %v", e.JSONPath, e.Path, reason, e.Params)
	}
	if reservedPath(e.Path, cfg.Router.HealthPath) != "" {
		t.Fatalf("endpoint %s: reserved path %q accepted", e.JSONPath, e.Path)
	}
	switch e.Method {
	case "GET", "POST", "PUT", "PATCH", "DELETE":
	default:
		t.Fatalf("endpoint %s: method %q", e.JSONPath, e.Method)
	}
	if e.Timeout <= 0 || e.CacheTTL < 0 || e.ConcurrentCalls != 1 || e.MaxRequestBodyBytes <= 0 {
		t.Fatalf("endpoint %s: bad limits %+v", e.JSONPath, e)
	}
	if len(e.Backends) < 1 || len(e.Backends) > MaxBackendsPerEndpoint {
		t.Fatalf("endpoint %s: %d backends", e.JSONPath, len(e.Backends))
	}
	noop := e.OutputEncoding == OutputNoOp
	if noop && len(e.Backends) != 1 {
		t.Fatalf("endpoint %s: no-op with %d backends", e.JSONPath, len(e.Backends))
	}
	for _, b := range e.Backends {
		var names []string
		reason := scanPlaceholders(b.URLPattern, func(name string) { names = append(names, name) })
		if !strings.HasPrefix(b.URLPattern, "/") || reason != "" {
			t.Fatalf("backend %s: url_pattern %q (%s)", b.JSONPath, b.URLPattern, reason)
		}
		for _, name := range names {
			if !contains(e.Params, name) {
				t.Fatalf("backend %s: placeholder {%s} not among %v", b.JSONPath, name, e.Params)
			}
		}
		if len(b.Host) == 0 {
			t.Fatalf("backend %s: no host", b.JSONPath)
		}
		for _, h := range b.Host {
			if b.DisableHostSanitize {
				if problem, _ := rawHostProblem(h); problem != "" {
					t.Fatalf("backend %s: raw host %q accepted (%s)", b.JSONPath, h, problem)
				}
			} else if n, _, problem, _ := normaliseHost(h); problem != "" || n != h {
				t.Fatalf("backend %s: host %q not normalised (%s)", b.JSONPath, h, problem)
			}
		}
		for _, h := range b.RedirectHosts {
			if n, _, problem, _ := normaliseHost(h); problem != "" || n != h {
				t.Fatalf("backend %s: redirect host %q not normalised (%s)", b.JSONPath, h, problem)
			}
		}
		// Under a no-op endpoint every backend is no-op; elsewhere a no-op
		// backend is discarded [H26] and has no shaping left.
		if noop && b.Encoding != EncodingNoOp {
			t.Fatalf("backend %s: encoding %q under output %q", b.JSONPath, b.Encoding, e.OutputEncoding)
		}
		if b.Encoding == EncodingNoOp && (b.Target != "" || b.Allow != nil || b.Deny != nil || b.Mapping != nil ||
			b.Group != "" || b.IsCollection) {
			t.Fatalf("backend %s: shaping kept on a no-op backend", b.JSONPath)
		}
		if b.Timeout < 0 || b.Timeout > 0 && b.Timeout >= e.Timeout {
			t.Fatalf("backend %s: timeout %v with endpoint timeout %v", b.JSONPath, b.Timeout, e.Timeout)
		}
		if b.ReturnErrorCode && b.ReturnErrorDetails != "" {
			t.Fatalf("backend %s: return_error_code with return_error_details", b.JSONPath)
		}
		if b.MaxResponseBytes <= 0 || b.MaxResponseBytes > MaxBackendResponseBytesLimit || b.MaxRedirects < 1 || b.MaxRedirects > 10 {
			t.Fatalf("backend %s: limits %d %d", b.JSONPath, b.MaxResponseBytes, b.MaxRedirects)
		}
		seen := map[string]bool{}
		for _, r := range b.Mapping {
			if r.To == "" || strings.Contains(r.To, ".") || seen[r.To] {
				t.Fatalf("backend %s: bad mapping %+v", b.JSONPath, b.Mapping)
			}
			seen[r.To] = true
		}
	}
}

// TestSeedsSatisfyInvariants runs the invariant checks on the valid seeds
// directly, so a broken check cannot hide behind an always-failing load.
func TestSeedsSatisfyInvariants(t *testing.T) {
	for _, s := range append([]string{string(Bundled())}, fuzzSeeds...) {
		cfg := mustLoad(t, s)
		checkConfigInvariants(t, cfg)
	}
}
