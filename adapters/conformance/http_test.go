package conformance

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, fasthttpBackground...)
}

// minCases guards against losing golden cases silently.
const minCases = 60

// httpTransport serves the gateway on a real loopback server built by
// httpadapter.NewServer (every server timeout from the config) and talks to
// it with a real net/http client, or with a raw TCP writer for request
// targets the client would not send verbatim.
var httpTransport = transport{name: "http", start: startHTTP}

func TestGoldenHTTP(t *testing.T) {
	cases, err := loadCases()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.runsOn(httpTransport.name) {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, httpTransport, c)
		})
	}
}

// TestGoldenCaseCount guards the suite itself: every case file decodes
// and validates, and none has gone missing.
func TestGoldenCaseCount(t *testing.T) {
	cases, err := loadCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < minCases {
		t.Fatalf("found %d golden cases under %s, want at least %d", len(cases), casesDir, minCases)
	}
}

// startHTTP is the HTTP runner.
func startHTTP(t *testing.T, h http.Handler, cfg *config.Config) sendFunc {
	t.Helper()
	addr, stop, err := serveHTTP(h, cfg)
	if err != nil {
		t.Fatal(err)
	}
	client, tr := newHTTPClient()
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		stop()
	})
	return func(ctx context.Context, req *caseRequest) (*observed, error) {
		return sendHTTP(ctx, client, addr, addr, req)
	}
}

// serveHTTP serves h on a loopback server built by httpadapter.NewServer
// (every server timeout from cfg) and returns its address and the function
// that shuts it down and waits for it.
func serveHTTP(h http.Handler, cfg *config.Config) (addr string, stop func(), err error) {
	p, err := plan.Compile(cfg)
	if err != nil {
		return "", nil, fmt.Errorf("compile: %w", err)
	}
	srv := httpadapter.NewServer(h, p.Server, 0, nil)
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	ln = httpadapter.WrapListener(ln, srv.MaxHeaderBytes)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
		<-served
	}
	return ln.Addr().String(), stop, nil
}

// newHTTPClient returns the client of the HTTP runs and its transport. The
// client must see the bytes the gateway sends: no transparent gzip, no
// proxy from the environment; redirects are answers to compare, not to
// follow.
func newHTTPClient() (*http.Client, *http.Transport) {
	tr := &http.Transport{
		DisableCompression: true,
		Proxy:              nil,
		MaxIdleConns:       4,
		IdleConnTimeout:    5 * time.Second,
	}
	client := &http.Client{
		Transport:     tr,
		Timeout:       requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return client, tr
}

// sendHTTP sends a case request to the server at addr: with client, or
// byte for byte on a raw connection for a raw_request_target. The request
// carries host unless the case sets a Host header.
func sendHTTP(ctx context.Context, client *http.Client, addr, host string, req *caseRequest) (*observed, error) {
	body, err := req.requestBody()
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	if req.RawRequestTarget != "" {
		return sendRaw(ctx, addr, req.host(host), req, body)
	}
	return sendClient(ctx, client, addr, req.host(host), req, body)
}

// sendClient sends a request with net/http's client.
func sendClient(ctx context.Context, client *http.Client, addr, host string, req *caseRequest, body []byte) (*observed, error) {
	u, err := url.Parse("http://" + addr + req.Path)
	if err != nil {
		return nil, fmt.Errorf("request.path %q: %w (use raw_request_target)", req.Path, err)
	}
	if got := u.RequestURI(); got != req.Path {
		return nil, fmt.Errorf("request.path %q would be sent as %q: use raw_request_target", req.Path, got)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		if req.Chunked {
			// Hide the length so the client sends chunks.
			rd = io.MultiReader(rd)
		}
	}
	r, err := http.NewRequestWithContext(ctx, req.method(), u.String(), rd)
	if err != nil {
		return nil, err
	}
	r.Host = host
	for _, k := range sortedNames(req.Headers) {
		if http.CanonicalHeaderKey(k) == "Host" {
			continue
		}
		for _, s := range req.Headers[k].values {
			r.Header.Add(k, s)
		}
	}
	if _, ok := r.Header["User-Agent"]; !ok {
		// Go's client adds its own agent unless told otherwise; an empty
		// value makes it send none, so a case controls the header fully.
		r.Header["User-Agent"] = []string{""}
	}
	start := time.Now()
	resp, err := client.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the response body: %w", err)
	}
	return &observed{
		status:           resp.StatusCode,
		header:           resp.Header,
		body:             data,
		transferEncoding: resp.TransferEncoding,
		latency:          time.Since(start),
	}, nil
}

// sendRaw writes the request by hand on a fresh TCP connection, so that the
// request target reaches the server byte for byte.
func sendRaw(ctx context.Context, addr, host string, req *caseRequest, body []byte) (*observed, error) {
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(requestTimeout)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", req.method(), req.RawRequestTarget)
	fmt.Fprintf(&b, "Host: %s\r\n", host)
	for _, k := range sortedNames(req.Headers) {
		if http.CanonicalHeaderKey(k) == "Host" {
			continue
		}
		for _, s := range req.Headers[k].values {
			fmt.Fprintf(&b, "%s: %s\r\n", k, s)
		}
	}
	switch {
	case body != nil && req.Chunked:
		b.WriteString("Transfer-Encoding: chunked\r\n")
	case body != nil:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("Connection: close\r\n\r\n")
	if body != nil && req.Chunked {
		if len(body) > 0 {
			fmt.Fprintf(&b, "%x\r\n", len(body))
			b.Write(body)
			b.WriteString("\r\n")
		}
		b.WriteString("0\r\n\r\n")
	} else {
		b.Write(body)
	}
	start := time.Now()
	if _, err := conn.Write(b.Bytes()); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: req.method()})
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errNoResponse
		}
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the response body: %w", err)
	}
	h := resp.Header
	if resp.ContentLength >= 0 && h.Get("Content-Length") == "" && req.method() != http.MethodHead {
		// ReadResponse keeps the header; nothing to restore.
		h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	return &observed{
		status:           resp.StatusCode,
		header:           h,
		body:             data,
		transferEncoding: resp.TransferEncoding,
		latency:          time.Since(start),
	}, nil
}

// TestHTTPRunnerRawTarget checks that the raw writer really sends what
// net/http's client would not: the server must see the target verbatim.
func TestHTTPRunnerRawTarget(t *testing.T) {
	seen := make(chan string, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.RequestURI
		w.Header().Set("Content-Length", "0")
	})
	cfg, err := config.Load("raw.json", []byte(`{"version":3,"endpoints":[]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	send := startHTTP(t, h, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, target := range []string{"/a/../b", `/a\b`, "//x", "/a%2Fb/%2e%2e", "/./a"} {
		obs, err := send(ctx, &caseRequest{RawRequestTarget: target})
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		select {
		case got := <-seen:
			if obs.status != http.StatusOK || got != target {
				t.Errorf("%s: status %d, server saw %q", target, obs.status, got)
			}
		default:
			t.Errorf("%s: status %d and the handler never ran", target, obs.status)
		}
	}
}

// TestHTTPStalledBody is security.md §5 class B: a request that declares a
// body and never sends it is cut off at the server's read timeout, no
// backend is contacted, and nothing waits longer.
func TestHTTPStalledBody(t *testing.T) {
	c := &goldenCase{
		name:     "stalled_body",
		Backends: map[string]cannedBackend{"api": {Routes: map[string]*cannedResponse{"*": {Body: []byte(`{}`)}}}},
		Config: []byte(`{"version": 3, "read_timeout": "300ms", "endpoints": [{"endpoint": "/in", "method": "POST",
			"input_headers": ["Content-Type"], "backend": [{"host": ["{{api}}"], "url_pattern": "/sink"}]}]}`),
	}
	bs := startBackends(t, c.Backends)
	gw := buildGateway(t, c, bs.urls)
	addr, stop, err := serveHTTP(gw.handler, gw.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if err := conn.SetDeadline(start.Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "POST /in HTTP/1.1\r\nHost: gw\r\nContent-Length: 10\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: http.MethodPost})
	elapsed := time.Since(start)
	switch {
	case err != nil:
		// Closed without an answer: net/http sends no 408.
	case resp.StatusCode < 400 || resp.StatusCode >= 500:
		t.Errorf("stalled body answered %d, want the connection closed or a 4xx", resp.StatusCode)
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	if elapsed > 300*time.Millisecond+time.Second {
		t.Errorf("stalled body took %v, want about the 300ms read timeout", elapsed)
	}
	if n := bs.total(); n != 0 {
		t.Errorf("the backends received %d request(s), want none", n)
	}
}
