package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/internal/influxtest"
)

// TestRunLogSinksAndInflux runs the real binary with telemetry/gelf (UDP)
// and telemetry/influx: the access line reaches the GELF receiver, and the
// push made at shutdown carries the request just served.
func TestRunLogSinksAndInflux(t *testing.T) {
	backend := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})}
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = backend.Serve(bln) }()
	defer backend.Close()

	gelf, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer gelf.Close()
	var mu sync.Mutex
	var msgs []map[string]any
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := gelf.ReadFrom(buf)
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(buf[:n], &m) == nil {
				mu.Lock()
				msgs = append(msgs, m)
				mu.Unlock()
			}
		}
	}()
	rx := influxtest.New()
	defer rx.Close()

	cfg := writeFile(t, "cfg.json", fmt.Sprintf(`{"version": 3,
  "extra_config": {
    "telemetry/logging": {"level": "INFO", "stdout": true, "prefix": "[GW]"},
    "telemetry/gelf": {"address": %q},
    "telemetry/metrics": {"listen_address": "127.0.0.1:%d"},
    "telemetry/influx": {"address": %q, "ttl": "1h", "db": "gw"}},
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://%s"], "url_pattern": "/x"}]}]}`,
		gelf.LocalAddr().String(), freePort(t), rx.URL, bln.Addr()))
	bin := buildBinary(t)
	port := freePort(t)
	cmd, logs := startRun(t, bin, port, "-c", cfg)
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/a", port))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; logs:\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit 20s after SIGTERM")
	}
	if !strings.Contains(logs.String(), `"msg":"telemetry/influx pushing"`) {
		t.Errorf("no influx start line:\n%s", logs.String())
	}

	var pushed bool
	for _, w := range rx.Writes() {
		for _, p := range w.Points {
			if p.Measurement == "responses" && p.Tags["name"] == "/a" && p.Tags["status"] == "200" && p.Fields["total"] == "1i" && w.DB == "gw" {
				pushed = true
			}
		}
	}
	if !pushed {
		t.Errorf("no push with the request at shutdown: %+v", rx.Writes())
	}
	// UDP on loopback: the lines sent before exit are there once read.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		var access, listening bool
		for _, m := range msgs {
			access = access || (m["short_message"] == "request" && m["_route"] == "/a" && m["_prefix"] == "[GW]")
			listening = listening || m["short_message"] == "tributary listening"
		}
		got := fmt.Sprint(msgs)
		mu.Unlock()
		if access && listening {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GELF lines missing (access %v, listening %v); got %s", access, listening, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
