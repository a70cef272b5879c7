package backend

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestDoStatusPassThrough(t *testing.T) {
	checkLeaks(t)
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"ok", 200, `{"a":1}`},
		{"created", 201, `{"id":7}`},
		{"accepted with text", 202, "queued"},
		{"not found", 404, `{"error":"nope"}`},
		{"teapot", 418, "short and stout"},
		{"server error", 500, "boom"},
		{"unavailable", 503, ""},
	}
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		for _, tc := range tests {
			if r.URL.Path == "/"+strings.ReplaceAll(tc.name, " ", "-") {
				w.Header().Set("X-Case", tc.name)
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Add("Set-Cookie", "a=1")
				w.Header().Add("Set-Cookie", "b=2")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
				return
			}
		}
		t.Errorf("unexpected path %q", r.URL.Path)
	})
	c := newClient(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := get(t, c, s, "/"+strings.ReplaceAll(tc.name, " ", "-"))
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.Status != tc.status {
				t.Errorf("status = %d, want %d", resp.Status, tc.status)
			}
			if string(resp.Body) != tc.body {
				t.Errorf("body = %q, want %q", resp.Body, tc.body)
			}
			if got := resp.Header.Get("X-Case"); got != tc.name {
				t.Errorf("X-Case = %q, want %q", got, tc.name)
			}
			if got := resp.Header.Values("Set-Cookie"); len(got) != 2 {
				t.Errorf("Set-Cookie = %q, want both cookies", got)
			}
			if _, ok := resp.Header["Content-Length"]; ok {
				t.Error("Content-Length not removed")
			}
		})
	}
}

func TestDoRemovesHopByHopHeaders(t *testing.T) {
	checkLeaks(t)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Connection", "X-Private, keep-alive")
		h.Set("X-Private", "secret")
		h.Set("Keep-Alive", "timeout=5")
		h.Set("Proxy-Authenticate", "Basic")
		h.Set("Upgrade", "h2c")
		h.Set("Trailer", "X-T")
		h.Set("X-Kept", "yes")
		_, _ = io.WriteString(w, "ok")
	})
	c := newClient(t, Options{})
	resp, err := get(t, c, s, "/")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Connection", "X-Private", "Keep-Alive", "Proxy-Authenticate", "Upgrade", "Trailer", "Content-Length", "Transfer-Encoding"} {
		if v, ok := resp.Header[k]; ok {
			t.Errorf("%s = %q survived", k, v)
		}
	}
	if resp.Header.Get("X-Kept") != "yes" {
		t.Error("X-Kept lost")
	}
}

func TestDoEmptyBodies(t *testing.T) {
	checkLeaks(t)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		case "/empty":
			w.Header().Set("Content-Length", "0")
		case "/chunked-empty":
			w.(http.Flusher).Flush()
		case "/head":
			w.Header().Set("Content-Length", "1000")
		case "/gzip-empty":
			w.Header().Set("Content-Encoding", "gzip")
		case "/not-modified":
			w.WriteHeader(http.StatusNotModified)
		}
	})
	c := newClient(t, Options{})
	tests := []struct {
		path, method string
		status       int
	}{
		{"/nocontent", "GET", 204},
		{"/empty", "GET", 200},
		{"/chunked-empty", "GET", 200},
		{"/head", "HEAD", 200},
		{"/gzip-empty", "GET", 200},
		{"/not-modified", "GET", 304},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := c.Do(testCtx(t), &Request{Method: tc.method, URL: mustURL(t, s.URL+tc.path)})
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.Status != tc.status || resp.Body != nil {
				t.Errorf("got %d %q, want %d and a nil body", resp.Status, resp.Body, tc.status)
			}
		})
	}
}

func TestDoSendsBodyWithExactLength(t *testing.T) {
	checkLeaks(t)
	type seen struct {
		method string
		length int64
		te     []string
		clHdr  string
		body   string
		ctype  string
	}
	var (
		mu   sync.Mutex
		last seen
	)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = seen{r.Method, r.ContentLength, r.TransferEncoding, r.Header.Get("Content-Length"), string(b), r.Header.Get("Content-Type")}
		mu.Unlock()
	})
	c := newClient(t, Options{})
	big := strings.Repeat("x", 100<<10)
	tests := []struct {
		method string
		body   []byte
		wantCL int64
	}{
		{"POST", []byte(`{"a":1}`), 7},
		{"PUT", []byte(big), int64(len(big))},
		{"PATCH", []byte("p"), 1},
		{"GET", []byte("get with body"), 13},
		{"DELETE", []byte("d"), 1},
		{"POST", nil, 0},
		{"POST", []byte{}, 0},
		{"GET", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}}
			if _, err := c.Do(testCtx(t), &Request{Method: tc.method, URL: mustURL(t, s.URL), Header: h, Body: tc.body}); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			got := last
			mu.Unlock()
			if got.method != tc.method || got.length != tc.wantCL || got.te != nil || got.body != string(tc.body) {
				t.Errorf("backend saw %s CL=%d TE=%v body %d bytes; want %s CL=%d no TE, %d bytes",
					got.method, got.length, got.te, len(got.body), tc.method, tc.wantCL, len(tc.body))
			}
			if tc.method == "POST" && got.clHdr != "" && got.clHdr != "0" && tc.wantCL == 0 {
				t.Errorf("Content-Length header = %q", got.clHdr)
			}
			if got.ctype != "application/json" {
				t.Errorf("Content-Type = %q", got.ctype)
			}
			if len(h) != 1 {
				t.Errorf("caller header modified: %v", h)
			}
		})
	}
}

func TestDoHeaderSentAsGiven(t *testing.T) {
	checkLeaks(t)
	var got http.Header
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() })
	c := newClient(t, Options{})
	h := http.Header{"X-Forwarded-For": {"10.0.0.1"}, "User-Agent": {"Tributary"}, "X-Multi": {"a", "b"}}
	if _, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL), Header: h}); err != nil {
		t.Fatal(err)
	}
	if got.Get("X-Forwarded-For") != "10.0.0.1" || got.Get("User-Agent") != "Tributary" || len(got.Values("X-Multi")) != 2 {
		t.Errorf("backend saw %v", got)
	}
	if got.Get("Accept-Encoding") != "gzip" {
		t.Errorf("Accept-Encoding = %q, want gzip", got.Get("Accept-Encoding"))
	}
	if len(h) != 3 {
		t.Errorf("caller header modified: %v", h)
	}
}

func TestDoInvalidRequest(t *testing.T) {
	checkLeaks(t)
	c := newClient(t, Options{})
	ctx := testCtx(t)
	tests := []struct {
		name string
		ctx  context.Context
		req  *Request
	}{
		{"nil request", ctx, nil},
		{"nil URL", ctx, &Request{}},
		{"ftp scheme", ctx, &Request{URL: mustURL(t, "ftp://127.0.0.1/x")}},
		{"no scheme", ctx, &Request{URL: mustURL(t, "/relative")}},
		{"no host", ctx, &Request{URL: mustURL(t, "http:///x")}},
		{"nil context", nil, &Request{URL: mustURL(t, "http://127.0.0.1:1/")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Do(tc.ctx, tc.req) //nolint:staticcheck // nil context on purpose
			if !errors.Is(err, ErrInvalidRequest) || resp != nil {
				t.Errorf("got %v, %v; want ErrInvalidRequest", resp, err)
			}
		})
	}
	_, err := c.Do(ctx, &Request{Method: "BAD METHOD", URL: mustURL(t, "http://127.0.0.1:1/")})
	if err == nil {
		t.Error("invalid method token accepted")
	}
}

func TestDoErrorMessage(t *testing.T) {
	checkLeaks(t)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(make([]byte, 11))
	})
	c := newClient(t, Options{})
	_, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL+"/x?token=secret"), MaxBodyBytes: 10})
	want := "GET " + s.URL + "/x: backend response too large (limit 10 bytes)"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Error("query leaked into the error")
	}
}

func TestDoTimeouts(t *testing.T) {
	checkLeaks(t)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stall-body":
			w.Header().Set("Content-Length", "100")
			_, _ = io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		case "/stall-chunked":
			_, _ = io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		select { // hang until the client gives up (bounded for safety)
		case <-r.Context().Done():
		case <-time.After(testTimeout):
		}
	})
	const budget = 150 * time.Millisecond
	tests := []struct {
		name string
		path string
		opts Options
		ctx  time.Duration
	}{
		{"no headers", "/hang", Options{}, budget},
		{"stalled body", "/stall-body", Options{}, budget},
		{"stalled chunked body", "/stall-chunked", Options{}, budget},
		{"response header timeout", "/hang", Options{ResponseHeaderTimeout: budget}, testTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.opts)
			ctx, cancel := context.WithTimeout(context.Background(), tc.ctx)
			defer cancel()
			start := time.Now()
			resp, err := c.Do(ctx, &Request{URL: mustURL(t, s.URL+tc.path)})
			elapsed := time.Since(start)
			if err == nil || resp != nil {
				t.Fatalf("got %v, %v; want a timeout", resp, err)
			}
			t.Logf("error: %v", err)
			if !IsTimeout(err) {
				t.Errorf("IsTimeout(%v) = false", err)
			}
			if elapsed > budget+time.Second {
				t.Errorf("took %v, budget %v", elapsed, budget)
			}
		})
	}
}

func TestDoCancelledIsNotTimeout(t *testing.T) {
	checkLeaks(t)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(testTimeout):
		}
	})
	c := newClient(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Do(ctx, &Request{URL: mustURL(t, s.URL)})
	if err == nil || !errors.Is(err, context.Canceled) || IsTimeout(err) {
		t.Errorf("error = %v; want context.Canceled, not a timeout", err)
	}
}

func TestDoConnectionRefused(t *testing.T) {
	checkLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c := newClient(t, Options{})
	_, err = c.Do(testCtx(t), &Request{URL: mustURL(t, "http://"+addr+"/")})
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	if IsTimeout(err) {
		t.Errorf("IsTimeout(%v) = true for a refused connection", err)
	}
	var op *net.OpError
	if !errors.As(err, &op) {
		t.Errorf("error %v does not wrap the *net.OpError", err)
	}
}

func TestDoHugeResponseHeadersRefused(t *testing.T) {
	checkLeaks(t)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		for i := range 20 {
			w.Header().Set("X-Big-"+string(rune('A'+i)), strings.Repeat("v", 4<<10))
		}
	})
	c := newClient(t, Options{})
	resp, err := get(t, c, s, "/")
	if err == nil || resp != nil {
		t.Fatalf("got %v, %v; want headers refused", resp, err)
	}
	if IsTimeout(err) || !strings.Contains(err.Error(), "exceeded") {
		t.Errorf("error = %v", err)
	}
}

func TestDoReusesConnections(t *testing.T) {
	checkLeaks(t)
	zipped := gzipped(t, []byte(strings.Repeat("gz", 5000)))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cl":
			_, _ = io.WriteString(w, strings.Repeat("a", 300))
		case "/chunked":
			for range 3 {
				_, _ = io.WriteString(w, strings.Repeat("c", 5000))
				w.(http.Flusher).Flush()
			}
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(zipped)
		case "/404":
			http.NotFound(w, r)
		case "/204":
			w.WriteHeader(http.StatusNoContent)
		case "/redirect":
			http.Redirect(w, r, "/cl", http.StatusFound)
		case "/post":
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, "{}")
		}
	})
	paths := []string{"/cl", "/chunked", "/gzip", "/404", "/204", "/redirect", "/post"}
	tests := []struct {
		name      string
		opts      Options
		wantConns int32
	}{
		{"keep-alive", Options{}, 1},
		{"keep-alives disabled", Options{DisableKeepAlives: true}, int32(50 + 50/len(paths))}, // each followed redirect is one more request
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var conns atomic.Int32
			s := httptest.NewUnstartedServer(handler)
			s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
				if st == http.StateNew {
					conns.Add(1)
				}
			}
			s.Start()
			defer s.Close()
			opts := tc.opts
			opts.netHTTPOnly = testNetHTTPOnly
			c := NewClient(opts)
			defer c.CloseIdleConnections()
			for i := range 50 {
				p := paths[i%len(paths)]
				r := &Request{URL: mustURL(t, s.URL+p), FollowRedirects: true}
				if p == "/post" {
					r.Method, r.Body = http.MethodPost, []byte(`{"k":"v"}`)
				}
				if _, err := c.Do(testCtx(t), r); err != nil {
					t.Fatalf("call %d (%s): %v", i, p, err)
				}
			}
			if n := conns.Load(); n != tc.wantConns {
				t.Errorf("50 sequential calls opened %d connections, want %d", n, tc.wantConns)
			}
		})
	}
}

func TestDoTLS(t *testing.T) {
	checkLeaks(t)
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Proto)
	}))
	s.EnableHTTP2 = true
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted handshake is expected to fail
	s.StartTLS()
	t.Cleanup(s.Close)
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())

	trusted := newClient(t, Options{TLSConfig: &tls.Config{RootCAs: pool}})
	resp, err := get(t, trusted, s, "/")
	if err != nil {
		t.Fatalf("trusted: %v", err)
	}
	if string(resp.Body) != "HTTP/2.0" {
		t.Errorf("protocol = %q, want HTTP/2.0", resp.Body)
	}

	untrusted := newClient(t, Options{})
	_, err = get(t, untrusted, s, "/")
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) || IsTimeout(err) {
		t.Errorf("untrusted: error = %v, want an unknown-authority error", err)
	}
}

func TestDoDefaultCap(t *testing.T) {
	checkLeaks(t)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := DefaultMaxBodyBytes
		if r.URL.Path == "/over" {
			n++
		}
		_, _ = w.Write(bytes.Repeat([]byte{'z'}, n))
	})
	c := newClient(t, Options{})
	resp, err := get(t, c, s, "/at")
	if err != nil || len(resp.Body) != DefaultMaxBodyBytes {
		t.Errorf("at the default cap: %v", err)
	}
	if _, err := get(t, c, s, "/over"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the default cap: error = %v, want ErrTooLarge", err)
	}
}

func TestDoConcurrentSharedRequest(t *testing.T) {
	checkLeaks(t)
	zipped := gzipped(t, []byte(strings.Repeat("z", 3000)))
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/start" {
			http.Redirect(w, r, "/gzip", http.StatusFound)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(zipped)
	})
	c := newClient(t, Options{})
	// One Request, header and body shared by every goroutine, as a
	// gateway shares the client's buffered body across backends; the race
	// detector proves Do never writes to them.
	shared := &Request{
		Method: http.MethodGet, URL: mustURL(t, s.URL+"/start"), FollowRedirects: true,
		Header: http.Header{"Authorization": {"Bearer t"}, "Content-Type": {"text/plain"}},
		Body:   []byte("shared body"),
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20*10)
	for range 20 {
		wg.Go(func() {
			for range 10 {
				resp, err := c.Do(testCtx(t), shared)
				if err == nil && len(resp.Body) != 3000 {
					err = errors.New("short body")
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
