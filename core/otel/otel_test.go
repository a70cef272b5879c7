package otel_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/otel"
	"github.com/tributary-gw/tributary/core/plan"
)

// backend records the traceparent of every call it receives (except
// those of the /skip endpoint).
type backend struct {
	mu          sync.Mutex
	traceparent []string
	tracestate  []string
	url         string
}

func newBackend(t *testing.T) *backend {
	b := &backend{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		if r.URL.Path != "/s" {
			b.traceparent = append(b.traceparent, r.Header.Get("Traceparent"))
			b.tracestate = append(b.tracestate, r.Header.Get("Tracestate"))
		}
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	b.url = srv.URL
	return b
}

func (b *backend) seen() ([]string, []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.traceparent...), append([]string(nil), b.tracestate...)
}

// newGateway compiles a config with the given telemetry namespace body
// and service tributary namespace, serving /two/{id} (two backends) and
// /skip (one backend) from b.
func newGateway(t testing.TB, b *backend, otelNS, tributaryNS string) (*exec.Gateway, *otel.Observer) {
	t.Helper()
	extra := `"telemetry/opentelemetry": ` + otelNS
	if tributaryNS != "" {
		extra += `, "tributary": ` + tributaryNS
	}
	src := `{"version": 3, "name": "gw-test", "extra_config": {` + extra + `},
 "endpoints": [
  {"endpoint": "/two/{id}", "input_headers": ["Traceparent", "Tracestate", "X-Other"], "backend": [
    {"host": ["` + b.url + `"], "url_pattern": "/a/{id}"},
    {"host": ["` + b.url + `"], "url_pattern": "/b", "group": "b"}]},
  {"endpoint": "/skip", "backend": [{"host": ["` + b.url + `"], "url_pattern": "/s"}]}]}`
	cfg, err := config.Load("otel.json", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gw := exec.New(p, exec.Options{})
	ob := otel.Find(gw.Observer())
	if ob == nil {
		t.Fatal("no OpenTelemetry observer compiled")
	}
	t.Cleanup(gw.Client().CloseIdleConnections)
	return gw, ob
}

// leakCheck verifies, after every cleanup of t has run, that t left no
// goroutine behind.
func leakCheck(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

func serve(gw *exec.Gateway, path, clientIP string, h http.Header) int {
	if h == nil {
		h = http.Header{}
	}
	resp := gw.Serve(context.Background(), &exec.Request{Method: "GET", RawPath: path, Header: h, Host: "gw", ClientIP: clientIP})
	defer resp.Release()
	return resp.Status
}

func shutdown(t *testing.T, ob *otel.Observer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = ob.Shutdown(ctx)
}

func flush(t *testing.T, ob *otel.Observer) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return ob.Flush(ctx)
}

func byName(spans []span) map[string]span {
	m := make(map[string]span, len(spans))
	for _, s := range spans {
		m[s.name] = s
	}
	return m
}

// checkTrace asserts the four spans of one /two/42 request: names,
// parent/child links, attributes, and that each backend received the
// traceparent of its own span.
func checkTrace(t *testing.T, spans []span, b *backend) {
	t.Helper()
	if len(spans) != 4 {
		t.Fatalf("%d spans, want 4: %+v", len(spans), spans)
	}
	m := byName(spans)
	g, p, a, bb := m["GET /two/{id}"], m["/two/{id}"], m["/a/{id}"], m["/b"]
	if g.name == "" || p.name == "" || a.name == "" || bb.name == "" {
		t.Fatalf("span names: %v", spans)
	}
	if g.parentID != "" || p.parentID != g.spanID || a.parentID != p.spanID || bb.parentID != p.spanID {
		t.Errorf("parents: global %q, proxy %q→%q, backends %q %q→%q", g.parentID, p.parentID, g.spanID, a.parentID, bb.parentID, p.spanID)
	}
	for _, s := range spans {
		if s.traceID != g.traceID {
			t.Errorf("span %s in trace %s, want %s", s.name, s.traceID, g.traceID)
		}
		if s.service != "gw-test" {
			t.Errorf("span %s: service.name %q, want the root name", s.name, s.service)
		}
		if s.endNs < s.startNs {
			t.Errorf("span %s ends before it starts", s.name)
		}
	}
	for k, v := range map[string]string{"http.request.method": "GET", "http.route": "/two/{id}", "url.path": "/two/42",
		"http.response.status_code": "200", "complete": "true", "client.address": "192.0.2.9"} {
		if g.attrs[k] != v {
			t.Errorf("global span %s = %q, want %q", k, g.attrs[k], v)
		}
	}
	if p.attrs["krakend.stage"] != "proxy" || p.attrs["http.route"] != "/two/{id}" {
		t.Errorf("proxy span attributes %v", p.attrs)
	}
	host := strings.TrimPrefix(b.url, "http://")
	for _, s := range []span{a, bb} {
		if s.attrs["krakend.stage"] != "backend" || s.attrs["http.response.status_code"] != "200" ||
			!strings.Contains(s.attrs["server.address"], host) || s.attrs["krakend.endpoint"] != "/two/{id}" {
			t.Errorf("backend span %s attributes %v", s.name, s.attrs)
		}
	}
	got, _ := b.seen()
	if len(got) != 2 {
		t.Errorf("backends received %d calls, want 2", len(got))
	}
	want := map[string]bool{"00-" + g.traceID + "-" + a.spanID + "-01": true, "00-" + g.traceID + "-" + bb.spanID + "-01": true}
	for _, tp := range got {
		if !want[tp] {
			t.Errorf("backend received traceparent %q, want one of %v", tp, want)
		}
		delete(want, tp)
	}
}

func TestOTLPHTTP(t *testing.T) {
	leakCheck(t)
	r := newReceiver()
	port := startHTTPReceiver(t, r)
	b := newBackend(t)
	gw, ob := newGateway(t, b, fmt.Sprintf(`{"deploy_env": "test", "skip_paths": ["/skip"],
  "exporters": {"otlp": [{"name": "local", "host": "127.0.0.1", "port": %d, "use_http": true}]}}`, port), "")
	defer shutdown(t, ob)
	if st := serve(gw, "/two/42", "192.0.2.9", nil); st != 200 {
		t.Fatalf("status %d", st)
	}
	if st := serve(gw, "/skip", "192.0.2.9", nil); st != 200 {
		t.Fatalf("skip: status %d", st)
	}
	if err := flush(t, ob); err != nil {
		t.Fatalf("flush: %v", err)
	}
	spans := r.snapshot()
	checkTrace(t, spans, b)
	if spans[0].resourceEnvLabel != "test" {
		t.Errorf("deployment.environment = %q", spans[0].resourceEnvLabel)
	}
	names := r.metricNames()
	for _, n := range []string{"http.server.duration", "http.server.response.size", "krakend.proxy.duration",
		"krakend.backend.duration"} {
		if names[n] == 0 {
			t.Errorf("metric %s not received (got %v)", n, names)
		}
	}
	// The skipped endpoint left no span and no data point: one route only.
	if names["http.server.duration"] != 1 {
		t.Errorf("http.server.duration has %d data points, want 1 (the skipped path is not measured)", names["http.server.duration"])
	}
	if ob.Dropped() != 0 {
		t.Errorf("Dropped = %d", ob.Dropped())
	}
}

func TestOTLPGRPC(t *testing.T) {
	leakCheck(t)
	r := newReceiver()
	port := startGRPCReceiver(t, r)
	b := newBackend(t)
	gw, ob := newGateway(t, b, fmt.Sprintf(`{"exporters": {"otlp": [{"name": "g", "host": "127.0.0.1", "port": %d}]}}`, port), "")
	if st := serve(gw, "/two/42", "192.0.2.9", nil); st != 200 {
		t.Fatalf("status %d", st)
	}
	if err := flush(t, ob); err != nil {
		t.Fatalf("flush: %v", err)
	}
	checkTrace(t, r.snapshot(), b)
	if r.metricNames()["krakend.backend.duration"] == 0 {
		t.Errorf("metrics over gRPC: %v", r.metricNames())
	}
	shutdown(t, ob)
}

func TestPrometheusExporter(t *testing.T) {
	leakCheck(t)
	b := newBackend(t)
	gw, ob := newGateway(t, b, `{"exporters": {"prometheus": [{"name": "prom", "listen_ip": "127.0.0.1", "port": 0, "go_metrics": true}]}}`, "")
	defer shutdown(t, ob)
	if ob.Propagates() {
		t.Error("a metrics-only pipeline propagates a trace context")
	}
	for range 3 {
		serve(gw, "/two/42", "192.0.2.9", nil)
	}
	ls := plan.PrometheusListeners(gw.Observer())
	if len(ls) != 1 || ls[0].Name != "prom" || ls[0].Address != "127.0.0.1:0" {
		t.Fatalf("listeners %+v", ls)
	}
	srv := httptest.NewServer(ls[0].Handler)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := string(body)
	for _, want := range []string{`http_server_duration_seconds_count{`, `http_route="/two/{id}"`, `krakend_backend_duration_seconds_bucket{`,
		`krakend_proxy_duration_seconds`, `service_name="gw-test"`, `go_goroutines`} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape lacks %s:\n%.3000s", want, text)
		}
	}
	counted := false
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(line, "http_server_duration_seconds_count{") && strings.Contains(line, `http_response_status_code="200"`) {
			counted = strings.HasSuffix(line, " 3")
		}
	}
	if !counted {
		t.Errorf("three requests not counted:\n%.3000s", text)
	}
}

// hostPort splits an httptest URL.
func hostPort(t *testing.T, u string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(strings.TrimPrefix(u, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// TestDeadCollector: with both exporters pointing at a refused port,
// requests are served as usual, flushing gives up within its context and
// the lost spans are counted.
func TestDeadCollector(t *testing.T) {
	leakCheck(t)
	b := newBackend(t)
	dead := refusedPort(t)
	gw, ob := newGateway(t, b, fmt.Sprintf(`{"exporters": {"otlp": [
  {"name": "h", "host": "127.0.0.1", "port": %d, "use_http": true}, {"name": "g", "host": "127.0.0.1", "port": %d}]}}`, dead, dead), "")
	for range 20 {
		if st := serve(gw, "/two/42", "192.0.2.9", nil); st != 200 {
			t.Fatalf("status %d", st)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	err := ob.Flush(ctx)
	cancel()
	if err == nil {
		t.Error("flush to a dead collector reported success")
	}
	if ob.Dropped() == 0 {
		t.Error("spans lost to a dead collector are not counted")
	}
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	_ = ob.Shutdown(ctx)
	cancel()
}

// TestSlowCollector: a collector that never answers holds up only the
// exporting goroutine: every request ends, the full queue drops (and
// counts) spans, Flush and Shutdown give up when their context ends, and
// no goroutine is left behind.
func TestSlowCollector(t *testing.T) {
	leakCheck(t)
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	host, p := hostPort(t, srv.URL)
	ob, err := otel.New(otel.Options{Config: &otel.Config{TraceSampleRate: 1, MetricReportingPeriod: time.Hour,
		OTLP: []otel.OTLPExporter{{Name: "slow", Host: host, Port: p, UseHTTP: true, DisableMetrics: true}}},
		QueueSize: 4, BatchSize: 1, BatchInterval: time.Hour, ExportTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := func() {
		r := &observe.Request{Start: time.Now(), Method: "GET", Path: "/x", Header: http.Header{}, Route: "/x", Status: 200}
		c := ob.Begin(ctx, r)
		ob.End(c, r)
	}
	req()
	<-arrived // the exporting goroutine is now stuck in the collector
	for range 50 {
		req()
	}
	if ob.QueueDropped() == 0 {
		t.Fatal("a full queue dropped nothing")
	}
	fctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	if err := ob.Flush(fctx); err == nil {
		t.Error("flush to a stuck collector reported success")
	}
	cancel()
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_ = ob.Shutdown(sctx)
	cancel()
}

// nopObserver is another observer, to join with ours.
type nopObserver struct{}

func (nopObserver) Begin(ctx context.Context, _ *observe.Request) context.Context { return ctx }
func (nopObserver) BackendStart(ctx context.Context, _ *observe.Request, _ *observe.Backend) context.Context {
	return ctx
}
func (nopObserver) Inject(context.Context, http.Header)                            {}
func (nopObserver) Propagates() bool                                               { return false }
func (nopObserver) BackendEnd(context.Context, *observe.Request, *observe.Backend) {}
func (nopObserver) End(context.Context, *observe.Request)                          {}

// TestFind: the observer is found alone or inside a joined list, and the
// joined list flushes it (the generic observe.Flusher path a Lambda
// function and `tributary run` use).
func TestFind(t *testing.T) {
	leakCheck(t)
	r := newReceiver()
	port := startHTTPReceiver(t, r)
	ob, err := otel.New(otel.Options{Config: &otel.Config{TraceSampleRate: 1, MetricReportingPeriod: time.Hour,
		OTLP: []otel.OTLPExporter{{Name: "l", Host: "127.0.0.1", Port: port, UseHTTP: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	joined := observe.Join(nopObserver{}, ob)
	if otel.Find(ob) != ob || otel.Find(joined) != ob || otel.Find(nopObserver{}) != nil || otel.Find(nil) != nil {
		t.Fatal("Find")
	}
	req := &observe.Request{Start: time.Now(), Method: "GET", Path: "/x", Header: http.Header{}, Route: "/x", Status: 200}
	ob.End(joined.Begin(context.Background(), req), req)
	f, ok := joined.(observe.Flusher)
	if !ok {
		t.Fatal("a joined list is not a Flusher")
	}
	if err := f.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(r.snapshot()); n != 2 {
		t.Errorf("%d spans after a flush through the joined list, want 2", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := f.Shutdown(ctx); err != nil {
		t.Error(err)
	}
}
