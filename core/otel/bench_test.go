package otel_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/otel"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/local/demo"
)

// The cost of telemetry/opentelemetry on the request path: the bundled
// demo's /users/42 (one backend, deny), as core/exec's
// BenchmarkServeProxy, with the observer on and every exporter pointing
// at a refused loopback port.

// benchGateway compiles the bundled demo with otelNS (none when "").
func benchGateway(b *testing.B, otelNS string, extra ...observe.Observer) *exec.Gateway {
	b.Helper()
	// Export failures are logged (rate-limited) to the default logger.
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	b.Cleanup(func() { slog.SetDefault(prev) })
	users := httptest.NewServer(demo.UsersHandler())
	catalog := httptest.NewServer(demo.CatalogHandler())
	b.Cleanup(users.Close)
	b.Cleanup(catalog.Close)
	src := config.Bundled()
	src = bytes.ReplaceAll(src, []byte("http://127.0.0.1:8001"), []byte(catalog.URL))
	src = bytes.ReplaceAll(src, []byte("http://127.0.0.1:8002"), []byte(users.URL))
	s := string(src)
	if otelNS != "" {
		s = strings.Replace(s, `"extra_config": {`, `"extra_config": {"telemetry/opentelemetry": `+otelNS+`,`, 1)
	}
	cfg, err := config.Load("bench.json", []byte(s), nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var o exec.Options
	if len(extra) > 0 {
		o.Observer = extra[0]
	}
	gw := exec.New(p, o)
	b.Cleanup(gw.Client().CloseIdleConnections)
	if ob := otel.Find(gw.Observer()); ob != nil {
		b.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = ob.Shutdown(ctx)
			b.ReportMetric(float64(ob.Dropped()), "dropped")
		})
	} else if otelNS != "" && len(extra) == 0 {
		b.Fatal("no observer")
	}
	return gw
}

func benchProxy(b *testing.B, gw *exec.Gateway) {
	ctx := context.Background()
	h := http.Header{"User-Agent": {"bench"}, "Accept": {"application/json"}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp := gw.Serve(ctx, &exec.Request{Method: "GET", RawPath: "/users/42", Header: h, Host: "gw", ClientIP: "127.0.0.1"})
		if resp.Status != 200 {
			b.Fatalf("status %d", resp.Status)
		}
		resp.Release()
	}
}

// unreachable is an exporter list whose OTLP/HTTP and OTLP/gRPC exporters
// both point at a refused port.
func unreachable(b *testing.B, rate string) string {
	ln, err := (&netListen{}).port()
	if err != nil {
		b.Fatal(err)
	}
	return fmt.Sprintf(`{"trace_sample_rate": %s, "exporters": {"otlp": [
  {"name": "h", "host": "127.0.0.1", "port": %d, "use_http": true}, {"name": "g", "host": "127.0.0.1", "port": %d}]}}`, rate, ln, ln)
}

// BenchmarkServeProxyOTelOff is the baseline: no telemetry.
func BenchmarkServeProxyOTelOff(b *testing.B) { benchProxy(b, benchGateway(b, "")) }

// BenchmarkServeProxyOTelSample0 samples no trace (metrics still
// recorded, trace context still propagated); exporters unreachable.
func BenchmarkServeProxyOTelSample0(b *testing.B) {
	benchProxy(b, benchGateway(b, unreachable(b, "0")))
}

// BenchmarkServeProxyOTelSample100 records every trace; exporters
// unreachable, so spans are queued, fail to export and are counted.
func BenchmarkServeProxyOTelSample100(b *testing.B) {
	benchProxy(b, benchGateway(b, unreachable(b, "1")))
}

// netListen finds a refused loopback port.
type netListen struct{}

func (netListen) port() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	p := ln.Addr().(*net.TCPAddr).Port
	return p, ln.Close()
}

// propagatingNop observes nothing but asks for per-call header copies, as
// any propagating observer does: the cost of the seam itself.
type propagatingNop struct{ nopObserver }

func (propagatingNop) Propagates() bool { return true }

// BenchmarkServeProxySeam is the seam's own cost with a do-nothing
// observer that propagates: the floor under BenchmarkServeProxyOTelSample0.
func BenchmarkServeProxySeam(b *testing.B) { benchProxy(b, benchGateway(b, "", propagatingNop{})) }
