package plan

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
)

func load(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, err := config.Load("plan.json", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestNarrowQuery(t *testing.T) {
	for _, tc := range []struct {
		endpoint, backend []string
		want              []string
		shared            bool
	}{
		{[]string{"a", "b"}, nil, []string{"a", "b"}, true},
		{[]string{"a", "b"}, []string{"b", "c"}, []string{"b"}, false},
		{[]string{"*"}, []string{"a"}, []string{"a"}, false},
		{[]string{"a"}, []string{"*"}, []string{"a"}, true},
		{[]string{"a"}, []string{""}, nil, false},
		{nil, []string{"a"}, nil, false},
	} {
		got, shared := narrowQuery(tc.endpoint, tc.backend)
		if !slices.Equal(got, tc.want) || shared != tc.shared {
			t.Errorf("narrowQuery(%q, %q) = %q, %v; want %q, %v", tc.endpoint, tc.backend, got, shared, tc.want, tc.shared)
		}
	}
}

func TestHeaderFilter(t *testing.T) {
	if f := compileHeaderFilter(nil, true); !slices.Equal(f.Names, []string{"Content-Type"}) || f.All {
		t.Errorf("empty endpoint list = %+v, want Content-Type only (T11)", f)
	}
	if f := compileHeaderFilter([]string{"*"}, true); !f.All {
		t.Errorf(`["*"] = %+v, want All`, f)
	}
	f := compileHeaderFilter([]string{"x-user", "X-User", "authorization", ""}, false)
	if !slices.Equal(f.Names, []string{"X-User", "Authorization"}) {
		t.Errorf("names = %q, want canonical and deduplicated", f.Names)
	}
	if !f.Allows("Authorization") || f.Allows("Cookie") {
		t.Errorf("Allows is wrong for %+v", f)
	}
	if none := compileHeaderFilter([]string{""}, false); len(none.Names) != 0 || none.All {
		t.Errorf(`[""] = %+v, want nothing`, none)
	}
}

func TestCompileEndpointSettings(t *testing.T) {
	cfg := load(t, `{"version": 3, "timeout": "3s", "cache_ttl": "1500ms", "endpoints": [
  {"endpoint": "/a/{id}", "backend": [{"host": ["http://h1", "http://h2"], "url_pattern": "/x/{id}", "extra_config": {"backend/http": {"return_error_details": "x"}}}]},
  {"endpoint": "/b", "timeout": "500ms", "output_encoding": "no-op", "cache_ttl": "60s", "backend": [{"host": ["http://h"], "url_pattern": "/"}]}
]}`)
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Endpoints[0], p.Endpoints[1]
	if a.Timeout != 3*time.Second || a.Margin != 200*time.Millisecond {
		t.Errorf("a: T=%s m=%s, want 3s and min(T/10, 200ms)", a.Timeout, a.Margin)
	}
	if b.Margin != 50*time.Millisecond {
		t.Errorf("b: m=%s, want T/10 = 50ms", b.Margin)
	}
	if a.CacheControl != "public, max-age=1" {
		t.Errorf("a: Cache-Control %q, want whole seconds truncated", a.CacheControl)
	}
	if b.CacheControl != "" || b.Output != OutputNoOp {
		t.Errorf("b: no-op must never get Cache-Control: %q", b.CacheControl)
	}
	if a.Backends[0].ErrorKey != "error_x" {
		t.Errorf("ErrorKey %q", a.Backends[0].ErrorKey)
	}
	if p.MaxParams != 1 || p.MaxBodyBytes != config.DefaultMaxRequestBodyBytes {
		t.Errorf("MaxParams %d MaxBodyBytes %d", p.MaxParams, p.MaxBodyBytes)
	}
	seen := map[string]int{}
	for range 10 {
		seen[a.Backends[0].NextHost()]++
	}
	if seen["http://h1"] != 5 || seen["http://h2"] != 5 {
		t.Errorf("round robin = %v, want 5 and 5", seen)
	}
	if !strings.Contains(p.String(), "GET /a/{id}") {
		t.Errorf("String():\n%s", p)
	}
}

// TestCompileAcceptsOverlappingRoutes pins §4.3: templates of different
// shapes that overlap load (KrakenD's router accepts them) and each request
// goes to the template precedence picks.
func TestCompileAcceptsOverlappingRoutes(t *testing.T) {
	cfg := load(t, `{"version": 3, "endpoints": [
  {"endpoint": "/api/images/{file_id}", "backend": [{"host": ["http://h"], "url_pattern": "/"}]},
  {"endpoint": "/api/{user_name}/publications", "backend": [{"host": ["http://h"], "url_pattern": "/"}]}
]}`)
	p, err := Compile(cfg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	for path, want := range map[string]int{"/api/images/7": 0, "/api/bob/publications": 1, "/api/images/publications": 0} {
		if r := p.Routes.Lookup("GET", path, "", nil); r.Route != want {
			t.Errorf("%s: route %d (%v), want %d", path, r.Route, r.Kind, want)
		}
	}
}

func TestCompileEndpointOnly(t *testing.T) {
	cfg := load(t, `{"version": 3, "endpoints": [
  {"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/"}]},
  {"endpoint": "/b", "method": "POST", "backend": [{"host": ["http://h"], "url_pattern": "/"}]}
]}`)
	p, err := CompileEndpoint(cfg, "POST", "/b")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Endpoints) != 1 || p.Endpoints[0].Path != "/b" || len(cfg.Endpoints) != 2 {
		t.Errorf("compiled %d endpoints; the config must stay untouched (%d)", len(p.Endpoints), len(cfg.Endpoints))
	}
	_, err = CompileEndpoint(cfg, "GET", "/nope")
	if err == nil || !strings.Contains(err.Error(), `"GET /a", "POST /b"`) {
		t.Errorf("unknown endpoint: %v", err)
	}
}
