package fasthttpadapter

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// TestMain fails the package when a test leaves a goroutine behind (a
// lingering drain that never ends, a connection never closed). fasthttp's
// own background goroutines are not leaks: the process-wide Date
// refresher, and the worker-pool cleaner of a stopped server, which ends
// after its idle period.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, fasthttpBackground...)
}

// fasthttpBackground are the goleak options for fasthttp's background
// goroutines.
var fasthttpBackground = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
}

// connBound is the most any raw connection of these tests may stay open;
// it only keeps a broken build from hanging the suite.
const connBound = 60 * time.Second

// countingBackend is a loopback backend that counts the requests it gets
// by path and answers {"ok":true}.
type countingBackend struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls map[string]int
}

func newCountingBackend(tb testing.TB) *countingBackend {
	tb.Helper()
	b := &countingBackend{calls: map[string]int{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		b.mu.Lock()
		b.calls[r.URL.Path]++
		b.mu.Unlock()
		// What the backend saw, so that comparing the gateway's answers
		// compares the requests the core built too.
		hdr := r.Header.Clone()
		hdr.Del("Accept-Encoding")
		doc, _ := json.Marshal(map[string]any{"ok": true, "query": r.URL.RawQuery, "headers": hdr, "body_bytes": n})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	}))
	tb.Cleanup(b.srv.Close)
	return b
}

func (b *countingBackend) count(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[path]
}

func (b *countingBackend) total() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.calls {
		n += c
	}
	return n
}

// testConfig: POST /in forwards to the backend's /sink, GET /hidden to its
// /secret, GET /get to /sink. BACKEND and BODYCAP are replaced.
const testConfig = `{
  "version": 3,
  "echo_endpoint": true,
  "extra_config": {"tributary": {"max_request_body_bytes": BODYCAP}},
  "endpoints": [
    {"endpoint": "/in", "method": "POST", "input_headers": ["Content-Type"],
     "backend": [{"host": ["BACKEND"], "url_pattern": "/sink"}]},
    {"endpoint": "/get", "method": "GET", "input_headers": ["*"], "input_query_strings": ["*"],
     "backend": [{"host": ["BACKEND"], "url_pattern": "/sink"}]},
    {"endpoint": "/hidden", "method": "GET",
     "backend": [{"host": ["BACKEND"], "url_pattern": "/secret"}]}
  ]
}`

// gateways are the same config served by both adapters, each gateway
// with its own backend.
type gateways struct {
	net, fast               string
	netBackend, fastBackend *countingBackend
}

// startBoth compiles config (testConfig when "") with the body cap and
// serves it through both adapters on loopback.
func startBoth(tb testing.TB, bodyCap, config string) *gateways {
	tb.Helper()
	if config == "" {
		config = testConfig
	}
	g := &gateways{netBackend: newCountingBackend(tb), fastBackend: newCountingBackend(tb)}
	text := strings.NewReplacer("BACKEND", g.netBackend.srv.URL, "BODYCAP", bodyCap).Replace(config)
	gw, p := compile(tb, text)
	g.net = serveNet(tb, httpadapter.New(gw, httpadapter.Options{Version: "t", Now: fixedNow}), p.Server)
	text = strings.NewReplacer("BACKEND", g.fastBackend.srv.URL, "BODYCAP", bodyCap).Replace(config)
	gw, p = compile(tb, text)
	nh := httpadapter.New(gw, httpadapter.Options{Version: "t", Now: fixedNow})
	g.fast = serveFast(tb, New(gw, nh, Options{Version: "t"}), p.Server)
	return g
}

// startFast serves config (testConfig when "") through the fasthttp
// adapter only.
func startFast(tb testing.TB, bodyCap string) (string, *countingBackend) {
	tb.Helper()
	backend := newCountingBackend(tb)
	text := strings.NewReplacer("BACKEND", backend.srv.URL, "BODYCAP", bodyCap).Replace(testConfig)
	gw, p := compile(tb, text)
	nh := httpadapter.New(gw, httpadapter.Options{Version: "t", Now: fixedNow})
	return serveFast(tb, New(gw, nh, Options{Version: "t"}), p.Server), backend
}

func fixedNow() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }

func compile(tb testing.TB, text string) (*exec.Gateway, *plan.Plan) {
	tb.Helper()
	cfg, err := config.Load("test.json", []byte(text), nil)
	if err != nil {
		tb.Fatalf("config.Load: %v", err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		tb.Fatalf("plan.Compile: %v", err)
	}
	gw := exec.New(p, exec.Options{})
	tb.Cleanup(gw.Client().CloseIdleConnections)
	return gw, p
}

// serveNet serves h as `tributary run` does by default.
func serveNet(tb testing.TB, h http.Handler, cfg plan.Server) string {
	tb.Helper()
	srv := httpadapter.NewServer(h, cfg, 0, nil)
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	ln = httpadapter.WrapListener(ln, srv.MaxHeaderBytes)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
		<-done
	})
	return ln.Addr().String()
}

// serveFast serves h on a fasthttp server built by NewServer.
func serveFast(tb testing.TB, h *Handler, cfg plan.Server) string {
	tb.Helper()
	srv := NewServer(h, cfg, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := Shutdown(ctx, srv); err != nil {
			tb.Errorf("fasthttp shutdown: %v", err)
		}
		<-done
	})
	return ln.Addr().String()
}

// dial opens a raw connection to addr, bounded by connBound.
func dial(tb testing.TB, addr string) net.Conn {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	_ = conn.SetDeadline(time.Now().Add(connBound))
	tb.Cleanup(func() { _ = conn.Close() })
	return conn
}

// rawResponse is one response read off a raw connection.
type rawResponse struct {
	status int
	header http.Header
	close  bool
	body   string
}

func readResponse(br *bufio.Reader) (*rawResponse, error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &rawResponse{status: resp.StatusCode, header: resp.Header, close: resp.Close, body: string(body)}, nil
}

// expectClosed fails unless the server has closed the connection.
func expectClosed(t *testing.T, br *bufio.Reader) {
	t.Helper()
	b, err := br.ReadByte()
	if err == nil {
		rest, _ := br.Peek(br.Buffered())
		t.Fatalf("the connection stayed open: the server sent %q after the response", string(b)+string(rest))
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection stayed open until the test's bound: %v", err)
	}
}

// chunk frames p as one chunk of a chunked body.
func chunk(p []byte) []byte {
	out := make([]byte, 0, len(p)+16)
	out = strconv.AppendInt(out, int64(len(p)), 16)
	out = append(out, "\r\n"...)
	out = append(out, p...)
	return append(out, "\r\n"...)
}
