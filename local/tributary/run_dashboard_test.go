package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestRunDashboard runs the real binary: with -d, /__dashboard serves the
// page and its feed lists the request just served; without -d it is an
// ordinary unmatched path.
func TestRunDashboard(t *testing.T) {
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
	cfg := writeFile(t, "cfg.json", fmt.Sprintf(`{"version": 3,
  "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://%s"], "url_pattern": "/x"}]}]}`, bln.Addr()))
	bin := buildBinary(t)
	client := &http.Client{}
	defer client.CloseIdleConnections()
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	port := freePort(t)
	startRun(t, bin, port, "-d", "-c", cfg)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if status, _ := get(base + "/a?secret=1"); status != 200 {
		t.Fatalf("GET /a: %d", status)
	}
	if status, page := get(base + "/__dashboard"); status != 200 || !strings.Contains(page, "/__dashboard/app.js") {
		t.Fatalf("GET /__dashboard: %d %.200s", status, page)
	}
	status, body := get(base + "/__dashboard/requests?since=0")
	var feed struct {
		Requests []struct {
			Path, Route string
			Status      int
		}
	}
	if err := json.Unmarshal([]byte(body), &feed); err != nil || status != 200 {
		t.Fatalf("feed: %d %s (%v)", status, body, err)
	}
	if len(feed.Requests) != 1 || feed.Requests[0].Path != "/a" || feed.Requests[0].Route != "/a" || feed.Requests[0].Status != 200 {
		t.Errorf("feed requests %+v, want just GET /a", feed.Requests)
	}

	port = freePort(t)
	startRun(t, bin, port, "-c", cfg)
	if status, _ := get(fmt.Sprintf("http://127.0.0.1:%d/__dashboard", port)); status != 404 {
		t.Errorf("GET /__dashboard without -d: %d, want 404", status)
	}
}
