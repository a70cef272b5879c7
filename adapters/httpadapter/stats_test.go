package httpadapter

import (
	"context"
	stdjson "encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// statsConfig: GET /a calls the backend's /ok, GET /b calls /ok and /fail
// (a 500), GET /users/{id} calls /ok. METRICS is the namespace's options.
const statsConfig = `{
  "version": 3,
  "extra_config": {"telemetry/metrics": METRICS},
  "endpoints": [
    {"endpoint": "/a", "backend": [{"host": ["BACKEND"], "url_pattern": "/ok"}]},
    {"endpoint": "/b", "backend": [{"host": ["BACKEND"], "url_pattern": "/ok"},
                                   {"host": ["BACKEND"], "url_pattern": "/fail"}]},
    {"endpoint": "/users/{id}", "backend": [{"host": ["BACKEND"], "url_pattern": "/ok"}]}
  ]
}`

// startStatsGateway serves a gateway for statsConfig on loopback and its
// stats on a second loopback listener; it returns both base URLs.
func startStatsGateway(t *testing.T, metrics string) (gateway, stats string) {
	t.Helper()
	backend := http.NewServeMux()
	backend.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	backend.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	})
	bsrv := &http.Server{Handler: backend, ErrorLog: log.New(io.Discard, "", 0)}
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = bsrv.Serve(bln) }()
	t.Cleanup(func() { _ = bsrv.Close() })

	text := strings.NewReplacer("BACKEND", "http://"+bln.Addr().String(), "METRICS", metrics).Replace(statsConfig)
	cfg, err := config.Load("test.json", []byte(text), nil)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatalf("plan.Compile: %v", err)
	}
	if p.Metrics == nil {
		t.Fatal("plan.Metrics is nil")
	}
	gw := exec.New(p, exec.Options{})
	t.Cleanup(gw.Client().CloseIdleConnections)
	gateway = "http://" + serve(t, New(gw, Options{}), p.Server)

	// The stats listener: a second loopback server on the stats handler.
	p.Metrics.ListenAddress = "127.0.0.1:0"
	ssrv := NewStatsServer(p.Metrics, nil)
	ssrv.ErrorLog = log.New(io.Discard, "", 0)
	sln, err := net.Listen("tcp", ssrv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = ssrv.Serve(sln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = ssrv.Shutdown(ctx)
		<-done
	})
	return gateway, "http://" + sln.Addr().String()
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// scrape reads /__stats and decodes the flat object.
func scrape(t *testing.T, stats, path string) map[string]stdjson.RawMessage {
	t.Helper()
	status, body := get(t, stats+path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	var m map[string]stdjson.RawMessage
	if err := stdjson.Unmarshal(body, &m); err != nil {
		t.Fatalf("stats are not one JSON object: %v\n%s", err, body)
	}
	return m
}

func wantInt(t *testing.T, m map[string]stdjson.RawMessage, key string, want int64) {
	t.Helper()
	raw, ok := m[key]
	if !ok {
		t.Errorf("missing %q", key)
		return
	}
	var got int64
	if err := stdjson.Unmarshal(raw, &got); err != nil || got != want {
		t.Errorf("%s = %s, want %d", key, raw, want)
	}
}

func TestStatsAfterRealRequests(t *testing.T) {
	gateway, stats := startStatsGateway(t, `{"collection_time": "1m"}`)
	for range 3 {
		if status, body := get(t, gateway+"/a"); status != http.StatusOK {
			t.Fatalf("/a: %d %s", status, body)
		}
	}
	for range 2 {
		get(t, gateway+"/b") // one backend fails: incomplete
	}
	get(t, gateway+"/users/7")
	get(t, gateway+"/nowhere") // no route: no endpoint metric

	m := scrape(t, stats, "/__stats")
	const r, px = "krakend.router.response.", "krakend.proxy."
	wantInt(t, m, r+"/a.status.200.count", 3)
	wantInt(t, m, r+"/b.status.200.count", 2)
	wantInt(t, m, r+"/users/{id}.status.200.count", 1)
	wantInt(t, m, r+"/a.time.count", 3)
	wantInt(t, m, r+"/a.size.count", 3)
	wantInt(t, m, px+"requests.layer.pipe.name./a.complete.true.error.false", 3)
	wantInt(t, m, px+"requests.layer.pipe.name./a.complete.false.error.true", 0)
	wantInt(t, m, px+"requests.layer.pipe.name./b.complete.false.error.true", 2)
	wantInt(t, m, px+"requests.layer.backend.name./ok.complete.true.error.false", 6)
	wantInt(t, m, px+"requests.layer.backend.name./fail.complete.false.error.true", 2)
	wantInt(t, m, px+"latency.layer.backend.name./fail.complete.false.error.true.count", 2)
	wantInt(t, m, "krakend.router.connected", 6)
	for _, k := range []string{"cmdline", "memstats", "krakend.service.runtime.NumGoroutine",
		"krakend.service.runtime.MemStats.HeapAlloc", "krakend.router.connected-total",
		px + "latency.layer.pipe.name./a.complete.true.error.false.99-percentile",
		r + "/a.time.std-dev", r + "/a.size.mean"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q", k)
		}
	}
	var cmd []string
	if err := stdjson.Unmarshal(m["cmdline"], &cmd); err != nil || len(cmd) == 0 {
		t.Errorf("cmdline = %s", m["cmdline"])
	}
	var mem map[string]any
	if err := stdjson.Unmarshal(m["memstats"], &mem); err != nil || mem["HeapAlloc"] == nil {
		t.Errorf("memstats is not the runtime's: %.100s", m["memstats"])
	}
	for k := range m {
		if strings.Contains(k, "nowhere") {
			t.Errorf("unrouted request has a metric: %q", k)
		}
	}
	// Counters are live: one more request shows at once, and the slash
	// form of the path answers the same document.
	get(t, gateway+"/a")
	wantInt(t, scrape(t, stats, "/__stats/"), r+"/a.status.200.count", 4)
}

func TestStatsDisabledLayers(t *testing.T) {
	gateway, stats := startStatsGateway(t, `{"router_disabled": true, "backend_disabled": true}`)
	get(t, gateway+"/a")
	m := scrape(t, stats, "/__stats")
	wantInt(t, m, "krakend.proxy.requests.layer.pipe.name./a.complete.true.error.false", 1)
	for k := range m {
		if strings.HasPrefix(k, "krakend.router.") || strings.Contains(k, ".layer.backend.") {
			t.Errorf("disabled layer present: %q", k)
		}
	}
	gateway, stats = startStatsGateway(t, `{"proxy_disabled": true}`)
	get(t, gateway+"/a")
	m = scrape(t, stats, "/__stats")
	wantInt(t, m, "krakend.router.response./a.status.200.count", 1)
	wantInt(t, m, "krakend.proxy.requests.layer.backend.name./ok.complete.true.error.false", 1)
	for k := range m {
		if strings.Contains(k, ".layer.pipe.") {
			t.Errorf("disabled layer present: %q", k)
		}
	}
}

func TestStatsListenerRefusals(t *testing.T) {
	_, stats := startStatsGateway(t, `{}`)
	if status, body := get(t, stats+"/other"); status != http.StatusNotFound || !stdjson.Valid(body) {
		t.Errorf("/other: %d %s", status, body)
	}
	resp, err := http.Post(stats+"/__stats", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}
