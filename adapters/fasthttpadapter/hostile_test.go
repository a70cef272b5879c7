package fasthttpadapter

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
)

// TestOversizeUploadIsAnswered: a client that sends a large body in full
// before reading (urllib, many SDKs) gets the answer (413 over the cap,
// 404 on an unknown path) and its JSON body, not a reset: the adapter
// drains the body it did not read before closing.
func TestOversizeUploadIsAnswered(t *testing.T) {
	small, backend := startFast(t, "1048576")
	large, largeBackend := startFast(t, "16777216")
	const tenMB = 10 << 20
	piece := bytes.Repeat([]byte("a"), 64<<10)
	chunked := chunk(piece)
	for _, tc := range []struct {
		name    string
		addr    string
		target  string
		chunked bool
		status  int
		body    string
	}{
		{"content-length over the cap", small, "/in", false, http.StatusRequestEntityTooLarge,
			`{"error":"payload_too_large","message":"request body larger than 1048576 bytes"}`},
		{"chunked over the cap", small, "/in", true, http.StatusRequestEntityTooLarge,
			`{"error":"payload_too_large","message":"request body larger than 1048576 bytes"}`},
		{"content-length to an unknown path", large, "/nowhere", false, http.StatusNotFound,
			`{"error":"not_found","message":"no endpoint matches POST /nowhere"}`},
		{"chunked to an unknown path", small, "/nowhere", true, http.StatusRequestEntityTooLarge,
			`{"error":"payload_too_large","message":"request body larger than 1048576 bytes"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := dial(t, tc.addr)
			head := "POST " + tc.target + " HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
			if tc.chunked {
				head += "Transfer-Encoding: chunked\r\n\r\n"
			} else {
				head += "Content-Length: " + strconv.Itoa(tenMB) + "\r\n\r\n"
			}
			if _, err := conn.Write([]byte(head)); err != nil {
				t.Fatalf("writing the request head: %v", err)
			}
			for sent := 0; sent < tenMB; sent += len(piece) {
				p := piece
				if tc.chunked {
					p = chunked
				}
				if _, err := conn.Write(p); err != nil {
					t.Fatalf("writing the body failed after %d bytes: %v (the server dropped the connection)", sent, err)
				}
			}
			if tc.chunked {
				if _, err := conn.Write([]byte("0\r\n\r\n")); err != nil {
					t.Fatalf("writing the last chunk: %v", err)
				}
			}
			br := bufio.NewReader(conn)
			resp, err := readResponse(br)
			if err != nil {
				t.Fatalf("reading the answer after a complete upload: %v", err)
			}
			if resp.status != tc.status || resp.body != tc.body {
				t.Fatalf("got %d %s, want %d %s", resp.status, resp.body, tc.status, tc.body)
			}
			if !resp.close {
				t.Errorf("the answer does not carry Connection: close (header %v)", resp.header)
			}
			expectClosed(t, br)
		})
	}
	if n := backend.total() + largeBackend.total(); n != 0 {
		t.Errorf("the backends received %d requests; rejected uploads must reach none", n)
	}
}

// TestLingeringDrainIsBounded: a client that never stops sending gets its
// 413, then is cut off after at most lingerBytes (or lingerTimeout for a
// trickle); the drain ends (the package's goroutine check would fail
// otherwise).
func TestLingeringDrainIsBounded(t *testing.T) {
	addr, backend := startFast(t, "1048576")
	for _, tc := range []struct {
		name    string
		chunked bool
		slow    bool
	}{
		{"fast sender with a content-length", false, false},
		{"fast chunked sender", true, false},
		{"slow sender", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn := dial(t, addr)
			head := "POST /in HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
			if tc.chunked {
				head += "Transfer-Encoding: chunked\r\n\r\n"
			} else {
				head += "Content-Length: " + strconv.Itoa(1<<40) + "\r\n\r\n"
			}
			if _, err := conn.Write([]byte(head)); err != nil {
				t.Fatalf("writing the request head: %v", err)
			}
			piece := bytes.Repeat([]byte("a"), 64<<10)
			if tc.slow {
				piece = piece[:4<<10]
			}
			if tc.chunked {
				piece = chunk(piece)
			}
			type sent struct {
				n   int64
				err error
			}
			done := make(chan sent, 1)
			go func() {
				var n int64
				for {
					if tc.slow {
						time.Sleep(10 * time.Millisecond)
					}
					m, err := conn.Write(piece)
					n += int64(m)
					if err != nil {
						done <- sent{n, err}
						return
					}
				}
			}()
			resp, err := readResponse(bufio.NewReader(conn))
			if err != nil {
				t.Errorf("reading the answer while sending: %v", err)
			} else if want := `{"error":"payload_too_large","message":"request body larger than 1048576 bytes"}`; resp.status != http.StatusRequestEntityTooLarge || resp.body != want {
				t.Errorf("got %d %s, want 413 %s", resp.status, resp.body, want)
			}
			res := <-done
			var ne net.Error
			if errors.As(res.err, &ne) && ne.Timeout() {
				t.Fatalf("the server never cut the sender off (sent %d bytes)", res.n)
			}
			if !tc.slow && res.n < lingerBytes {
				t.Errorf("the server stopped reading after %d bytes, before the %d-byte linger bound", res.n, lingerBytes)
			}
			if res.n > 2*lingerBytes {
				t.Errorf("the server read %d bytes, far past the %d-byte linger bound", res.n, lingerBytes)
			}
		})
	}
	t.Cleanup(func() {
		if n := backend.total(); n != 0 {
			t.Errorf("the backend received %d requests", n)
		}
	})
}

// TestSmuggledRequestIsNeverServed: a request framed by both
// Content-Length and chunked, with a request hidden after the last chunk,
// is answered and the connection closes; the hidden request never runs.
func TestSmuggledRequestIsNeverServed(t *testing.T) {
	addr, backend := startFast(t, "1048576")
	hidden := "GET /hidden HTTP/1.1\r\nHost: gw\r\n\r\n"
	body := "7\r\n{\"a\":1}\r\n0\r\n\r\n"
	for _, tc := range []struct{ name, head string }{
		{"content-length and chunked", "Content-Length: " + strconv.Itoa(len(body+hidden)) + "\r\nTransfer-Encoding: chunked\r\n"},
		{"chunked and content-length", "Transfer-Encoding: chunked\r\nContent-Length: " + strconv.Itoa(len(body+hidden)) + "\r\n"},
		{"chunked alone", "Transfer-Encoding: chunked\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := dial(t, addr)
			req := "POST /in HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n" + tc.head + "\r\n" + body + hidden
			if _, err := conn.Write([]byte(req)); err != nil {
				t.Fatalf("write: %v", err)
			}
			br := bufio.NewReader(conn)
			resp, err := readResponse(br)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if resp.status != http.StatusOK || !resp.close {
				t.Fatalf("first request: %d close=%v %s", resp.status, resp.close, resp.body)
			}
			expectClosed(t, br)
		})
	}
	if n := backend.count("/secret"); n != 0 {
		t.Errorf("the hidden request reached the backend %d times", n)
	}
	if n := backend.count("/sink"); n != 3 {
		t.Errorf("the framed requests reached the backend %d times, want 3", n)
	}
}

// slowConfig has short read timeouts, for the slow-client tests.
const slowConfig = `{"version": 3, "read_header_timeout": "300ms", "read_timeout": "300ms",
  "extra_config": {"tributary": {"max_request_body_bytes": BODYCAP}},
  "endpoints": [{"endpoint": "/in", "method": "POST", "input_headers": ["Content-Type"],
    "backend": [{"host": ["BACKEND"], "url_pattern": "/sink"}]}]}`

// TestSlowClients: a head that never ends (slowloris) and a declared body
// that never comes are both cut off at the read timeouts, on both servers,
// and no backend is called. No time is measured: the connection must
// close before the test's own bound.
func TestSlowClients(t *testing.T) {
	g := startBoth(t, "1024", slowConfig)
	for _, tc := range []struct{ name, request string }{
		{"slowloris head", "POST /in HTTP/1.1\r\nHost: gw\r\nX-Slow: a"},
		{"stalled body", "POST /in HTTP/1.1\r\nHost: gw\r\nContent-Length: 10\r\n\r\n{"},
	} {
		for _, srv := range []struct{ name, addr string }{{"net/http", g.net}, {"fasthttp", g.fast}} {
			t.Run(tc.name+" "+srv.name, func(t *testing.T) {
				t.Parallel()
				conn := dial(t, srv.addr)
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.WriteString(conn, tc.request); err != nil {
					t.Fatal(err)
				}
				data, err := io.ReadAll(conn)
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatalf("the connection stayed open (read %q)", data)
				}
				if len(data) > 0 && !strings.HasPrefix(string(data), "HTTP/1.1 4") {
					t.Errorf("answered %q, want nothing or a 4xx", data)
				}
			})
		}
	}
	t.Cleanup(func() {
		if n := g.netBackend.total() + g.fastBackend.total(); n != 0 {
			t.Errorf("the backends received %d requests", n)
		}
	})
}

// TestClientLeavingCancelsBackendCalls: a client that closes its
// connection while the gateway waits on a backend cancels that call, as
// with net/http's server; the backend sees its request end long before
// the endpoint timeout (10 s).
func TestClientLeavingCancelsBackendCalls(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the client watch is Linux-only")
	}
	arrived, left := make(chan struct{}, 1), make(chan struct{}, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
			left <- struct{}{}
		case <-time.After(20 * time.Second):
		}
	}))
	t.Cleanup(backend.Close)
	gw, p := compile(t, `{"version": 3, "timeout": "10s", "endpoints": [{"endpoint": "/slow", "backend": [{"host": ["`+backend.URL+`"], "url_pattern": "/slow"}]}]}`)
	addr := serveFast(t, New(gw, httpadapter.New(gw, httpadapter.Options{}), Options{}), p.Server)
	conn := dial(t, addr)
	if _, err := io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: gw\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("the backend call never started")
	}
	_ = conn.Close()
	select {
	case <-left:
	case <-time.After(5 * time.Second):
		t.Fatal("the backend call was not canceled when the client left")
	}
}
