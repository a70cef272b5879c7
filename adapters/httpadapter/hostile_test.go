package httpadapter

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOversizeUploadIsAnswered sends, on a raw connection, a large body
// in full before reading anything, the way Python's urllib and many SDKs
// do. The gateway answers before reading all of it (413 over the cap, 404
// for an unknown path, where the body is not read at all); the client must
// still finish writing and then read that answer and its JSON body, not a
// connection reset.
func TestOversizeUploadIsAnswered(t *testing.T) {
	small, backend := startGateway(t, "1048576")
	// Caps above 10 MB, so that a 10 MB Content-Length is not refused
	// before routing.
	large, largeBackend := startGateway(t, "16777216")
	const tenMB = 10 << 20
	piece := bytes.Repeat([]byte("a"), 64<<10)
	chunked := chunk(piece)
	for _, tc := range []struct {
		name    string
		addr    string
		target  string
		size    int // a multiple of 64 KiB
		chunked bool
		status  int
		body    string
	}{
		{"content-length over the cap", small, "/in", tenMB, false, http.StatusRequestEntityTooLarge,
			`{"error":"payload_too_large","message":"request body larger than 1048576 bytes"}`},
		{"chunked over the cap", small, "/in", tenMB, true, http.StatusRequestEntityTooLarge,
			`{"error":"payload_too_large","message":"request body larger than 1048576 bytes"}`},
		{"content-length to an unknown path", large, "/nowhere", tenMB, false, http.StatusNotFound,
			`{"error":"not_found","message":"no endpoint matches POST /nowhere"}`},
		// A body of unknown length is read under the largest cap before
		// routing (krakend-compat §8 stage 2): 413 whatever the path.
		{"chunked to an unknown path", small, "/nowhere", tenMB, true, http.StatusRequestEntityTooLarge,
			`{"error":"payload_too_large","message":"request body larger than 1048576 bytes"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := dial(t, tc.addr)
			head := "POST " + tc.target + " HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
			if tc.chunked {
				head += "Transfer-Encoding: chunked\r\n\r\n"
			} else {
				head += "Content-Length: " + strconv.Itoa(tc.size) + "\r\n\r\n"
			}
			if _, err := conn.Write([]byte(head)); err != nil {
				t.Fatalf("writing the request head: %v", err)
			}
			for sent := 0; sent < tc.size; sent += len(piece) {
				p := piece
				if tc.chunked {
					p = chunked
				}
				if _, err := conn.Write(p); err != nil {
					t.Fatalf("writing the body failed after %d of %d bytes: %v (the server dropped the connection instead of reading the body)", sent, tc.size, err)
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
			if ct := resp.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
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

// TestBodyCapBoundary pins the cap to the byte, with and without a
// Content-Length: a body of exactly the cap is served, one byte more is
// 413 payload_too_large (never 400: the adapter's own reader must let the
// core see the byte past the cap).
func TestBodyCapBoundary(t *testing.T) {
	const bodyCap = 1024
	addr, backend := startGateway(t, strconv.Itoa(bodyCap))
	for _, tc := range []struct {
		size    int
		chunked bool
		status  int
	}{
		{bodyCap, false, http.StatusOK},
		{bodyCap, true, http.StatusOK},
		{bodyCap + 1, false, http.StatusRequestEntityTooLarge},
		{bodyCap + 1, true, http.StatusRequestEntityTooLarge},
	} {
		t.Run(fmt.Sprintf("%d bytes chunked=%v", tc.size, tc.chunked), func(t *testing.T) {
			body := []byte(`"` + strings.Repeat("a", tc.size-2) + `"`)
			head := "POST /in HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
			if tc.chunked {
				head += "Transfer-Encoding: chunked\r\n\r\n"
				body = append(chunk(body), "0\r\n\r\n"...)
			} else {
				head += "Content-Length: " + strconv.Itoa(tc.size) + "\r\n\r\n"
			}
			conn := dial(t, addr)
			if _, err := conn.Write(append([]byte(head), body...)); err != nil {
				t.Fatalf("write: %v", err)
			}
			resp, err := readResponse(bufio.NewReader(conn))
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if resp.status != tc.status {
				t.Fatalf("got %d %s, want %d", resp.status, resp.body, tc.status)
			}
			if tc.status == http.StatusRequestEntityTooLarge {
				want := `{"error":"payload_too_large","message":"request body larger than 1024 bytes"}`
				if resp.body != want {
					t.Errorf("body %s, want %s", resp.body, want)
				}
			}
		})
	}
	if n := backend.count("/sink"); n != 2 {
		t.Errorf("the backend received %d requests, want 2 (the two bodies at the cap)", n)
	}
}

// TestSmallUnreadBodyKeepsConnection: when the gateway answers without
// reading a small body with a declared length, net/http discards it and
// keeps the connection; the lingering close is not used there.
func TestSmallUnreadBodyKeepsConnection(t *testing.T) {
	addr, _ := startGateway(t, "1048576")
	conn := dial(t, addr)
	body := strings.Repeat("a", 1024)
	req := "POST /nowhere HTTP/1.1\r\nHost: gw\r\nContent-Length: 1024\r\n\r\n" + body +
		"GET /__health HTTP/1.1\r\nHost: gw\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatalf("write: %v", err)
	}
	br := bufio.NewReader(conn)
	first, err := readResponse(br)
	if err != nil || first.status != http.StatusNotFound || first.close {
		t.Fatalf("first answer: %+v, %v; want a 404 that keeps the connection", first, err)
	}
	second, err := readResponse(br)
	if err != nil || second.status != http.StatusOK {
		t.Fatalf("second answer on the same connection: %+v, %v", second, err)
	}
}

// TestLingeringDrainIsBounded: a client that keeps sending after the
// gateway has answered is read for at most lingerBytes or lingerTimeout,
// then cut off; it gets the 413 first, and the handler returns (the
// server's shutdown and the package's goroutine check would fail
// otherwise).
func TestLingeringDrainIsBounded(t *testing.T) {
	addr, backend := startGateway(t, "1048576")
	for _, tc := range []struct {
		name    string
		chunked bool
		slow    bool // a trickle, so the time bound ends the drain
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

// TestSmuggledRequestIsNeverServed sends a request framed by both
// Content-Length and Transfer-Encoding: chunked, with a second request
// hidden after the last chunk. Chunked framing wins (RFC 9112 §6.3), and
// the connection must then close, so the hidden request never runs.
func TestSmuggledRequestIsNeverServed(t *testing.T) {
	addr, backend := startGateway(t, "1048576")
	hidden := "GET /hidden HTTP/1.1\r\nHost: gw\r\n\r\n"
	body := "7\r\n{\"a\":1}\r\n0\r\n\r\n"
	for _, tc := range []struct {
		name string
		head string
	}{
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
			if resp.status != http.StatusOK {
				t.Fatalf("first request: %d %s", resp.status, resp.body)
			}
			if !resp.close {
				t.Errorf("the answer to a chunked request does not carry Connection: close (header %v)", resp.header)
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

// tooManyFieldsBody is the body the Lambda adapter answers an event with
// more than 128 header fields (lambdaadapter errorResult of
// errHeadersTooLarge); server mode must send the same bytes.
const tooManyFieldsBody = `{"error":"headers_too_large","message":"more than 128 header fields"}`

// TestHeaderFieldCap: server mode caps a request at 128 header fields,
// Host included and every value counted, like the Lambda adapter; over it
// the answer is 431 with the Lambda adapter's exact body.
func TestHeaderFieldCap(t *testing.T) {
	addr, _ := startGateway(t, "1048576")
	// request builds a request of exactly fields header fields: Host, the
	// named ones, and Content-Length when body is not empty.
	request := func(fields int, name func(i int) string, body string) string {
		var b strings.Builder
		b.WriteString("GET /__health HTTP/1.1\r\nHost: gw\r\n")
		n := fields - 1
		if body != "" {
			n--
		}
		for i := range n {
			b.WriteString(name(i) + ": v\r\n")
		}
		if body != "" {
			b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
		}
		return b.String() + "\r\n" + body
	}
	distinct := func(i int) string { return "X-Field-" + strconv.Itoa(i) }
	same := func(int) string { return "X-Same" }
	for _, tc := range []struct {
		name   string
		req    string
		status int
	}{
		{"128 fields", request(128, distinct, ""), http.StatusOK},
		{"128 fields, one name repeated", request(128, same, ""), http.StatusOK},
		{"128 fields with a body", request(128, distinct, "{}"), http.StatusOK},
		{"129 fields", request(129, distinct, ""), http.StatusRequestHeaderFieldsTooLarge},
		{"129 fields, one name repeated", request(129, same, ""), http.StatusRequestHeaderFieldsTooLarge},
		{"129 fields with a body", request(129, distinct, "{}"), http.StatusRequestHeaderFieldsTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := dial(t, addr)
			if _, err := conn.Write([]byte(tc.req)); err != nil {
				t.Fatalf("write: %v", err)
			}
			resp, err := readResponse(bufio.NewReader(conn))
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if resp.status != tc.status {
				t.Fatalf("got %d %s, want %d", resp.status, resp.body, tc.status)
			}
			if tc.status != http.StatusRequestHeaderFieldsTooLarge {
				return
			}
			if resp.body != tooManyFieldsBody {
				t.Errorf("body %s, want %s", resp.body, tooManyFieldsBody)
			}
			if got := resp.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if got := resp.header.Get("X-Tributary-Completed"); got != "false" {
				t.Errorf("X-Tributary-Completed %q", got)
			}
		})
	}
}

// TestHandlerWithoutConnection runs the Handler the way the Lambda adapter
// does, with a ResponseWriter that is not a connection and a request
// net/http never parsed: an oversize body is answered at once (no drain,
// nothing blocks), and the header-field cap is left to the Lambda adapter,
// which counts the event's fields before conversion adds framing fields.
func TestHandlerWithoutConnection(t *testing.T) {
	backend := newCountingBackend(t)
	h, _ := newTestHandler(t, backend, "16")

	// A body that never ends: a drain would block forever.
	r := httptest.NewRequest(http.MethodPost, "/in", endless{})
	r.ContentLength = -1
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize body: %d %s", w.Code, w.Body)
	}
	if got := w.Header().Get("Connection"); got != "close" {
		t.Errorf("Connection %q, want close (the Lambda adapter drops it)", got)
	}

	r = httptest.NewRequest(http.MethodGet, "/__health", nil)
	for i := range 200 {
		r.Header.Add("X-Field-"+strconv.Itoa(i), "v")
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("many header fields outside net/http: %d %s", w.Code, w.Body)
	}
	if n := backend.total(); n != 0 {
		t.Errorf("the backend received %d requests", n)
	}
}

// endless is a request body that never ends.
type endless struct{}

// Read fills p.
func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
