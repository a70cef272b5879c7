//go:build !tributary_nolua

package plan

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/stage"
)

func luaEndpointConfig(t *testing.T, output, proxy string) *config.Config {
	t.Helper()
	return load(t, `{"version": 3, "endpoints": [{"endpoint": "/a/{id}", "output_encoding": "`+output+`",
  "extra_config": {"modifier/lua-proxy": `+proxy+`},
  "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`)
}

func TestLuaProxyRender(t *testing.T) {
	for _, tc := range []struct {
		output, post, body, ct string
	}{
		{"json", `response.load():data():set("a", 1)`, `{"a":1}`, "application/json; charset=utf-8"},
		{"json-collection", `response.load():data():set("collection", {1, 2})`, `[1,2]`, "application/json; charset=utf-8"},
		{"json-collection", `response.load():data():set("other", 1)`, `[]`, "application/json; charset=utf-8"},
		{"string", `response.load():data():set("content", "hi")`, `hi`, "text/plain; charset=utf-8"},
	} {
		cfg := luaEndpointConfig(t, tc.output, `{"skip_next": true, "post": `+quote(tc.post)+`}`)
		c := &compiler{cfg: cfg}
		s, err := c.luaProxyStage(cfg.Endpoints[0])
		if err != nil || s == nil {
			t.Fatalf("stage: %v %v", s, err)
		}
		rep := s.Run(context.Background(), exchange("GET", "/a/1", "", nil, nil))
		if rep == nil || rep.Status != 200 || string(rep.Body) != tc.body || rep.Header.Get("Content-Type") != tc.ct ||
			rep.Header.Get("X-Tributary-Completed") != "true" {
			t.Errorf("%s %s: reply %+v body %s", tc.output, tc.post, rep, rep.Body)
		}
	}
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

func TestLuaProxyFinish(t *testing.T) {
	cfg := luaEndpointConfig(t, "json", `{"pre": "n = 5", "post": "local d = response.load():data() if d:get('a') then d:set('a', d:get('a') + n) else d:set('made', response.load():statusCode()) end"}`)
	c := &compiler{cfg: cfg}
	e := cfg.Endpoints[0]
	pre, err := c.luaProxyStage(e)
	if err != nil {
		t.Fatal(err)
	}
	fin, err := c.luaProxyFinish(e)
	if err != nil || fin == nil {
		t.Fatalf("finish: %v %v", fin, err)
	}
	ctx := context.Background()
	// Values changed in place.
	x := exchange("GET", "/a/1", "", nil, nil)
	if rep := pre.Run(ctx, x); rep != nil {
		t.Fatalf("pre replied %+v", rep)
	}
	d := &stage.Document{Complete: true, HasData: true, Members: []stage.Member{{Name: "a", Value: []byte("1")}, {Name: "b", Value: []byte(`"x"`)}}}
	if rep := fin.Finish(ctx, x, d); rep != nil {
		t.Fatalf("finish replied %+v", rep)
	}
	if string(d.Members[0].Value) != "6" || string(d.Members[1].Value) != `"x"` {
		t.Errorf("members %s %s", d.Members[0].Value, d.Members[1].Value)
	}
	// Keys added without backend data: a whole answer, 200, incomplete.
	x = exchange("GET", "/a/1", "", nil, nil)
	pre.Run(ctx, x)
	rep := fin.Finish(ctx, x, &stage.Document{})
	if rep == nil || rep.Status != 200 || string(rep.Body) != `{"made":0}` || rep.Header.Get("X-Tributary-Completed") != "false" {
		t.Errorf("reply %+v %s", rep, rep.Body)
	}
}

func TestLuaProxySessionsAreCollected(t *testing.T) {
	cfg := luaEndpointConfig(t, "json", `{"pre": "n = 1", "post": "x = n"}`)
	c := &compiler{cfg: cfg}
	p, err := c.luaProxyFor(cfg.Endpoints[0])
	if err != nil {
		t.Fatal(err)
	}
	pre := (*luaProxyPre)(p)
	// The requests stay reachable until they are counted: a collection
	// in between (the race detector, other tests) would otherwise release
	// some early.
	live := make([]*stage.Exchange, 10)
	for i := range live {
		live[i] = exchange("GET", "/a/1", "", nil, nil)
		pre.Run(context.Background(), live[i]) // never finished
	}
	n := 0
	p.sessions.Range(func(_, _ any) bool { n++; return true })
	if n != 10 {
		t.Fatalf("%d sessions kept, want 10", n)
	}
	runtime.KeepAlive(live) // from here on nothing refers to them
	for range 100 {
		runtime.GC()
		runtime.Gosched()
		n := 0
		p.sessions.Range(func(_, _ any) bool { n++; return true })
		if n == 0 {
			return
		}
	}
	t.Fatal("sessions of abandoned requests are never released")
}

func TestLuaProxyNoOpRefused(t *testing.T) {
	cfg := load(t, `{"version": 3, "endpoints": [{"endpoint": "/a", "output_encoding": "no-op",
  "extra_config": {"modifier/lua-proxy": {"post": "x = 1"}},
  "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`)
	if _, err := Compile(cfg); err == nil || !strings.Contains(err.Error(), `output_encoding "no-op"`) {
		t.Fatalf("got %v", err)
	}
}

func luaBackendFor(t *testing.T, ns string) stage.Backend {
	t.Helper()
	cfg := load(t, `{"version": 3, "endpoints": [{"endpoint": "/a/{id}",
  "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x", "extra_config": {"modifier/lua-backend": `+ns+`}}]}]}`)
	c := &compiler{cfg: cfg}
	s, err := c.luaBackendStage(cfg.Endpoints[0], cfg.Endpoints[0].Backends[0])
	if err != nil || s == nil {
		t.Fatalf("stage %v %v", s, err)
	}
	return s
}

func TestLuaBackendRequest(t *testing.T) {
	s := luaBackendFor(t, `{"pre": "local r = request.load() r:url('https://127.0.0.1:8443/new?q=' .. r:params('Id')) r:body('b') r:method('POST') r:headers('X-A', r:url())"}`)
	u, _ := url.Parse("http://127.0.0.1:9/x")
	x := exchange("GET", "/a/7", "", nil, nil)
	x.Params = []stage.Param{{Name: "id", Value: "7"}}
	c := &stage.Call{Exchange: x, Method: "GET", URL: u, Header: http.Header{"User-Agent": {"t"}}}
	if _, err := s.Before(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if c.URL.String() != "https://127.0.0.1:8443/new?q=7" || c.Method != "POST" || string(c.Body) != "b" ||
		c.Header.Get("X-A") != "https://127.0.0.1:8443/new?q=7" {
		t.Errorf("call %+v url %s", c, c.URL)
	}
	s = luaBackendFor(t, `{"pre": "request.load():url('/relative')"}`)
	c = &stage.Call{Exchange: x, Method: "GET", URL: u}
	if _, err := s.Before(context.Background(), c); err == nil || !strings.Contains(err.Error(), "not an absolute http or https URL") {
		t.Errorf("got %v", err)
	}
}

func TestLuaBackendResponse(t *testing.T) {
	s := luaBackendFor(t, `{"pre": "tag = request.load():method()", "post": "local r = response.load() r:headers('X-Tag', tag) local d = r:data() d:set('status', r:statusCode()) d:set('ok', r:isComplete())"}`)
	u, _ := url.Parse("http://127.0.0.1:9/x")
	c := &stage.Call{Exchange: exchange("GET", "/a/7", "", nil, nil), Method: "GET", URL: u}
	if _, err := s.Before(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	m, ok := s.(stage.ResponseModifier)
	if !ok {
		t.Fatal("no response modifier")
	}
	status, h, body, err := m.ModifyResponse(c, 201, http.Header{}, []byte(`{"a":1}`))
	if err != nil || status != 201 || h.Get("X-Tag") != "GET" || string(body) != `{"a":1,"status":201,"ok":true}` {
		t.Errorf("got %d %v %s %v", status, h, body, err)
	}
	s.(stage.Observer).After(c, status, h, body, nil)
	// A post that does not read data leaves the body alone.
	s = luaBackendFor(t, `{"post": "response.load():headers('X-A', '1')"}`)
	m = s.(stage.ResponseModifier)
	if _, _, body, err := m.ModifyResponse(c, 200, nil, []byte("plain text")); err != nil || string(body) != "plain text" {
		t.Errorf("got %s %v", body, err)
	}
	// custom_error fails the call.
	s = luaBackendFor(t, `{"post": "custom_error('bad backend')"}`)
	if _, _, _, err := s.(stage.ResponseModifier).ModifyResponse(c, 200, nil, nil); err == nil || !strings.Contains(err.Error(), "bad backend") {
		t.Errorf("got %v", err)
	}
}

func TestLuaEndpointRuntimeError(t *testing.T) {
	cfg := load(t, `{"version": 3, "endpoints": [{"endpoint": "/a",
  "extra_config": {"modifier/lua-endpoint": {"pre": "local x = nil\nx.y = 1"}},
  "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`)
	c := &compiler{cfg: cfg}
	stages, err := c.luaEndpointStages(cfg.Endpoints[0])
	if err != nil || len(stages) != 1 {
		t.Fatalf("%v %v", stages, err)
	}
	var logged strings.Builder
	x := exchange("GET", "/a", "", nil, nil)
	x.Log = newTextLogger(&logged)
	rep := stages[0].Run(context.Background(), x)
	if rep == nil || rep.Status != 500 || rep.Code != "internal_error" {
		t.Fatalf("reply %+v", rep)
	}
	if !strings.Contains(logged.String(), "pre:2:") {
		t.Errorf("log %q does not locate the error", logged.String())
	}
}

func BenchmarkLuaProxyPre(b *testing.B) {
	cfg, err := config.Load("b.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/a/{id}",
  "extra_config": {"modifier/lua-proxy": {"pre": "request.load():headers('X-A', '1')"}},
  "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`), nil)
	if err != nil {
		b.Fatal(err)
	}
	c := &compiler{cfg: cfg}
	s, err := c.luaProxyStage(cfg.Endpoints[0])
	if err != nil {
		b.Fatal(err)
	}
	h := http.Header{"Accept": {"*/*"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		x := &stage.Exchange{Method: "GET", RawPath: "/a/1", Header: h, Params: []stage.Param{{Name: "id", Value: "1"}}}
		if rep := s.Run(ctx, x); rep != nil {
			b.Fatal(rep)
		}
	}
}

func newTextLogger(w *strings.Builder) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}
