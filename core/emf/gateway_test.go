package emf_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/emf"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// lineSink collects whole Write calls and fails the test when two of
// them overlap or one is not exactly one line.
type lineSink struct {
	t        testing.TB
	inFlight atomic.Int32
	mu       sync.Mutex
	lines    [][]byte
}

func (s *lineSink) Write(p []byte) (int, error) {
	if s.inFlight.Add(1) != 1 {
		s.t.Error("two Write calls overlap")
	}
	defer s.inFlight.Add(-1)
	if bytes.IndexByte(p, '\n') != len(p)-1 {
		s.t.Errorf("a Write is not exactly one line: %q", p)
	}
	s.mu.Lock()
	s.lines = append(s.lines, bytes.Clone(p))
	s.mu.Unlock()
	return len(p), nil
}

// gatewayConfig has an endpoint per outcome, all on loopback backends.
const gatewayConfig = `{"version": 3, "timeout": "3s", "endpoints": [
  {"endpoint": "/ok/{id}", "backend": [{"host": ["{{b}}"], "url_pattern": "/item/{id}"}]},
  {"endpoint": "/fan", "backend": [{"host": ["{{b}}"], "url_pattern": "/item/1", "group": "a"},
                                   {"host": ["{{b}}"], "url_pattern": "/fail", "group": "b"}]},
  {"endpoint": "/limited", "extra_config": {"qos/ratelimit/router": {"max_rate": 1, "capacity": 1, "every": "1h"}},
   "backend": [{"host": ["{{b}}"], "url_pattern": "/item/2"}]}
]}`

// TestGatewayLines runs many requests in parallel through a real gateway
// with loopback backends and parses every line it writes: exactly one
// per request, never interleaved, each valid EMF whose values match the
// response the client got.
func TestGatewayLines(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`"}`)
	}))
	defer backend.Close()
	cfg, err := config.Load("emf.json", []byte(strings.ReplaceAll(gatewayConfig, "{{b}}", backend.URL)), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sink := &lineSink{t: t}
	ob, err := emf.New(sink, emf.Options{Namespace: "Test", Dimensions: []emf.Dimension{emf.Route, emf.Method}, Backends: true})
	if err != nil {
		t.Fatal(err)
	}
	gw := exec.New(p, exec.Options{Observer: ob})
	defer gw.Client().CloseIdleConnections()

	paths := []string{"/ok/7", "/fan", "/limited", "/nowhere/\"x"}
	const n = 200
	type outcome struct {
		path     string
		status   int
		complete string
	}
	got := make([]outcome, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			path := paths[i%len(paths)]
			resp := gw.Serve(ctx, &exec.Request{Method: "GET", RawPath: path, Host: "gw", ClientIP: "127.0.0.1",
				Header: http.Header{}, RequestID: "r-" + strconv.Itoa(i)})
			got[i] = outcome{path, resp.Status, resp.Header.Get(exec.HeaderCompleted)}
			resp.Release()
		}()
	}
	wg.Wait()

	if len(sink.lines) != n {
		t.Fatalf("%d lines for %d requests", len(sink.lines), n)
	}
	seen := make(map[int]bool, n)
	limited := 0
	for _, raw := range sink.lines {
		l, err := emf.Parse(raw)
		if err != nil {
			t.Fatalf("%v\n%s", err, raw)
		}
		id, _ := l.String("request_id")
		i, err := strconv.Atoi(strings.TrimPrefix(id, "r-"))
		if err != nil || i < 0 || i >= n || seen[i] {
			t.Fatalf("request id %q unknown or seen twice", id)
		}
		seen[i] = true
		o := got[i]
		if code, _ := l.Metric("StatusCode"); int(code) != o.status {
			t.Errorf("%s: StatusCode %v, the client got %d", o.path, code, o.status)
		}
		class := fmt.Sprintf("Status%dxx", o.status/100)
		if v, _ := l.Metric(class); v != 1 {
			t.Errorf("%s: %s = %v for a %d", o.path, class, v, o.status)
		}
		for _, d := range l.Directives {
			if d.Namespace != "Test" {
				t.Errorf("namespace %q", d.Namespace)
			}
		}
		route, _ := l.String("Route")
		rl, _ := l.Metric("RateLimited")
		complete, hasComplete := l.Metric("Complete")
		switch o.path {
		case "/ok/7":
			if route != "/ok/{id}" || o.status != 200 || complete != 1 || rl != 0 {
				t.Errorf("/ok/7: route %q status %d complete %v limited %v", route, o.status, complete, rl)
			}
			if s, _ := l.String("Backend0"); s != "/item/{id}" {
				t.Errorf("/ok/7: Backend0 %q", s)
			}
		case "/fan":
			// One backend fails: the response is incomplete.
			if route != "/fan" || complete != 0 || !hasComplete || o.complete != "false" {
				t.Errorf("/fan: route %q complete %v (header %q)", route, complete, o.complete)
			}
			if e, _ := l.Metric("Backend0.Errors"); e != 0 {
				t.Errorf("/fan: Backend0.Errors %v", e)
			}
			if e, _ := l.Metric("Backend1.Errors"); e != 1 {
				t.Errorf("/fan: Backend1.Errors %v", e)
			}
			if s, _ := l.String("Backend1"); s != "/fail" {
				t.Errorf("/fan: Backend1 %q", s)
			}
		case "/limited":
			if route != "/limited" {
				t.Errorf("/limited: route %q", route)
			}
			if o.status == 503 {
				limited++
				if rl != 1 || hasComplete {
					t.Errorf("/limited refused: RateLimited %v, Complete present %v", rl, hasComplete)
				}
			} else if o.status != 200 || rl != 0 || complete != 1 {
				t.Errorf("/limited: status %d RateLimited %v Complete %v", o.status, rl, complete)
			}
		default:
			if route != emf.NoValue || o.status != 404 || hasComplete {
				t.Errorf("%s: route %q status %d", o.path, route, o.status)
			}
		}
	}
	if want := n/len(paths) - 1; limited != want {
		t.Errorf("%d rate-limited lines, want %d (one request passes)", limited, want)
	}
}

// BenchmarkServeObserved is one request through a real gateway with a
// loopback backend, without and with the EMF observer (writing to
// io.Discard): the difference is the observer's cost.
func BenchmarkServeObserved(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":42,"name":"x"}`)
	}))
	defer backend.Close()
	cfg, err := config.Load("emf.json", []byte(strings.ReplaceAll(gatewayConfig, "{{b}}", backend.URL)), nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ob, err := emf.New(io.Discard, emf.Options{Namespace: "Test", Dimensions: []emf.Dimension{emf.Route, emf.Method}, Backends: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		o    exec.Options
	}{{"off", exec.Options{}}, {"emf", exec.Options{Observer: ob}}} {
		b.Run(c.name, func(b *testing.B) {
			gw := exec.New(p, c.o)
			defer gw.Client().CloseIdleConnections()
			ctx := context.Background()
			h := http.Header{"Accept": {"application/json"}}
			b.ReportAllocs()
			for b.Loop() {
				resp := gw.Serve(ctx, &exec.Request{Method: "GET", RawPath: "/ok/42", Header: h, Host: "gw", ClientIP: "127.0.0.1"})
				if resp.Status != 200 {
					b.Fatalf("status %d", resp.Status)
				}
				resp.Release()
			}
		})
	}
}
