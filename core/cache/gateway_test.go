package cache_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/stage"
)

// The cache through the real pipeline: config, plan and executor, with
// loopback backends.

type upstream struct {
	calls atomic.Int32
	srv   *httptest.Server
}

func newUpstream(tb testing.TB, header http.Header, body string) *upstream {
	tb.Helper()
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.calls.Add(1)
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Write([]byte(body))
	}))
	tb.Cleanup(u.srv.Close)
	return u
}

func compile(tb testing.TB, cfg string, up *upstream) (*exec.Gateway, *plan.Plan) {
	tb.Helper()
	c, err := config.Load("t.json", []byte(strings.ReplaceAll(cfg, "{{up}}", up.srv.URL)), nil)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := plan.Compile(c)
	if err != nil {
		tb.Fatal(err)
	}
	gw := exec.New(p, exec.Options{})
	tb.Cleanup(gw.Client().CloseIdleConnections)
	return gw, p
}

type got struct {
	status int
	header http.Header
	body   string
}

func serve(gw *exec.Gateway, target string, h http.Header) got {
	path, query, _ := strings.Cut(target, "?")
	resp := gw.Serve(context.Background(), &exec.Request{Method: "GET", RawPath: path, RawQuery: query, Header: h, Host: "gw", ClientIP: "127.0.0.1"})
	g := got{status: resp.Status, header: resp.Header.Clone(), body: string(resp.Bytes())}
	resp.Release()
	return g
}

const shapedConfig = `{"version": 3, "endpoints": [{"endpoint": "/u/{id}", "input_query_strings": ["page"],
  "input_headers": ["Authorization"],
  "backend": [{"host": ["{{up}}"], "url_pattern": "/users/{id}", "allow": ["name", "tags"], "mapping": {"name": "who"}, "group": "user",
    "extra_config": {"qos/http-cache": {}}}]}]}`

// TestGatewayHitIsLiveResponse: a hit goes through the same response
// processing as a live response and gives the same answer.
func TestGatewayHitIsLiveResponse(t *testing.T) {
	up := newUpstream(t, http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"max-age=60"}},
		`{"name":"ana","tags":["a","b"],"secret":1}`)
	gw, _ := compile(t, shapedConfig, up)
	live := serve(gw, "/u/1?page=2", http.Header{})
	if live.status != 200 || live.body != `{"user":{"who":"ana","tags":["a","b"]}}` {
		t.Fatalf("live: %+v", live)
	}
	for range 3 {
		hit := serve(gw, "/u/1?page=2", http.Header{})
		if !reflect.DeepEqual(hit, live) {
			t.Fatalf("hit %+v differs from live %+v", hit, live)
		}
	}
	if n := up.calls.Load(); n != 1 {
		t.Fatalf("%d backend calls, want 1", n)
	}
	// The forwarded query is part of the key; a query the endpoint does
	// not forward is not.
	serve(gw, "/u/1?page=3", http.Header{})
	serve(gw, "/u/1?page=2&other=x", http.Header{})
	serve(gw, "/u/2?page=2", http.Header{})
	if n := up.calls.Load(); n != 3 {
		t.Fatalf("%d backend calls, want 3", n)
	}
	// A credentialed request is answered from the cache but never stored
	// from (the response is neither public nor s-maxage).
	auth := http.Header{"Authorization": {"Bearer x"}}
	serve(gw, "/u/1?page=2", auth)
	if n := up.calls.Load(); n != 3 {
		t.Fatalf("%d backend calls, want 3", n)
	}
	serve(gw, "/u/9", auth)
	serve(gw, "/u/9", auth)
	if n := up.calls.Load(); n != 5 {
		t.Fatalf("%d backend calls, want 5: a credentialed response was stored", n)
	}
}

// counting is a backend stage placed after the cache, where the rate
// limiter and the circuit breaker sit.
type counting struct{ before atomic.Int32 }

func (c *counting) Before(context.Context, *stage.Call) (*stage.Answer, error) {
	c.before.Add(1)
	return nil, nil
}

// TestGatewayHitSkipsLaterStages: a hit stops the backend stages after
// the cache (rate limit, breaker), so they neither count nor refuse it.
func TestGatewayHitSkipsLaterStages(t *testing.T) {
	up := newUpstream(t, http.Header{"Cache-Control": {"max-age=60"}}, `{"a":1}`)
	gw, p := compile(t, `{"version": 3, "endpoints": [{"endpoint": "/a",
  "backend": [{"host": ["{{up}}"], "url_pattern": "/a", "extra_config": {"qos/http-cache": {}}}]}]}`, up)
	later := &counting{}
	b := p.Endpoints[0].Backends[0]
	if len(b.Stages) != 1 {
		t.Fatalf("%d backend stages, want the cache alone", len(b.Stages))
	}
	b.Stages = append(b.Stages, later)
	for range 4 {
		if g := serve(gw, "/a", nil); g.status != 200 || g.body != `{"a":1}` {
			t.Fatalf("%+v", g)
		}
	}
	if up.calls.Load() != 1 || later.before.Load() != 1 {
		t.Fatalf("backend calls %d, later stage runs %d; want 1, 1", up.calls.Load(), later.before.Load())
	}
}

// TestGatewaySharedStampede: two backends of one endpoint share a store
// and ask for the same URL at the same time: one backend call.
func TestGatewaySharedStampede(t *testing.T) {
	up := newUpstream(t, http.Header{"Cache-Control": {"public, max-age=60"}}, `{"v":1}`)
	gw, _ := compile(t, `{"version": 3, "endpoints": [{"endpoint": "/a",
  "backend": [
    {"host": ["{{up}}"], "url_pattern": "/same", "group": "x", "extra_config": {"qos/http-cache": {"shared": true}}},
    {"host": ["{{up}}"], "url_pattern": "/same", "group": "y", "extra_config": {"qos/http-cache": {"shared": true}}},
    {"host": ["{{up}}"], "url_pattern": "/same", "group": "z", "extra_config": {"qos/http-cache": {"shared": true}}}]}]}`, up)
	if g := serve(gw, "/a", nil); g.status != 200 || g.body != `{"x":{"v":1},"y":{"v":1},"z":{"v":1}}` || g.header.Get("X-Tributary-Completed") != "true" {
		t.Fatalf("%+v", g)
	}
	if n := up.calls.Load(); n != 1 {
		t.Fatalf("%d backend calls, want 1", n)
	}
}

// TestGatewayPassthroughHit: a no-op endpoint passes the stored response
// through exactly as the live one.
func TestGatewayPassthroughHit(t *testing.T) {
	up := newUpstream(t, http.Header{"Cache-Control": {"max-age=60"}, "Content-Type": {"text/plain"}, "X-Up": {"1"}}, "raw bytes")
	gw, _ := compile(t, `{"version": 3, "endpoints": [{"endpoint": "/a", "output_encoding": "no-op",
  "backend": [{"host": ["{{up}}"], "url_pattern": "/a", "encoding": "no-op", "extra_config": {"qos/http-cache": {}}}]}]}`, up)
	live := serve(gw, "/a", nil)
	hit := serve(gw, "/a", nil)
	if live.body != "raw bytes" || !reflect.DeepEqual(hit, live) || up.calls.Load() != 1 {
		t.Fatalf("live %+v, hit %+v, %d calls", live, hit, up.calls.Load())
	}
}

func TestSharedBoundsMustAgree(t *testing.T) {
	c, err := config.Load("t.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/a", "backend": [
  {"host": ["http://h"], "url_pattern": "/a", "extra_config": {"qos/http-cache": {"shared": true, "max_items": 5, "max_size": 4096}}},
  {"host": ["http://h"], "url_pattern": "/b", "extra_config": {"qos/http-cache": {"shared": true, "max_items": 6, "max_size": 4096}}}]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Compile(c); err == nil || !strings.Contains(err.Error(), "shared cache has one bound") {
		t.Fatalf("Compile: %v", err)
	}
}

// benchConfig is one proxied backend, with or without the cache.
func benchConfig(cached bool) string {
	extra := ""
	if cached {
		extra = `, "extra_config": {"qos/http-cache": {}}`
	}
	return `{"version": 3, "endpoints": [{"endpoint": "/users/{id}",
  "backend": [{"host": ["{{up}}"], "url_pattern": "/users/{id}", "deny": ["secret"]` + extra + `}]}]}`
}

func benchGateway(b *testing.B, cached bool) {
	up := newUpstream(b, http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"max-age=3600"}},
		`{"id":42,"name":"Hugo Romero","email":"hugo@example.com","secret":"x","address":{"city":"Lisbon","zip":"1000"}}`)
	gw, _ := compile(b, benchConfig(cached), up)
	h := http.Header{"User-Agent": {"bench"}, "Accept": {"application/json"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp := gw.Serve(ctx, &exec.Request{Method: "GET", RawPath: "/users/42", Header: h, Host: "gw", ClientIP: "127.0.0.1"})
		if resp.Status != 200 {
			b.Fatalf("status %d", resp.Status)
		}
		resp.Release()
	}
	if cached && up.calls.Load() != 1 {
		b.Fatalf("%d backend calls", up.calls.Load())
	}
}

// BenchmarkGatewayDirect is the whole request path to a loopback backend.
func BenchmarkGatewayDirect(b *testing.B) { benchGateway(b, false) }

// BenchmarkGatewayHit is the same request answered from the cache.
func BenchmarkGatewayHit(b *testing.B) { benchGateway(b, true) }

// TestGatewayHitSkipsRateLimitAndBreaker: with the real backend rate
// limiter (one token, no refill during the test) and circuit breaker
// (open after the first failures), hits keep being served: they take no
// token and the open breaker does not stop them.
func TestGatewayHitSkipsRateLimitAndBreaker(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if strings.HasSuffix(r.URL.Path, "/bad") {
			w.WriteHeader(500)
			return
		}
		w.Header().Set("Cache-Control", "max-age=600")
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	up := &upstream{srv: srv}
	gw, _ := compile(t, `{"version": 3, "endpoints": [{"endpoint": "/r/{id}",
  "backend": [{"host": ["{{up}}"], "url_pattern": "/r/{id}", "extra_config": {"qos/http-cache": {},
    "qos/ratelimit/proxy": {"max_rate": 1, "capacity": 1, "every": "1h"}}}]},
  {"endpoint": "/b/{id}",
  "backend": [{"host": ["{{up}}"], "url_pattern": "/b/{id}", "extra_config": {"qos/http-cache": {},
    "qos/circuit-breaker": {"interval": 600, "timeout": 600, "max_errors": 1}}}]}]}`, up)
	// Rate limit: the miss takes the one token; hits take none; another
	// URL finds the bucket empty.
	for range 5 {
		if g := serve(gw, "/r/1", nil); g.status != 200 || g.body != `{"ok":true}` {
			t.Fatalf("/r/1: %+v", g)
		}
	}
	if g := serve(gw, "/r/2", nil); g.status == 200 {
		t.Fatalf("/r/2 was not rate limited: %+v", g)
	}
	// Breaker: store /b/1, then fail until the breaker opens; /b/1 is
	// still served from the cache, and an uncached URL is refused.
	if g := serve(gw, "/b/1", nil); g.status != 200 {
		t.Fatalf("/b/1: %+v", g)
	}
	before := calls.Load()
	for range 3 {
		serve(gw, "/b/bad", nil)
	}
	if calls.Load()-before >= 3 {
		t.Fatalf("the breaker did not open: %d calls", calls.Load()-before)
	}
	if g := serve(gw, "/b/1", nil); g.status != 200 || g.body != `{"ok":true}` {
		t.Fatalf("/b/1 with the breaker open: %+v", g)
	}
	before = calls.Load()
	if g := serve(gw, "/b/2", nil); g.status == 200 || calls.Load() != before {
		t.Fatalf("/b/2 went through an open breaker: %+v", g)
	}
}
