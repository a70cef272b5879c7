package httpadapter

import (
	"bufio"
	"context"
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

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// TestMain fails the package when a test leaves a goroutine behind (a
// handler still draining a body, a connection never closed).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// connBound is the most any raw connection of these tests may stay open.
// It only keeps a broken build from hanging the suite; no test measures
// time against it.
const connBound = 60 * time.Second

// countingBackend is a loopback backend that counts the requests it gets
// by path and answers {"ok":true}.
type countingBackend struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls map[string]int
}

// newCountingBackend starts a counting backend, closed when tb ends.
func newCountingBackend(tb testing.TB) *countingBackend {
	tb.Helper()
	b := &countingBackend{calls: map[string]int{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		b.mu.Lock()
		b.calls[r.URL.Path]++
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	tb.Cleanup(b.srv.Close)
	return b
}

// count returns how many requests path received.
func (b *countingBackend) count(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[path]
}

// total returns how many requests the backend received.
func (b *countingBackend) total() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.calls {
		n += c
	}
	return n
}

// testConfig is the gateway of these tests: POST /in forwards to the
// backend's /sink, GET /hidden to its /secret. BACKEND is replaced by the
// backend's URL and BODYCAP by the service body cap.
const testConfig = `{
  "version": 3,
  "extra_config": {"tributary": {"max_request_body_bytes": BODYCAP}},
  "endpoints": [
    {"endpoint": "/in", "method": "POST", "input_headers": ["Content-Type"],
     "backend": [{"host": ["BACKEND"], "url_pattern": "/sink"}]},
    {"endpoint": "/hidden", "method": "GET",
     "backend": [{"host": ["BACKEND"], "url_pattern": "/secret"}]}
  ]
}`

// newTestHandler compiles testConfig against backend with the given body
// cap and returns the adapter's Handler and the config.
func newTestHandler(tb testing.TB, backend *countingBackend, bodyCap string) (*Handler, plan.Server) {
	tb.Helper()
	text := strings.NewReplacer("BACKEND", backend.srv.URL, "BODYCAP", bodyCap).Replace(testConfig)
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
	return New(gw, Options{}), p.Server
}

// serve runs h on a loopback server built by NewServer and returns its
// address. The server is shut down when tb ends; a handler that never
// returns makes the shutdown, and so the test, fail.
func serve(tb testing.TB, h http.Handler, cfg plan.Server) string {
	tb.Helper()
	srv := NewServer(h, cfg, 0, nil)
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	ln = WrapListener(ln, srv.MaxHeaderBytes)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			tb.Errorf("server shutdown: %v (a handler did not return)", err)
			_ = srv.Close()
		}
		<-done
	})
	return ln.Addr().String()
}

// startGateway starts a counting backend and the gateway in front of it
// on loopback, with the given service body cap.
func startGateway(tb testing.TB, bodyCap string) (addr string, backend *countingBackend) {
	tb.Helper()
	backend = newCountingBackend(tb)
	h, cfg := newTestHandler(tb, backend, bodyCap)
	return serve(tb, h, cfg), backend
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

// readResponse reads one response from br.
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

// expectClosed fails unless the server has closed the connection: the
// next read ends without any further response byte.
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
