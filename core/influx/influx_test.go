package influx_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/influx"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/internal/influxtest"
)

// gateway compiles a config with telemetry/metrics and telemetry/influx
// (pushing to rx) in front of a backend answering /ok with 200 and /bad
// with 500, and returns its handler and plan.
func gateway(t *testing.T, rx *influxtest.Receiver, influxNS string) (http.Handler, *plan.Plan) {
	t.Helper()
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/bad" {
			w.WriteHeader(500)
		}
		_, _ = w.Write([]byte(`{"x":1}`))
	}))
	t.Cleanup(be.Close)
	src := `{"version": 3, "extra_config": {"telemetry/metrics": {}, "telemetry/influx": ` +
		strings.ReplaceAll(influxNS, "RX", rx.URL) + `},
  "endpoints": [
    {"endpoint": "/a", "backend": [{"host": ["` + be.URL + `"], "url_pattern": "/ok"}]},
    {"endpoint": "/b", "backend": [{"host": ["` + be.URL + `"], "url_pattern": "/bad"}]}]}`
	cfg, err := config.Load("t.json", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Influx == nil {
		t.Fatal("plan without an influx pusher")
	}
	gw := exec.New(p, exec.Options{})
	t.Cleanup(func() { gw.Client().CloseIdleConnections() })
	return httpadapter.New(gw, httpadapter.Options{}), p
}

func get(t *testing.T, h http.Handler, path string, want int) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	if w.Code != want {
		t.Fatalf("GET %s: %d, want %d", path, w.Code, want)
	}
}

// find returns the points of measurement m whose tags include tags.
func find(w influxtest.Write, m string, tags map[string]string) []influxtest.Point {
	var out []influxtest.Point
	for _, p := range w.Points {
		if p.Measurement != m {
			continue
		}
		ok := true
		for k, v := range tags {
			ok = ok && p.Tags[k] == v
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}

func field(t *testing.T, w influxtest.Write, m string, tags map[string]string, name, want string) {
	t.Helper()
	ps := find(w, m, tags)
	if len(ps) != 1 {
		t.Errorf("%s %v: %d points, want 1", m, tags, len(ps))
		return
	}
	if got := ps[0].Fields[name]; got != want {
		t.Errorf("%s %v: %s = %q, want %q (fields %v)", m, tags, name, got, want, ps[0].Fields)
	}
}

func TestPushAfterRequests(t *testing.T) {
	rx := influxtest.New()
	defer rx.Close()
	h, p := gateway(t, rx, `{"address": "RX", "ttl": "1h", "db": "gw", "username": "u", "password": "p4ss"}`)
	get(t, h, "/a", 200)
	get(t, h, "/a", 200)
	get(t, h, "/b", 502)
	ctx := context.Background()
	if err := p.Influx.Push(ctx); err != nil {
		t.Fatal(err)
	}
	get(t, h, "/a", 200)
	if err := p.Influx.Push(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Influx.Shutdown(ctx); err != nil { // a last push
		t.Fatal(err)
	}
	ws := rx.Writes()
	if len(ws) != 3 {
		t.Fatalf("%d writes, want 3", len(ws))
	}
	for _, w := range ws {
		if w.DB != "gw" || w.Precision != "s" || w.User != "u" || w.Password != "p4ss" || len(w.Bad) != 0 {
			t.Errorf("write db %q precision %q auth %q:%q, bad lines %q", w.DB, w.Precision, w.User, w.Password, w.Bad)
		}
		for _, pt := range w.Points {
			if pt.Tags["host"] == "" || pt.Time == "" {
				t.Errorf("point %+v without host or time", pt)
			}
		}
	}
	first, second := ws[0], ws[1]
	okPipe := map[string]string{"layer": "pipe", "name": "/a", "complete": "true", "error": "false"}
	field(t, first, "requests", okPipe, "total", "2i")
	field(t, first, "requests", okPipe, "count", "2i")
	field(t, second, "requests", okPipe, "total", "3i")
	field(t, second, "requests", okPipe, "count", "1i") // since the last push
	if ps := find(first, "requests", okPipe); len(ps) == 1 && ps[0].Fields["max"] == "" {
		t.Errorf("latency summary missing: %v", ps[0].Fields)
	}
	field(t, first, "requests", map[string]string{"layer": "pipe", "name": "/b", "complete": "false", "error": "true"}, "total", "1i")
	field(t, first, "requests", map[string]string{"layer": "backend", "name": "/ok", "complete": "true", "error": "false"}, "total", "2i")
	field(t, first, "requests", map[string]string{"layer": "backend", "name": "/bad", "complete": "false", "error": "true"}, "total", "1i")
	field(t, first, "responses", map[string]string{"name": "/a", "status": "200"}, "total", "2i")
	field(t, first, "responses", map[string]string{"name": "/b", "status": "502"}, "total", "1i")
	field(t, second, "responses", map[string]string{"name": "/a", "status": "200"}, "count", "1i")
	field(t, first, "router", map[string]string{"direction": "in"}, "current", "3i")
	if len(find(first, "router.response-time", map[string]string{"name": "/a"})) != 1 ||
		len(find(first, "router.response-size", map[string]string{"name": "/b"})) != 1 {
		t.Errorf("router.response-* points missing")
	}
	if rt := find(first, "runtime", nil); len(rt) != 1 || rt[0].Fields["NumGoroutine"] == "" || rt[0].Fields["MemStats.HeapAlloc"] == "" {
		t.Errorf("runtime point %+v", rt)
	}
}

// A server pushes every period until stopped.
func TestStartPushesEveryPeriod(t *testing.T) {
	rx := influxtest.New()
	defer rx.Close()
	reg := source()
	pu, err := influx.New(reg, influx.Options{Address: rx.URL, DB: "krakend", Period: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pu.Start(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for len(rx.Writes()) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := pu.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(rx.Writes()); n < 3 {
		t.Fatalf("%d writes", n)
	}
}

// Flush pushes only once a period has passed since the last push.
func TestFlushWhenDue(t *testing.T) {
	rx := influxtest.New()
	defer rx.Close()
	reg := source()
	lazy, _ := influx.New(reg, influx.Options{Address: rx.URL, DB: "d", Period: time.Hour})
	if err := lazy.Flush(context.Background()); err != nil || len(rx.Writes()) != 0 {
		t.Fatalf("flush before the period: err %v, %d writes", err, len(rx.Writes()))
	}
	eager, _ := influx.New(reg, influx.Options{Address: rx.URL, DB: "d", Period: time.Nanosecond})
	time.Sleep(time.Millisecond)
	if err := eager.Flush(context.Background()); err != nil || len(rx.Writes()) != 1 {
		t.Fatalf("flush when due: err %v, %d writes", err, len(rx.Writes()))
	}
	_ = lazy.Shutdown(context.Background())
	_ = eager.Shutdown(context.Background())
}

// A refused or unreachable push is reported (rate-limited, without the
// password) and dropped; the next push starts afresh.
func TestFailedPushDropped(t *testing.T) {
	rx := influxtest.New()
	defer rx.Close()
	rx.SetStatus(http.StatusUnauthorized)
	reg := source(influx.Point{Measurement: "responses", Counter: true, Total: 1,
		Tags: []influx.Tag{{Key: "name", Value: "/e"}, {Key: "status", Value: "200"}}})
	var logs bytes.Buffer
	pu, _ := influx.New(reg, influx.Options{Address: rx.URL, DB: "d", Username: "u", Password: "hunter2", Period: time.Hour})
	pu.SetLogger(slog.New(slog.NewJSONHandler(&logs, nil)))
	ctx := context.Background()
	if err := pu.Push(ctx); err == nil || !strings.Contains(err.Error(), "status 401") {
		t.Fatalf("err %v", err)
	}
	if err := pu.Push(ctx); err == nil {
		t.Fatal("second push succeeded")
	}
	if n := strings.Count(logs.String(), "telemetry/influx push failed"); n != 1 {
		t.Errorf("%d failure lines, want 1 (rate-limited): %s", n, logs.String())
	}
	if strings.Contains(logs.String(), "hunter2") {
		t.Errorf("password logged: %s", logs.String())
	}
	rx.SetStatus(0)
	if err := pu.Push(ctx); err != nil {
		t.Fatal(err)
	}
	ws := rx.Writes()
	field(t, ws[2], "responses", map[string]string{"name": "/e", "status": "200"}, "count", "1i") // nothing was counted as sent
	_ = pu.Shutdown(ctx)

	// A server that is gone: the push fails within its context.
	dead := influxtest.New()
	dead.Close()
	pu, _ = influx.New(reg, influx.Options{Address: dead.URL, DB: "d", Period: time.Nanosecond})
	fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pu.Flush(fctx); err == nil {
		t.Fatal("push to a closed server succeeded")
	}
	_ = pu.Shutdown(fctx)
}

// Names with the line protocol's special characters stay one tag value.
func TestEscaping(t *testing.T) {
	rx := influxtest.New()
	defer rx.Close()
	reg := source(influx.Point{Measurement: "responses", Counter: true, Total: 1,
		Tags: []influx.Tag{{Key: "name", Value: `/a b,c=d\e`}, {Key: "status", Value: "404"}, {Key: "empty", Value: ""}}},
		influx.Point{Measurement: "no fields"})
	pu, _ := influx.New(reg, influx.Options{Address: rx.URL, DB: "d", Period: time.Hour, Host: "h,1 x"})
	if err := pu.Push(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := rx.Writes()[0]
	if len(w.Bad) != 0 {
		t.Fatalf("bad lines %q", w.Bad)
	}
	field(t, w, "responses", map[string]string{"name": `/a b,c=d%5Ce`, "status": "404", "host": "h,1 x"}, "total", "1i")
	_ = pu.Shutdown(context.Background())
}

func TestNewRejects(t *testing.T) {
	reg := source()
	for _, o := range []influx.Options{
		{Address: "influx:8086", DB: "d", Period: time.Second},
		{Address: "http://i", Period: time.Second},
		{Address: "http://i", DB: "d"},
	} {
		if _, err := influx.New(reg, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := influx.New(nil, influx.Options{Address: "http://i", DB: "d", Period: time.Second}); err == nil {
		t.Error("nil source accepted")
	}
}

// TestMain fails the package when a test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A server that accepts the push and never answers costs a Lambda flush at
// most FlushBound.
func TestFlushBoundedWhenServerHangs(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	reg := source()
	pu, _ := influx.New(reg, influx.Options{Address: hang.URL, DB: "d", Period: time.Nanosecond})
	err := pu.Flush(context.Background())
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Fatalf("err %v", err)
	}
	pu.SetLogger(nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_ = pu.Shutdown(ctx)
}

// BenchmarkPush measures rendering and sending one push of 200 points to
// an in-process receiver (whose parsing is included).
func BenchmarkPush(b *testing.B) {
	rx := influxtest.New()
	defer rx.Close()
	var pts []influx.Point
	for i := range 200 {
		pts = append(pts, influx.Point{Measurement: "requests", Counter: true, Total: int64(i),
			Tags:   []influx.Tag{{Key: "layer", Value: "pipe"}, {Key: "name", Value: "/e" + strconv.Itoa(i)}},
			Ints:   []influx.Int{{Key: "max", Value: 1000}, {Key: "min", Value: 10}},
			Floats: []influx.Float{{Key: "p0.5", Value: 12.5}, {Key: "p0.99", Value: 900.25}}})
	}
	reg := source(pts...)
	pu, _ := influx.New(reg, influx.Options{Address: rx.URL, DB: "d", Period: time.Hour})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := pu.Push(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// source returns the points pts, stamped now, at every push.
func source(pts ...influx.Point) influx.Source {
	return func() (time.Time, []influx.Point) { return time.Now(), pts }
}
