package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// TestStartPrometheus: `tributary run` serves each Prometheus exporter of
// telemetry/opentelemetry on its own listener, refuses an address in use,
// and stops the listeners and the observer on exit.
func TestStartPrometheus(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	src := `{"version": 3, "extra_config": {"telemetry/opentelemetry": {"exporters": {"prometheus": [
  {"name": "scrape", "listen_ip": "127.0.0.1", "port": ` + strconv.Itoa(port) + `}]}}},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/a"}]}]}`
	cfg, err := config.Load("t.json", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gw := exec.New(p, exec.Options{})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	resp := gw.Serve(context.Background(), &exec.Request{Method: "GET", RawPath: "/a", Header: http.Header{}})
	resp.Release()
	stop, err := startPrometheus(gw.Observer(), logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := startPrometheus(gw.Observer(), logger); err == nil || !strings.Contains(err.Error(), `"scrape"`) {
		t.Errorf("second listener on the same address: err = %v", err)
	}
	r, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(body), `http_server_duration_seconds_count{`) {
		t.Errorf("scrape:\n%.2000s", body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stop(ctx)
	shutdownObserver(gw.Observer(), logger)
	if _, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/metrics"); err == nil {
		t.Error("the listener still answers after stop")
	}
}
