package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/exec"
)

// TestSecuredScenarioConfigs loads and compiles the webheaders, secured and
// secured-cached configs with a freshly generated fixture, then serves
// requests through the compiled plan against a stub backend on loopback:
// the scenario's own headers get a 200 with the CORS and security headers,
// and the secured endpoints refuse a missing or tampered token.
func TestSecuredScenarioConfigs(t *testing.T) {
	srv := startStub(t)
	backend := strings.TrimPrefix(srv.URL, "http://")
	fx, err := newAuthFixture(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(fx.Token, ".") != 2 {
		t.Fatalf("token %q is not a compact JWS", fx.Token)
	}
	byName := map[string]scenario{}
	for _, sc := range scenarios() {
		byName[sc.Name] = sc
	}
	for _, name := range []string{"webheaders", "secured", "secured-cached"} {
		t.Run(name, func(t *testing.T) {
			sc := byName[name]
			data, err := scenarioConfig(name, backend, 18080, fx)
			if err != nil {
				t.Fatal(err)
			}
			cfg, p := loadAndCompile(t, name, data)
			if cfg.CORS == nil || cfg.HTTPSecure == nil {
				t.Fatalf("CORS %v, security headers %v: want both at service level", cfg.CORS, cfg.HTTPSecure)
			}
			if c := cfg.CORS; len(c.AllowOrigins) != 1 || c.AllowOrigins[0] != browserOrigin || c.AllowCredentials || c.MaxAge != 12*time.Hour {
				t.Errorf("CORS %+v, want one origin, no credentials, max_age 12h", c)
			}
			v := cfg.Endpoints[0].Validator
			secured := name != "webheaders"
			if (v != nil) != secured {
				t.Fatalf("validator %+v, want one only on the secured scenarios", v)
			}
			if secured {
				if v.Alg != "RS256" || v.Issuer != jwtIssuer || len(v.Audience) != 1 || len(v.Roles) != 1 {
					t.Errorf("validator %+v, want RS256 with issuer, audience and roles", v)
				}
				if (v.TokenCache != nil) != (name == "secured-cached") {
					t.Errorf("token cache %+v on %s", v.TokenCache, name)
				}
			}
			hs, err := requestHeaders(sc, fx)
			if err != nil {
				t.Fatal(err)
			}
			if (len(hs) == 2) != secured || hs[0].Name != "Origin" {
				t.Fatalf("request headers %v", hs)
			}

			gw := exec.New(p, exec.Options{})
			defer gw.Client().CloseIdleConnections()
			serve := func(hs []header) *exec.Response {
				h := http.Header{}
				for _, x := range hs {
					h.Set(x.Name, x.Value)
				}
				return gw.Serve(context.Background(), &exec.Request{Method: "GET", RawPath: sc.GatewayPath,
					Header: h, Host: "127.0.0.1:18080", ClientIP: "127.0.0.1", ContentLength: 0})
			}
			// Twice: the second request is a cache hit on secured-cached.
			for i := range 2 {
				resp := serve(hs)
				if resp.Status != http.StatusOK || !strings.Contains(string(resp.Bytes()), `"name"`) {
					t.Fatalf("request %d: status %d: %.300s", i, resp.Status, resp.Bytes())
				}
				for k, want := range map[string]string{
					"Access-Control-Allow-Origin": browserOrigin, "X-Frame-Options": "DENY",
					"X-Content-Type-Options": "nosniff", "Strict-Transport-Security": "max-age=31536000",
					exec.HeaderCompleted: "true",
				} {
					if got := resp.Header.Get(k); got != want {
						t.Errorf("request %d: %s = %q, want %q", i, k, got, want)
					}
				}
				resp.Release()
			}
			if !secured {
				return
			}
			tampered := append([]header(nil), hs...)
			tok := fx.Token
			last := tok[len(tok)-2]
			if last == 'A' {
				last = 'B'
			} else {
				last = 'A'
			}
			tampered[1].Value = "Bearer " + tok[:len(tok)-2] + string(last) + tok[len(tok)-1:]
			for what, h := range map[string][]header{"no token": hs[:1], "tampered token": tampered} {
				resp := serve(h)
				if resp.Status != http.StatusUnauthorized {
					t.Errorf("%s: status %d, want 401", what, resp.Status)
				}
				resp.Release()
			}
		})
	}
	if _, err := scenarioConfig("secured", backend, 1, nil); err == nil {
		t.Error("secured without a fixture gave no error")
	}
	if _, err := requestHeaders(byName["secured"], nil); err == nil {
		t.Error("secured request headers without a token gave no error")
	}
	o, err := parseOptions(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"webheaders", "secured", "secured-cached"} {
		if !contains(o.scenarios, name) {
			t.Errorf("default scenarios %v lack %s", o.scenarios, name)
		}
	}
}

// TestGeneratorsSendHeaders checks that the built-in generators send a
// scenario's headers on every request, and that wrk gets them as -H.
func TestGeneratorsSendHeaders(t *testing.T) {
	hs := []header{{"Origin", browserOrigin}, {"Authorization", "Bearer a.b.c"}}
	for _, gen := range []struct {
		name string
		g    generator
	}{{"http", httpGen{}}, {"raw", rawGen{}}} {
		t.Run(gen.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen, bad int
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen++
				if r.Header.Get("Origin") != browserOrigin || r.Header.Get("Authorization") != "Bearer a.b.c" ||
					r.Header.Get("User-Agent") != "tributary-loadtest" {
					bad++
				}
				mu.Unlock()
				_, _ = w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			res, err := gen.g.run(context.Background(), loadSpec{URL: srv.URL + "/", Headers: hs, Conns: 2, Duration: 200 * time.Millisecond}, window{})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if res.Requests == 0 || seen == 0 || bad != 0 {
				t.Errorf("%d requests counted, %d seen, %d without the headers", res.Requests, seen, bad)
			}
			bogus := loadSpec{URL: srv.URL + "/", Headers: []header{{"X-Evil", "a\r\nHost: x"}}, Conns: 1, Duration: time.Second}
			if _, err := gen.g.run(context.Background(), bogus, window{}); err == nil {
				t.Error("a header value with CRLF was accepted")
			}
		})
	}
	args := wrkArgs(loadSpec{URL: "http://127.0.0.1:1/users/1", Conns: 64, Headers: hs}, 2, 3*time.Second, true)
	want := "-t 2 -c 64 -d 3s --timeout 60s --latency -H Origin: " + browserOrigin + " -H Authorization: Bearer a.b.c http://127.0.0.1:1/users/1"
	if got := strings.Join(args, " "); got != want || len(args) != wrkFixedArgs(true)+2*len(hs)+1 {
		t.Errorf("wrk args %q, want %q", got, want)
	}
	if n := len(wrkArgs(loadSpec{URL: "u", Conns: 1}, 1, time.Second, false)); n != wrkFixedArgs(false)+1 {
		t.Errorf("%d wrk args without headers, want %d", n, wrkFixedArgs(false)+1)
	}
}

func TestRawRequest(t *testing.T) {
	u, err := url.Parse("http://127.0.0.1:8080/users/1?x=1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := rawRequest(u, []header{{"Origin", browserOrigin}, {"user-agent", "other"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "GET /users/1?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: other\r\nAccept: */*\r\nOrigin: " + browserOrigin + "\r\n\r\n"
	if string(got) != want {
		t.Errorf("request %q, want %q", got, want)
	}
	for _, h := range []header{{"", "x"}, {"Bad Name", "x"}, {"X", "a\nb"}, {"X:", "x"}} {
		if _, err := rawRequest(u, []header{h}); err == nil {
			t.Errorf("header %+v accepted", h)
		}
	}
}

func TestRelateToProxy(t *testing.T) {
	rs := []scenarioResult{
		{Name: "proxy", RatioRPS: 0.5},
		{Name: "limited", RatioRPS: 0.49, ProxyGoal: 0.95},
		{Name: "webheaders", RatioRPS: 0.47, ProxyGoal: 0.97},
		{Name: "secured", RatioRPS: 0.3},
	}
	relateToProxy(rs)
	if s := rs[1]; s.OfProxyPass == nil || !*s.OfProxyPass || s.OfProxy < 0.979 || s.OfProxy > 0.981 {
		t.Errorf("limited: %v of proxy, pass %v; want 0.98, PASS", s.OfProxy, s.OfProxyPass)
	}
	if s := rs[2]; s.OfProxyPass == nil || *s.OfProxyPass {
		t.Errorf("webheaders: %v of proxy, pass %v; want 0.94, SHORT", s.OfProxy, s.OfProxyPass)
	}
	if rs[0].OfProxyPass != nil || rs[3].OfProxyPass != nil {
		t.Error("a verdict on a scenario without a proxy goal")
	}
	alone := []scenarioResult{{Name: "limited", RatioRPS: 0.49, ProxyGoal: 0.95}}
	relateToProxy(alone)
	if alone[0].OfProxyPass != nil {
		t.Error("a verdict without the proxy scenario")
	}
}

func TestPrintReportVsProxy(t *testing.T) {
	rs := []scenarioResult{
		{Name: "proxy", RatioRPS: 0.5, RoundRatios: []float64{0.5}, RatioPass: true},
		{Name: "limited", RatioRPS: 0.49, RoundRatios: []float64{0.49}, ProxyGoal: 0.95, RatioPass: true},
	}
	relateToProxy(rs)
	var b strings.Builder
	printReport(&b, &report{Scenarios: rs})
	out := b.String()
	for _, want := range []string{"vs proxy", "0.980 × proxy's ratio (0.490 ÷ 0.500)", "goal ≥ 0.95", "vs-proxy goals met 1/1"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q\n%s", want, out)
		}
	}
}
