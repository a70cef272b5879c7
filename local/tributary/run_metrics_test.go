package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunServesStats runs the real binary with telemetry/metrics: the
// stats listener answers on its own port with the request just served,
// and stops with the server.
func TestRunServesStats(t *testing.T) {
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
	statsPort := freePort(t)
	cfg := writeFile(t, "cfg.json", fmt.Sprintf(`{"version": 3,
  "extra_config": {"telemetry/metrics": {"listen_address": "127.0.0.1:%d"}},
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://%s"], "url_pattern": "/x"}]}]}`, statsPort, bln.Addr()))
	bin := buildBinary(t)
	port := freePort(t)
	cmd, logs := startRun(t, bin, port, "-c", cfg)

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/a", port))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/__stats", statsPort))
	if err != nil {
		t.Fatalf("stats listener: %v; logs:\n%s", err, logs.String())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /__stats = %d %s (%v)", resp.StatusCode, body, err)
	}
	if got := string(m["krakend.router.response./a.status.200.count"]); got != "1" {
		t.Errorf("status count = %q, want 1", got)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v; logs:\n%s", err, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit 10s after SIGTERM")
	}
	if !strings.Contains(logs.String(), `"msg":"stats listening"`) {
		t.Errorf("no stats listening line:\n%s", logs.String())
	}
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", statsPort), time.Second); err == nil {
		c.Close()
		t.Error("stats listener still open after shutdown")
	}
}

// A listen_address in use is a startup error naming the option.
func TestRunStatsPortConflict(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg := writeFile(t, "cfg.json", fmt.Sprintf(`{"version": 3,
  "extra_config": {"telemetry/metrics": {"listen_address": %q}},
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:9"], "url_pattern": "/x"}]}]}`, busy.Addr().String()))
	code, _, errOut := cli(t, nil, "run", "-c", cfg, "-p", fmt.Sprint(freePort(t)))
	if code != 1 || !strings.Contains(errOut, `telemetry/metrics listen_address "`+busy.Addr().String()+`"`) ||
		!strings.Contains(errOut, "address already in use") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}
