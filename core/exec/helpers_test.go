package exec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// testTimeout bounds every Serve call a test makes.
const testTimeout = 5 * time.Second

// checkLeaks registers goleak.VerifyNone to run after every other cleanup
// of t (cleanups run last-in first-out), so call it first in a test.
// Goroutines that already ran before the test (other tests' stragglers) are
// ignored. Tests that call it must not be parallel.
func checkLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// newBackend starts a loopback backend running h, closed at the end of the
// test.
func newBackend(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// jsonBackend answers every request with status and body as
// application/json.
func jsonBackend(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	return newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

// hanger is a backend that never answers. Each request is reported on
// arrived, then blocks until its context ends (the gateway cancelled the
// call: reported on gone) or the test ends.
type hanger struct {
	*httptest.Server
	arrived, gone chan struct{}
}

// hangingBackend starts a hanger.
func hangingBackend(t *testing.T) *hanger {
	t.Helper()
	stop := make(chan struct{})
	h := &hanger{arrived: make(chan struct{}, 16), gone: make(chan struct{}, 16)}
	h.Server = newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		notify(h.arrived)
		select {
		case <-r.Context().Done():
			notify(h.gone)
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) }) // runs before the server's Close
	return h
}

// notify sends on ch without ever blocking.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// seen is what a recording backend received.
type seen struct {
	Method, URI   string
	Header        http.Header
	Body          []byte
	ContentLength int64
	Chunked       bool
}

// recorder keeps every request a backend received.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

// all returns the requests received so far.
func (rc *recorder) all() []seen {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]seen(nil), rc.reqs...)
}

// recordingBackend records each request and answers status and body as
// application/json.
func recordingBackend(t *testing.T, status int, body string) (*httptest.Server, *recorder) {
	t.Helper()
	rc := &recorder{}
	s := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, seen{r.Method, r.RequestURI, r.Header.Clone(), b, r.ContentLength,
			len(r.TransferEncoding) > 0})
		rc.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
	return s, rc
}

// startGateway loads cfg with each "{{name}}" of the pairs (old, new, …)
// replaced, compiles it and runs it with o; the gateway's idle backend
// connections are closed at the end of the test.
func startGateway(t *testing.T, o exec.Options, cfg string, pairs ...string) *exec.Gateway {
	t.Helper()
	cfg = strings.NewReplacer(pairs...).Replace(cfg)
	c, err := config.Load("test.json", []byte(cfg), nil)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	p, err := plan.Compile(c)
	if err != nil {
		t.Fatalf("plan.Compile: %v", err)
	}
	gw := exec.New(p, o)
	t.Cleanup(gw.Client().CloseIdleConnections)
	return gw
}

// gateway is startGateway with the zero Options.
func gateway(t *testing.T, cfg string, pairs ...string) *exec.Gateway {
	t.Helper()
	return startGateway(t, exec.Options{}, cfg, pairs...)
}

// reply is a copy of a Response taken before Release.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
	Route  string
}

// serveCtx runs r through gw and copies the response, checking that Len,
// Bytes and WriteTo agree, then releases it.
func serveCtx(t *testing.T, ctx context.Context, gw *exec.Gateway, r *exec.Request) reply {
	t.Helper()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	resp := gw.Serve(ctx, r)
	defer resp.Release()
	body := bytes.Clone(resp.Bytes())
	if resp.Len() != len(body) {
		t.Errorf("Len() = %d, len(Bytes()) = %d", resp.Len(), len(body))
	}
	var w bytes.Buffer
	if n, err := resp.WriteTo(&w); err != nil || n != int64(len(body)) || !bytes.Equal(w.Bytes(), body) {
		t.Errorf("WriteTo wrote %d bytes (%v), not the %d bytes of Bytes()", n, err, len(body))
	}
	return reply{Status: resp.Status, Header: resp.Header.Clone(), Body: body, Route: resp.Route}
}

// serve is serveCtx with a context bounded by testTimeout.
func serve(t *testing.T, gw *exec.Gateway, r *exec.Request) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	return serveCtx(t, ctx, gw, r)
}

// get serves a GET of target ("/path?query").
func get(t *testing.T, gw *exec.Gateway, target string) reply {
	t.Helper()
	path, query, _ := strings.Cut(target, "?")
	return serve(t, gw, &exec.Request{Method: http.MethodGet, RawPath: path, RawQuery: query})
}

// want checks the status, the body (exactly) and the given headers ("" means
// absent) of a reply.
func want(t *testing.T, got reply, status int, body string, header ...string) {
	t.Helper()
	if got.Status != status {
		t.Errorf("status = %d, want %d (body %.300s)", got.Status, status, got.Body)
	}
	if string(got.Body) != body {
		t.Errorf("body = %.500s\nwant   %.500s", got.Body, body)
	}
	wantHeaders(t, got, header...)
}

// wantHeaders checks name/value pairs; an empty value means "absent".
func wantHeaders(t *testing.T, got reply, pairs ...string) {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		name, v := pairs[i], pairs[i+1]
		if vs, ok := got.Header[http.CanonicalHeaderKey(name)]; v == "" && ok {
			t.Errorf("header %s = %q, want it absent", name, vs)
		} else if v != "" && got.Header.Get(name) != v {
			t.Errorf("header %s = %q, want %q", name, got.Header.Get(name), v)
		}
	}
}

// wantError checks a gateway error reply: status, JSON Content-Type, not
// complete, and a body of exactly {"error":code,"message":…}. It returns
// the message.
func wantError(t *testing.T, got reply, status int, code string) string {
	t.Helper()
	if got.Status != status {
		t.Errorf("status = %d, want %d (body %.300s)", got.Status, status, got.Body)
	}
	wantHeaders(t, got, "Content-Type", exec.ContentTypeJSON, exec.HeaderCompleted, "false", "Cache-Control", "")
	var e map[string]string
	if err := json.Unmarshal(got.Body, &e); err != nil || len(e) != 2 || e["error"] != code || e["message"] == "" {
		t.Errorf("body = %s (%v), want {\"error\":%q,\"message\":…}", got.Body, err, code)
	}
	return e["message"]
}

// upstream starts one kind of backend for a table case and returns its base
// URL.
type upstream func(t *testing.T) string

// answer is a backend answering status and body as JSON.
func answer(status int, body string) upstream {
	return func(t *testing.T) string { return jsonBackend(t, status, body).URL }
}

// hang is a backend that never answers.
func hang(t *testing.T) string { return hangingBackend(t).URL }

// refused is a base URL where nothing listens any more.
func refused(t *testing.T) string {
	s := httptest.NewServer(http.NotFoundHandler())
	s.Close()
	return s.URL
}

// fanConfig is one endpoint GET /x with one backend per URL (url_pattern
// /b<i>); endpointExtra is spliced into the endpoint object and backendExtra into
// every backend object.
func fanConfig(endpointExtra, backendExtra string, urls ...string) string {
	var bs []string
	for i, u := range urls {
		bs = append(bs, fmt.Sprintf(`{"host": [%q], "url_pattern": "/b%d"%s}`, u, i, backendExtra))
	}
	return `{"version": 3, "endpoints": [{"endpoint": "/x"` + endpointExtra + `, "backend": [` + strings.Join(bs, ", ") + `]}]}`
}

// records returns n JSON records joined by sep.
func records(n int, sep string) string {
	rs := make([]string, n)
	for i := range rs {
		rs[i] = fmt.Sprintf(`{"id":%d,"label":"record %d <&>","amount":%d.50,"tags":[%d,%d]}`, i, i, i*3, i%5, i%7)
	}
	return strings.Join(rs, sep)
}

// firstDiff is the index of the first byte where got and want differ.
func firstDiff(got []byte, want string) int {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return i
		}
	}
	return min(len(got), len(want))
}

// sorted returns a sorted copy of s.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// onlyReader hides every method but Read (so no WriterTo/Len shortcuts).
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// untouchable fails the test when read: proves a body is refused unread.
type untouchable struct{ t *testing.T }

func (u untouchable) Read([]byte) (int, error) {
	u.t.Error("the request body was read")
	return 0, io.EOF
}

// failing is a body whose reading fails (the client went away mid-upload).
type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// waitFor fails the test unless ch delivers n signals within testTimeout.
func waitFor(t *testing.T, ch <-chan struct{}, n int, what string) {
	t.Helper()
	deadline := time.After(testTimeout)
	for i := range n {
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%s: %d of %d signals after %s", what, i, n, testTimeout)
		}
	}
}
