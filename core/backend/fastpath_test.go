package backend

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scripted is a loopback HTTP/1.1 server that answers every request with
// the bytes of reply(n), n counting requests from 1; closeAfter closes each
// connection after that many responses (0: never). A negative closeAfter
// answers -closeAfter requests on a connection, then reads the next request
// and closes the connection without answering it, as a server that timed
// the connection out just as the request arrived does.
type scripted struct {
	url      string
	conns    atomic.Int32
	requests atomic.Int32
	raw      chan string // each request head as received
}

func newScripted(t *testing.T, closeAfter int, reply func(n int) string) *scripted {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scripted{url: "http://" + ln.Addr().String(), raw: make(chan string, 100)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			mu.Lock()
			open = append(open, conn)
			mu.Unlock()
			wg.Go(func() { s.serve(conn, closeAfter, reply) })
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range open {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

func (s *scripted) serve(conn net.Conn, closeAfter int, reply func(n int) string) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	br := bufio.NewReader(conn)
	for served := 0; closeAfter <= 0 || served < closeAfter; served++ {
		var head strings.Builder
		length := 0
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			head.WriteString(line)
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
			if line == "\r\n" {
				break
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		if closeAfter < 0 && served >= -closeAfter {
			return
		}
		select {
		case s.raw <- head.String() + string(body):
		default:
		}
		n := int(s.requests.Add(1))
		if _, err := io.WriteString(conn, reply(n)); err != nil {
			return
		}
	}
}

// newFastClient returns a Client that uses the fast path whatever the
// suite's mode.
func newFastClient(t *testing.T, o Options) *Client {
	t.Helper()
	c := newClient(t, o)
	c.fast = newFastTransport(o, c.transport)
	c.rt = c.fast
	return c
}

func TestFastPathFraming(t *testing.T) {
	checkLeaks(t)
	big := "X-Big: " + strings.Repeat("v", MaxResponseHeaderBytes) + "\r\n"
	tests := []struct {
		name      string
		method    string
		resp      string
		wantBody  string
		wantErr   string // substring; "" means success
		wantConns int32  // connections used by two identical calls
	}{
		{"content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "hello", "", 1},
		{"duplicate equal content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", "hello", "", 1},
		{"chunked with extensions and trailers", "GET",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6;a=\"b\"\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
			"hello world", "", 1},
		{"chunk size with trailing space", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nok\r\n0\r\n\r\n", "ok", "", 1},
		{"1xx then 200", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "ok", "", 1},
		{"connection close", "GET", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", "ok", "", 2},
		{"http/1.0 without keep-alive", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", "ok", "", 2},
		{"http/1.0 keep-alive", "GET", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", "ok", "", 1},
		{"head ignores content-length", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "", "", 1},
		{"204 has no body", "GET", "HTTP/1.1 204 No Content\r\n\r\n", "", "", 1},
		{"bad chunk size", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "", "bad chunk size", 0},
		{"negative chunk size", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", "", "bad chunk size", 0},
		{"huge chunk size", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nhello\r\n0\r\n\r\n", "", "too large", 0},
		{"space before chunk extension", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 ;x\r\nhello\r\n0\r\n\r\n", "", "bad chunk size", 0},
		{"chunk without CRLF", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", "", "CRLF", 0},
		{"truncated chunked body", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhel", "", "unexpected EOF", 0},
		{"content-length and transfer-encoding", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "", "both", 0},
		{"duplicate content-length mismatch", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", "", "conflicting", 0},
		{"signed content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello", "", "Content-Length", 0},
		{"unsupported transfer-encoding", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "", "Transfer-Encoding", 0},
		{"header too large", "GET", "HTTP/1.1 200 OK\r\n" + big + "Content-Length: 0\r\n\r\n", "", "exceeded", 0},
		{"101 refused", "GET", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", "", "101", 0},
		{"bare LF", "GET", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", "", "CRLF", 0},
		{"obsolete line folding", "GET", "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 0\r\n\r\n", "", "header", 0},
		{"space before colon", "GET", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", "", "header name", 0},
		{"NUL in header", "GET", "HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n", "", "control", 0},
		{"bad status line", "GET", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", "", "status", 0},
		{"http/2 status line", "GET", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", "", "status", 0},
		{"truncated content-length body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello", "", "unexpected EOF", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			closeAfter := 0
			if strings.Contains(tc.resp, "close") || tc.wantErr != "" || strings.HasPrefix(tc.resp, "HTTP/1.0 200 OK\r\nContent") {
				closeAfter = 1 // the server also ends what the client must not reuse
			}
			s := newScripted(t, closeAfter, func(int) string { return tc.resp })
			c := newFastClient(t, Options{})
			calls := 2
			if tc.wantErr != "" {
				calls = 1
			}
			for range calls {
				resp, err := c.Do(testCtx(t), &Request{Method: tc.method, URL: mustURL(t, s.url+"/x")})
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if string(resp.Body) != tc.wantBody {
					t.Errorf("body = %q, want %q", resp.Body, tc.wantBody)
				}
			}
			if n := s.conns.Load(); n != tc.wantConns {
				t.Errorf("two calls used %d connections, want %d", n, tc.wantConns)
			}
		})
	}
}

func TestFastPathRetriesOnlyIdempotentRequests(t *testing.T) {
	checkLeaks(t)
	tests := []struct {
		method    string
		wantRetry bool
	}{
		{"GET", true},
		{"HEAD", true},
		{"OPTIONS", true},
		{"POST", false},
		{"PUT", false},
		{"DELETE", false},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			// The server drops every connection when a second request
			// arrives on it, without answering: the pooled connection passes
			// the idle check and dies once the request is written.
			s := newScripted(t, -1, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
			c := newFastClient(t, Options{})
			call := func() error {
				_, err := c.Do(testCtx(t), &Request{Method: tc.method, URL: mustURL(t, s.url+"/"), Body: []byte("b")})
				return err
			}
			if err := call(); err != nil {
				t.Fatalf("first call: %v", err)
			}
			waitFor(t, func() bool { return s.conns.Load() == 1 && s.requests.Load() == 1 })
			time.Sleep(20 * time.Millisecond) // let the server's close arrive
			err := call()
			if tc.wantRetry && err != nil {
				t.Fatalf("second call not retried: %v", err)
			}
			t.Logf("second call: %v", err)
			if !tc.wantRetry && err == nil {
				t.Fatal("second call succeeded: it was replayed on a fresh connection")
			}
			wantRequests := int32(1)
			if tc.wantRetry {
				wantRequests = 2
			}
			if n := s.requests.Load(); n != wantRequests {
				t.Errorf("server answered %d requests, want %d", n, wantRequests)
			}
		})
	}
}

// waitFor polls cond for up to testTimeout.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(testTimeout); !cond(); {
		if time.Now().After(end) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFastPathRequestBytes(t *testing.T) {
	checkLeaks(t)
	tests := []struct {
		name string
		o    Options
		req  Request
		want string
	}{
		{"get with headers in order", Options{},
			Request{URL: nil, Header: http.Header{"X-B": {"2", " two "}, "User-Agent": {"UA"}, "X-A": {"1"}, "Host": {"evil"}, "host": {"evil"}, "Content-Length": {"9"}, "transfer-encoding": {"chunked"}}},
			"GET /p%20q?a=1&b=%20 HTTP/1.1\r\nHost: HOST\r\nUser-Agent: UA\r\nX-A: 1\r\nX-B: 2\r\nX-B: two\r\nAccept-Encoding: gzip\r\n\r\n"},
		{"default user agent, no compression, no keep-alive", Options{DisableCompression: true, DisableKeepAlives: true},
			Request{Method: "DELETE"},
			"DELETE /p%20q?a=1&b=%20 HTTP/1.1\r\nHost: HOST\r\nUser-Agent: Go-http-client/1.1\r\nConnection: close\r\n\r\n"},
		{"empty user agent, caller's Accept-Encoding", Options{},
			Request{Header: http.Header{"User-Agent": {""}, "Accept-Encoding": {"br"}}},
			"GET /p%20q?a=1&b=%20 HTTP/1.1\r\nHost: HOST\r\nAccept-Encoding: br\r\n\r\n"},
		{"post with body", Options{},
			Request{Method: "POST", Body: []byte(`{"a":1}`), Header: http.Header{"User-Agent": {"UA"}}},
			"POST /p%20q?a=1&b=%20 HTTP/1.1\r\nHost: HOST\r\nUser-Agent: UA\r\nContent-Length: 7\r\nAccept-Encoding: gzip\r\n\r\n{\"a\":1}"},
		{"empty post sends Content-Length 0", Options{},
			Request{Method: "POST", Header: http.Header{"User-Agent": {"UA"}}},
			"POST /p%20q?a=1&b=%20 HTTP/1.1\r\nHost: HOST\r\nUser-Agent: UA\r\nContent-Length: 0\r\nAccept-Encoding: gzip\r\n\r\n"},
		{"head asks for no gzip", Options{},
			Request{Method: "HEAD", Header: http.Header{"User-Agent": {"UA"}}},
			"HEAD /p%20q?a=1&b=%20 HTTP/1.1\r\nHost: HOST\r\nUser-Agent: UA\r\n\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t, 0, func(int) string { return "HTTP/1.1 204 No Content\r\n\r\n" })
			c := newFastClient(t, tc.o)
			r := tc.req
			r.URL = mustURL(t, s.url+"/p%20q?a=1&b=%20")
			if _, err := c.Do(testCtx(t), &r); err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tc.want, "HOST", strings.TrimPrefix(s.url, "http://"))
			if got := <-s.raw; got != want {
				t.Errorf("request =\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestFastPathRefusesInjection(t *testing.T) {
	checkLeaks(t)
	s := newScripted(t, 0, func(int) string { return "HTTP/1.1 204 No Content\r\n\r\n" })
	c := newFastClient(t, Options{})
	tests := []struct {
		name   string
		method string
		url    string
		h      http.Header
	}{
		{"CRLF in value", "GET", "/", http.Header{"X-A": {"a\r\nX-Evil: 1"}}},
		{"LF in value", "GET", "/", http.Header{"X-A": {"a\nb"}}},
		{"NUL in value", "GET", "/", http.Header{"X-A": {"a\x00b"}}},
		{"DEL in value", "GET", "/", http.Header{"X-A": {"a\x7fb"}}},
		{"CR in name", "GET", "/", http.Header{"X-A\r\nX-Evil": {"1"}}},
		{"space in name", "GET", "/", http.Header{"X A": {"1"}}},
		{"empty name", "GET", "/", http.Header{"": {"1"}}},
		{"bad method", "GET / HTTP/1.1\r\n", "/", nil},
		{"space in raw query", "GET", "/?a=b c", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := mustURL(t, s.url+"/")
			if q, ok := strings.CutPrefix(tc.url, "/?"); ok {
				u.RawQuery = q
			}
			_, err := c.Do(testCtx(t), &Request{Method: tc.method, URL: u, Header: tc.h})
			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("error = %v, want ErrInvalidRequest", err)
			}
		})
	}
	if n := s.conns.Load(); n != 0 {
		t.Errorf("%d connections opened for invalid requests", n)
	}
}

func TestFastPathIdlePool(t *testing.T) {
	checkLeaks(t)
	s := newScripted(t, 0, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
	o := Options{IdleConnTimeout: 50 * time.Millisecond, MaxIdleConnsPerHost: 2}
	c := newFastClient(t, o)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.url+"/")}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	idle := func() int {
		c.fast.mu.Lock()
		defer c.fast.mu.Unlock()
		return c.fast.idleTotal
	}
	if n := idle(); n < 1 || n > 2 {
		t.Errorf("%d idle connections, want 1 or 2 (MaxIdleConnsPerHost)", n)
	}
	waitFor(t, func() bool { return idle() == 0 }) // IdleConnTimeout
	c.fast.mu.Lock()
	hosts := len(c.fast.hosts)
	c.fast.mu.Unlock()
	if hosts != 0 {
		t.Errorf("%d hosts still tracked", hosts)
	}

	if _, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.url+"/")}); err != nil {
		t.Fatal(err)
	}
	c.CloseIdleConnections()
	if n := idle(); n != 0 {
		t.Errorf("%d idle connections after CloseIdleConnections", n)
	}
}

func TestFastPathUsedForHTTP(t *testing.T) {
	checkLeaks(t)
	s := newScripted(t, 0, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
	c := newFastClient(t, Options{})
	if _, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.url+"/")}); err != nil {
		t.Fatal(err)
	}
	c.fast.mu.Lock()
	n := c.fast.idleTotal
	c.fast.mu.Unlock()
	if n != 1 {
		t.Errorf("fast path pooled %d connections, want 1", n)
	}
	if newFastTransport(Options{ExpectContinueTimeout: time.Second}, c.transport) != nil {
		t.Error("fast path used with ExpectContinueTimeout")
	}
}

// TestFastPathIsARoundTripper checks the fast path as an http.RoundTripper:
// a plain-http request with no body or a body from this package takes it;
// a streamed body or https goes to net/http's transport behind it.
func TestFastPathIsARoundTripper(t *testing.T) {
	checkLeaks(t)
	s := newScripted(t, 0, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
	c := newFastClient(t, Options{})
	var rt http.RoundTripper = c.fast
	pooled := func() int {
		c.fast.mu.Lock()
		defer c.fast.mu.Unlock()
		return c.fast.idleTotal
	}
	for _, tc := range []struct {
		name     string
		req      *http.Request
		wantFast bool
	}{
		{"no body", newRequest(testCtx(t), http.MethodGet, mustURL(t, s.url+"/a"), http.Header{}, nil), true},
		{"package body", newRequest(testCtx(t), http.MethodPost, mustURL(t, s.url+"/b"), http.Header{}, []byte("xy")), true},
		{"streamed body", func() *http.Request {
			r, _ := http.NewRequestWithContext(testCtx(t), http.MethodPost, s.url+"/c", io.NopCloser(strings.NewReader("xy")))
			r.ContentLength = 2
			return r
		}(), false},
	} {
		c.CloseIdleConnections()
		resp, err := rt.RoundTrip(tc.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if string(b) != "ok" || resp.Request != tc.req {
			t.Errorf("%s: body %q, Request set %v", tc.name, b, resp.Request == tc.req)
		}
		if got := pooled() == 1; got != tc.wantFast {
			t.Errorf("%s: went through the fast path: %v, want %v", tc.name, got, tc.wantFast)
		}
	}
	c.CloseIdleConnections()
	raw := <-s.raw
	for len(s.raw) > 0 {
		raw = <-s.raw
	}
	if !strings.HasSuffix(raw, "\r\n\r\nxy") {
		t.Errorf("the streamed body was not sent: %q", raw)
	}
}

// BenchmarkReadResponse measures the response parser alone.
func BenchmarkReadResponse(b *testing.B) {
	raw := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Thu, 26 Nov 2026 00:00:00 GMT\r\nContent-Length: 300\r\n\r\n")
	rd := bytes.NewReader(raw)
	br := bufio.NewReader(rd)
	var scratch []byte
	var resp http.Response
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(raw)
		br.Reset(rd)
		if _, err := readResponse(br, "GET", &scratch, &resp); err != nil {
			b.Fatal(err)
		}
	}
}
