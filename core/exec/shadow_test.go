package exec_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/exec"
)

// logBuffer is a goroutine-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// debugLogger logs everything to a logBuffer.
func debugLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// waitShadows fails the test unless every shadow call of gw ends within
// testTimeout.
func waitShadows(t *testing.T, gw *exec.Gateway) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := gw.WaitShadows(ctx); err != nil {
		t.Fatalf("shadow calls still running after %s", testTimeout)
	}
}

// gate is a backend that holds every request until open is closed (or the
// request is cancelled), then answers 200 {}.
type gate struct {
	url     string
	arrived chan struct{}
	gone    chan struct{}
	open    chan struct{}
	once    sync.Once
}

func gateBackend(t *testing.T) *gate {
	t.Helper()
	g := &gate{arrived: make(chan struct{}, 16), gone: make(chan struct{}, 16), open: make(chan struct{})}
	s := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		notify(g.arrived)
		select {
		case <-g.open:
			writeJSON(w, http.StatusOK, `{}`)
		case <-r.Context().Done():
			notify(g.gone)
		}
	})
	g.url = s.URL
	t.Cleanup(g.release) // before the server's Close
	return g
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// shadowConfig is GET|POST /x/{id} with the main backend at main and a shadow
// at shadow; proxy is spliced into the shadow's proxy namespace.
func shadowConfig(method, main, shadow, proxy, endpointExtra string) string {
	return `{"version": 3, "endpoints": [{"endpoint": "/x/{id}", "method": "` + method + `", "cache_ttl": "60s",
		"input_headers": ["X-Trace", "Content-Type"], "input_query_strings": ["q"]` + endpointExtra + `, "backend": [
		{"host": ["` + main + `"], "url_pattern": "/main"},
		{"host": ["` + shadow + `"], "url_pattern": "/shadow/{id}", "extra_config": {"proxy": {"shadow": true` + proxy + `}}}]}]}`
}

// TestShadowGetsACopy: the shadow receives the same forwarded headers,
// query and body as the main backend, and its data never reaches the
// client.
func TestShadowGetsACopy(t *testing.T) {
	checkLeaks(t)
	main, rm := recordingBackend(t, 200, `{"main":1}`)
	shadow, rs := recordingBackend(t, 200, `{"shadow":2}`)
	gw := gateway(t, shadowConfig("POST", main.URL, shadow.URL, "", ""))
	got := serve(t, gw, &exec.Request{Method: "POST", RawPath: "/x/7", RawQuery: "q=1&z=2",
		Header: http.Header{"X-Trace": {"t1"}, "Content-Type": {"application/json"}, "Cookie": {"c=1"}},
		Body:   strings.NewReader(`{"in":true}`), ContentLength: 11})
	want(t, got, 200, `{"main":1}`, exec.HeaderCompleted, "true", "Cache-Control", "public, max-age=60")
	waitShadows(t, gw)
	m, s := rm.all(), rs.all()
	if len(m) != 1 || len(s) != 1 {
		t.Fatalf("main got %d calls, shadow %d; want 1 each", len(m), len(s))
	}
	if s[0].Method != "POST" || s[0].URI != "/shadow/7?q=1" || string(s[0].Body) != `{"in":true}` ||
		s[0].Header.Get("X-Trace") != "t1" || s[0].Header.Get("Cookie") != "" || s[0].ContentLength != 11 {
		t.Errorf("shadow saw %+v", s[0])
	}
	if string(m[0].Body) != string(s[0].Body) || m[0].Header.Get("X-Trace") != s[0].Header.Get("X-Trace") {
		t.Errorf("main and shadow requests differ: %+v / %+v", m[0], s[0])
	}
}

// TestShadowNeverChangesTheResponse: whatever the shadow does, the client
// gets the main backend's answer, complete and cacheable; the failure is
// only logged.
func TestShadowNeverChangesTheResponse(t *testing.T) {
	cases := []struct {
		name   string
		shadow upstream
		proxy  string
	}{
		{"status 500", answer(500, `{"x":1}`), ""},
		{"not json", answer(200, `not json`), ""},
		{"refused", refused, ""},
		{"hangs past shadow_timeout", hang, `, "shadow_timeout": "50ms"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			main := jsonBackend(t, 200, `{"main":1}`)
			lg, logs := debugLogger()
			gw := startGateway(t, exec.Options{Logger: lg}, shadowConfig("GET", main.URL, tc.shadow(t), tc.proxy, ""))
			want(t, get(t, gw, "/x/1"), 200, `{"main":1}`, exec.HeaderCompleted, "true", "Cache-Control", "public, max-age=60")
			waitShadows(t, gw)
			if l := logs.String(); !strings.Contains(l, "shadow backend failed") || !strings.Contains(l, "level=WARN") {
				t.Errorf("the shadow's failure was not logged as a warning:\n%s", l)
			}
		})
	}
}

// TestShadowMainFails: a shadow's data never rescues a failed request.
func TestShadowMainFails(t *testing.T) {
	checkLeaks(t)
	main := jsonBackend(t, 500, `{}`)
	shadow := jsonBackend(t, 200, `{"shadow":2}`)
	gw := gateway(t, shadowConfig("GET", main.URL, shadow.URL, "", ""))
	wantError(t, get(t, gw, "/x/1"), 502, "bad_gateway")
	waitShadows(t, gw)
}

// TestShadowServerModeDoesNotWait: in server mode the response is ready
// while the shadow call is still held by its backend; the call goes on,
// detached from the client, until the backend answers.
func TestShadowServerModeDoesNotWait(t *testing.T) {
	checkLeaks(t)
	main := jsonBackend(t, 200, `{"main":1}`)
	g := gateBackend(t)
	lg, logs := debugLogger()
	gw := startGateway(t, exec.Options{Logger: lg}, shadowConfig("GET", main.URL, g.url, `, "shadow_timeout": "1m"`, ""))
	ctx, cancel := context.WithCancel(context.Background())
	got := serveCtx(t, ctx, gw, &exec.Request{Method: "GET", RawPath: "/x/1"})
	cancel() // the client is gone: the shadow call must not care
	want(t, got, 200, `{"main":1}`, exec.HeaderCompleted, "true")
	waitFor(t, g.arrived, 1, "the shadow call")
	short, stop := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer stop()
	if err := gw.WaitShadows(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitShadows = %v while the shadow backend holds the call, want DeadlineExceeded", err)
	}
	g.release()
	waitShadows(t, gw)
	if strings.Contains(logs.String(), "shadow backend failed") {
		t.Errorf("the detached shadow call failed:\n%s", logs)
	}
	select {
	case <-g.gone:
		t.Error("the shadow call was cancelled")
	default:
	}
}

// TestShadowCancelledWhenReady: with CancelShadows (Lambda), the shadow
// call still running when the response is ready is cancelled, and Serve
// returns only once it has ended.
func TestShadowCancelledWhenReady(t *testing.T) {
	checkLeaks(t)
	main := jsonBackend(t, 200, `{"main":1}`)
	g := gateBackend(t)
	lg, logs := debugLogger()
	gw := startGateway(t, exec.Options{Logger: lg, CancelShadows: true},
		shadowConfig("GET", main.URL, g.url, `, "shadow_timeout": "1m"`, ""))
	// The main backend answers at once; the gate holds the shadow.
	want(t, get(t, gw, "/x/1"), 200, `{"main":1}`, exec.HeaderCompleted, "true")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := gw.WaitShadows(done); err != nil {
		t.Errorf("a shadow call is still in flight after Serve returned: %v", err)
	}
	if l := logs.String(); strings.Contains(l, "level=WARN") {
		t.Errorf("a shadow cancelled at the response logged a warning:\n%s", l)
	}
}

// TestShadowBounded: a gateway runs at most MaxShadowCalls shadow calls at
// once; further ones are skipped and counted, and the client never waits.
func TestShadowBounded(t *testing.T) {
	checkLeaks(t)
	main := jsonBackend(t, 200, `{"main":1}`)
	g := gateBackend(t)
	gw := startGateway(t, exec.Options{MaxShadowCalls: 1}, shadowConfig("GET", main.URL, g.url, `, "shadow_timeout": "1m"`, ""))
	want(t, get(t, gw, "/x/1"), 200, `{"main":1}`)
	waitFor(t, g.arrived, 1, "the first shadow call")
	for range 3 {
		want(t, get(t, gw, "/x/1"), 200, `{"main":1}`)
	}
	if n := gw.ShadowsSkipped(); n != 3 {
		t.Errorf("ShadowsSkipped = %d, want 3", n)
	}
	g.release()
	waitShadows(t, gw)
	want(t, get(t, gw, "/x/1"), 200, `{"main":1}`)
	waitShadows(t, gw)
	if n := gw.ShadowsSkipped(); n != 3 {
		t.Errorf("ShadowsSkipped = %d after the slot was freed, want 3", n)
	}
}

// TestShadowCalledOnce: concurrent_calls copies the main backend's calls,
// never the shadow's.
func TestShadowCalledOnce(t *testing.T) {
	checkLeaks(t)
	main, rm := recordingBackend(t, 200, `{"main":1}`)
	shadow, rs := recordingBackend(t, 500, `{}`)
	gw := gateway(t, shadowConfig("GET", main.URL, shadow.URL, "", `, "concurrent_calls": 3`))
	want(t, get(t, gw, "/x/1"), 200, `{"main":1}`)
	waitShadows(t, gw)
	if n := len(rs.all()); n != 1 {
		t.Errorf("the shadow received %d calls, want 1", n)
	}
	if n := len(rm.all()); n < 1 || n > 3 {
		t.Errorf("the main backend received %d calls, want 1 to 3", n)
	}
}

// TestShadowPlan: shadows are compiled apart from the merged backends,
// with shadow_timeout defaulting to the endpoint timeout.
func TestShadowPlan(t *testing.T) {
	gw := gateway(t, `{"version": 3, "timeout": "3s", "host": ["http://127.0.0.1:1"], "endpoints": [{"endpoint": "/x", "backend": [
		{"url_pattern": "/s1", "extra_config": {"proxy": {"shadow": true}}},
		{"url_pattern": "/m"},
		{"url_pattern": "/s2", "extra_config": {"proxy": {"shadow": true, "shadow_timeout": "150ms"}}}]}]}`)
	ep := gw.Plan().Endpoints[0]
	if len(ep.Backends) != 1 || ep.Backends[0].Index != 1 || ep.Backends[0].Shadow {
		t.Fatalf("Backends = %+v", ep.Backends)
	}
	if len(ep.Shadows) != 2 || ep.Shadows[0].Index != 0 || ep.Shadows[0].ShadowTimeout != 3*time.Second ||
		ep.Shadows[1].Index != 2 || ep.Shadows[1].ShadowTimeout != 150*time.Millisecond {
		t.Fatalf("Shadows = %+v %+v", ep.Shadows[0], ep.Shadows[1])
	}
}
