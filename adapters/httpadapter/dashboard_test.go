package httpadapter

import (
	"bufio"
	stdjson "encoding/json"
	"fmt"
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
	"github.com/tributary-gw/tributary/core/recent"
)

// dashConfig is the dashboard tests' gateway. FAST, SLOW and FAIL are the
// loopback backends: one answering at once, one after slowDelay, one
// answering 500.
//
//	GET /users/{id}  fans out to all three (partial: the failure is marked)
//	GET /ok          the fast one only (complete)
//	GET /slow        the slow one under a timeout shorter than its delay
const dashConfig = `{
  "version": 3,
  "endpoints": [
    {"endpoint": "/users/{id}", "backend": [
      {"host": ["FAST"], "url_pattern": "/profile/{id}", "group": "profile"},
      {"host": ["SLOW"], "url_pattern": "/orders/{id}", "group": "orders"},
      {"host": ["FAIL"], "url_pattern": "/recommendations/{id}", "group": "recommendations"}]},
    {"endpoint": "/ok", "backend": [{"host": ["FAST"], "url_pattern": "/status"}]},
    {"endpoint": "/slow", "timeout": "60ms", "backend": [{"host": ["SLOW"], "url_pattern": "/report"}]}
  ]
}`

// slowDelay is how long the slow backend takes to answer.
const slowDelay = 120 * time.Millisecond

// dashGateway is a gateway serving the dashboard, in front of its three
// loopback backends.
type dashGateway struct {
	addr string // host:port of the gateway
	ring *recent.Ring
}

// startDashGateway starts the three backends and a gateway for
// dashConfig with the dashboard on (debug and a ring), all on loopback and
// stopped when tb ends. debug=false starts it with a ring but without
// debug.
func startDashGateway(tb testing.TB, debug bool) *dashGateway {
	tb.Helper()
	return startDashGatewayWith(tb, debug, true)
}

// startDashGatewayWith is startDashGateway; observed=false leaves the
// ring out of the gateway (for the benchmark's baseline).
func startDashGatewayWith(tb testing.TB, debug, observed bool) *dashGateway {
	tb.Helper()
	backend := func(h http.HandlerFunc) string {
		srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		go func() { _ = srv.Serve(ln) }()
		tb.Cleanup(func() { _ = srv.Close() })
		return "http://" + ln.Addr().String()
	}
	answer := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
	fast := backend(func(w http.ResponseWriter, r *http.Request) { answer(w, `{"name":"Ada"}`) })
	slow := backend(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(slowDelay):
		case <-r.Context().Done():
			return
		}
		answer(w, `{"orders":[1,2]}`)
	})
	fail := backend(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "recommendations are down", http.StatusInternalServerError)
	})
	text := strings.NewReplacer("FAST", fast, "SLOW", slow, "FAIL", fail).Replace(dashConfig)
	cfg, err := config.Load("dashboard.json", []byte(text), nil)
	if err != nil {
		tb.Fatalf("config.Load: %v", err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		tb.Fatalf("plan.Compile: %v", err)
	}
	ring := recent.New(recent.DefaultSize)
	o := exec.Options{}
	if observed {
		o.Observer = ring
	}
	gw := exec.New(p, o)
	tb.Cleanup(gw.Client().CloseIdleConnections)
	h := New(gw, Options{Debug: debug, Dashboard: ring})
	return &dashGateway{addr: serve(tb, h, p.Server), ring: ring}
}

// get sends GET path to the gateway and returns the status and body.
func (g *dashGateway) get(tb testing.TB, path string) (int, http.Header, string) {
	tb.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	resp, err := c.Get("http://" + g.addr + path)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

// raw sends a request line as is (a path no client library would send
// unescaped) and returns the answer's status.
func (g *dashGateway) raw(tb testing.TB, target string) int {
	tb.Helper()
	conn := dial(tb, g.addr)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n", target)
	resp, err := readResponse(bufio.NewReader(conn))
	if err != nil {
		tb.Fatalf("GET %s: %v", target, err)
	}
	return resp.status
}

// feed is the dashboard feed's document as a client reads it.
type feed struct {
	Size     int            `json:"size"`
	Last     uint64         `json:"last"`
	Requests []recent.Entry `json:"requests"`
}

func (g *dashGateway) feed(tb testing.TB, since string) feed {
	tb.Helper()
	status, hdr, body := g.get(tb, DashboardPath+"/requests?since="+since)
	if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		tb.Fatalf("feed: %d %s %s", status, hdr.Get("Content-Type"), body)
	}
	var f feed
	if err := stdjson.Unmarshal([]byte(body), &f); err != nil {
		tb.Fatalf("feed: %v in %s", err, body)
	}
	return f
}

// TestDashboardFeed checks the feed: every request the gateway served,
// with its backend calls and their outcomes, no query string, and nothing
// for the dashboard's own requests.
func TestDashboardFeed(t *testing.T) {
	g := startDashGateway(t, true)
	g.get(t, "/users/7?token=secret")
	g.get(t, "/ok")
	g.get(t, "/slow")
	g.get(t, "/nope")
	f := g.feed(t, "0")
	if f.Size != recent.DefaultSize || f.Last != 4 || len(f.Requests) != 4 {
		t.Fatalf("feed: size %d, last %d, %d requests; want %d, 4, 4", f.Size, f.Last, len(f.Requests), recent.DefaultSize)
	}
	users := f.Requests[0]
	if users.Path != "/users/7" || users.Route != "/users/{id}" || users.Status != 200 || users.Complete || len(users.Backends) != 3 {
		t.Fatalf("users entry %+v", users)
	}
	if b := users.Backends; !b[0].OK || !b[1].OK || b[2].OK || b[2].Status != 500 || b[2].Error == "" {
		t.Errorf("users backends %+v: want ok, ok, failed 500", b)
	}
	if b := users.Backends[1]; b.DurationUS < slowDelay.Microseconds() {
		t.Errorf("slow backend took %d µs, less than its delay", b.DurationUS)
	}
	if ok := f.Requests[1]; ok.Route != "/ok" || !ok.Complete || len(ok.Backends) != 1 || !ok.Backends[0].OK {
		t.Errorf("ok entry %+v", ok)
	}
	if slow := f.Requests[2]; slow.Complete || len(slow.Backends) != 1 || !slow.Backends[0].Timeout {
		t.Errorf("slow entry %+v: want the backend timed out", slow)
	}
	if nope := f.Requests[3]; nope.Route != "" || nope.Status != 404 || len(nope.Backends) != 0 {
		t.Errorf("unrouted entry %+v", nope)
	}
	// Polling adds nothing: the dashboard's own requests are not observed.
	if again := g.feed(t, "4"); again.Last != 4 || len(again.Requests) != 0 {
		t.Errorf("feed since 4: last %d, %d requests; want 4, none", again.Last, len(again.Requests))
	}
	if since := g.feed(t, "2"); len(since.Requests) != 2 || since.Requests[0].Seq != 3 {
		t.Errorf("feed since 2: %+v", since.Requests)
	}
	if bad := g.feed(t, "x"); len(bad.Requests) != 4 {
		t.Errorf("feed since x: %d requests, want all 4", len(bad.Requests))
	}
}

// TestDashboardPage checks the page, its files and their headers, and
// the methods and paths the dashboard refuses.
func TestDashboardPage(t *testing.T) {
	g := startDashGateway(t, true)
	for path, ctype := range map[string]string{
		DashboardPath:                  "text/html",
		DashboardPath + "/":            "text/html",
		DashboardPath + "/app.js":      "text/javascript",
		DashboardPath + "/app.css":     "text/css",
		DashboardPath + "/favicon.svg": "image/svg+xml",
	} {
		status, hdr, body := g.get(t, path)
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), ctype) || body == "" {
			t.Errorf("GET %s: %d %q, %d bytes", path, status, hdr.Get("Content-Type"), len(body))
		}
		csp := hdr.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: headers %v", path, hdr)
		}
	}
	_, _, page := g.get(t, DashboardPath)
	for _, ext := range []string{"http:", "https:", "//"} {
		if strings.Contains(page, `="`+ext) {
			t.Errorf("the page refers to another origin (%s)", ext)
		}
	}
	_, _, js := g.get(t, DashboardPath+"/app.js")
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(js, sink) {
			t.Errorf("app.js uses %s: feed text must be set with textContent only", sink)
		}
	}
	if status, _, _ := g.get(t, DashboardPath+"/nothing"); status != 404 {
		t.Errorf("GET %s/nothing: %d, want 404", DashboardPath, status)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	resp, err := c.Post("http://"+g.addr+DashboardPath+"/requests", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q, want 405 GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// TestDashboardOff checks that the dashboard is served only with debug on:
// without it /__dashboard is an ordinary unmatched path.
func TestDashboardOff(t *testing.T) {
	g := startDashGateway(t, false)
	if status, _, _ := g.get(t, DashboardPath); status != 404 {
		t.Errorf("GET %s without debug: %d, want 404", DashboardPath, status)
	}
	// Without a ring (a plain handler), debug alone serves no dashboard.
	backend := newCountingBackend(t)
	h, cfg := newTestHandler(t, backend, "1024")
	h.debug = true
	addr := serve(t, h, cfg)
	resp, err := http.Get("http://" + addr + DashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if resp.StatusCode != 404 {
		t.Errorf("GET %s without a ring: %d, want 404", DashboardPath, resp.StatusCode)
	}
}

// BenchmarkDashboardObserver is BenchmarkServe-like: one fan-out request
// through the adapter with the dashboard's ring observing, to compare
// with the same gateway unobserved.
func BenchmarkDashboardObserver(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("observed=%v", on), func(b *testing.B) {
			g := startDashGateway(b, true)
			if !on {
				g = startDashGatewayWith(b, true, false)
			}
			c := &http.Client{Timeout: 10 * time.Second}
			defer c.CloseIdleConnections()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.Get("http://" + g.addr + "/ok")
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
}
