package faults

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawExchange sends one GET for path on a fresh connection and returns
// every byte received until the server closes it (or limit passes), and
// the error that ended the read.
func rawExchange(t *testing.T, addr, path string, limit time.Duration) ([]byte, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(limit))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: f\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = io.Copy(&buf, c)
	return buf.Bytes(), err
}

// TestServerRaw checks the faults whose point is what goes on the wire.
func TestServerRaw(t *testing.T) {
	s, err := StartServer(ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	addr := s.Addr()

	t.Run("extra in the same write", func(t *testing.T) {
		b, _ := rawExchange(t, addr, "/fault/extra-0-0/r1/0", 2*time.Second)
		if n := bytes.Count(b, []byte("HTTP/1.1 200 OK")); n != 2 || !bytes.Contains(b, []byte(`"id":"x-r1"`)) {
			t.Errorf("want a response then a junk response of id x-r1, got %q", b)
		}
	})
	t.Run("junk after the last chunk, later", func(t *testing.T) {
		start := time.Now()
		b, _ := rawExchange(t, addr, "/fault/extra-1-20/r2/1", 2*time.Second)
		if !bytes.Contains(b, []byte("0\r\n\r\nHTTP/1.1 200 OK")) || !bytes.Contains(b, []byte(`"id":"x-r2","b":1`)) {
			t.Errorf("want a chunked response then a junk response, got %q", b)
		}
		if took := time.Since(start); took < 20*time.Millisecond {
			t.Errorf("the junk came %v after the request, want ≥ 20ms", took)
		}
		rec, ok := s.Junk("x-r2", 1)
		if !ok || !rec.Delayed || rec.Written.IsZero() || rec.Skipped {
			t.Errorf("junk record %+v, %t", rec, ok)
		}
	})
	t.Run("body after 204", func(t *testing.T) {
		b, _ := rawExchange(t, addr, "/fault/after204-0/r3/0", 2*time.Second)
		if !bytes.HasPrefix(b, []byte("HTTP/1.1 204 No Content\r\n")) || !bytes.Contains(b, []byte(`"id":"x-r3"`)) {
			t.Errorf("want a 204 then a junk response, got %q", b)
		}
	})
	t.Run("reset", func(t *testing.T) {
		b, err := rawExchange(t, addr, "/fault/reset-0/r4/0", 2*time.Second)
		if !errors.Is(err, net.ErrClosed) && !strings.Contains(strings.ToLower(errString(err)), "reset") {
			t.Logf("read ended with %v (a reset may also surface as EOF on loopback)", err)
		}
		resp, rerr := http.ReadResponse(bufioReader(b), nil)
		if rerr != nil {
			t.Fatalf("no head before the reset: %v (%q)", rerr, b)
		}
		if body, err := io.ReadAll(resp.Body); err == nil {
			t.Errorf("the body was complete (%d bytes): want it cut", len(body))
		}
	})
	t.Run("short", func(t *testing.T) {
		b, _ := rawExchange(t, addr, "/fault/short-100/r5/0", 2*time.Second)
		resp, err := http.ReadResponse(bufioReader(b), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("reading the short body: %v, want unexpected EOF", err)
		}
	})

	client := NewClient(4)
	defer client.CloseIdleConnections()
	get := func(t *testing.T, path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	t.Run("ok", func(t *testing.T) {
		resp, b := get(t, "/fault/ok-10/r6/2")
		if resp.StatusCode != 200 || resp.Header.Get(HeaderFaultID) != "r6-2" || !bytes.HasPrefix(b, []byte(`{"id":"r6","b":2,"fault":"ok-10","pad":"xxxxxxxxxx"}`)) {
			t.Errorf("got %d %v %q", resp.StatusCode, resp.Header, b)
		}
	})
	t.Run("headers and statuses", func(t *testing.T) {
		if resp, _ := get(t, "/fault/status-503/r7/0"); resp.StatusCode != 503 {
			t.Errorf("status-503 answered %d", resp.StatusCode)
		}
		if resp, _ := get(t, "/fault/cookie-2/r8/0"); len(resp.Header.Values("Set-Cookie")) != 2 {
			t.Errorf("cookie-2 sent %q", resp.Header.Values("Set-Cookie"))
		}
		if resp, _ := get(t, "/fault/redirect/r9/0"); resp.StatusCode != 302 || resp.Header.Get("Location") != "/fault/redirect/r9/0" {
			t.Errorf("redirect answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ := get(t, "/fault/bigheader-80/r10/0")
		size := 0
		for k, vs := range resp.Header {
			for _, v := range vs {
				size += len(k) + len(v) + 4
			}
		}
		if size < 80_000 {
			t.Errorf("bigheader-80 sent %d header bytes", size)
		}
	})
	t.Run("bodies", func(t *testing.T) {
		if _, b := get(t, "/fault/huge-3-1/r11/0"); len(b) != 3<<10 {
			t.Errorf("huge-3-1 sent %d bytes, want %d", len(b), 3<<10)
		}
		if _, b := get(t, "/fault/deep-5/r12/0"); !bytes.Contains(b, []byte(`"deep":[[[[[]]]]]}`)) {
			t.Errorf("deep-5 sent %q", b)
		}
		resp, b := get(t, "/fault/gzipbomb-2/r13/0")
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("gzipbomb: %v, %v", err, resp.Header)
		}
		if n, err := io.Copy(io.Discard, zr); err != nil || n != 2<<20 || len(b) > 16<<10 {
			t.Errorf("gzipbomb-2: %d bytes inflate to %d (%v), want a few KiB to 2 MiB", len(b), n, err)
		}
		if _, b := get(t, "/fault/badjson-1/r14/0"); !bytes.HasSuffix(b, []byte(`} {"x":1}`)) {
			t.Errorf("badjson-1 sent %q", b)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		start := time.Now()
		if _, b := get(t, "/fault/trickle-5-20/r15/0"); !bytes.Contains(b, []byte(`"pad":"xxxxx"}`)) {
			t.Errorf("trickle sent %q", b)
		}
		if took := time.Since(start); took < 100*time.Millisecond {
			t.Errorf("trickle-5-20 took %v, want ≥ 100ms", took)
		}
	})
	t.Run("hang is released by the caller leaving", func(t *testing.T) {
		before := s.Stats().Cancelled
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(c, "GET /fault/hang/r16/0 HTTP/1.1\r\nHost: f\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, _ := c.Read(make([]byte, 1)); n > 0 {
			t.Errorf("hang answered")
		}
		_ = c.Close()
		deadline := time.Now().Add(5 * time.Second)
		for s.Stats().Cancelled == before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if s.Stats().Cancelled == before {
			t.Errorf("the server did not see the caller leave")
		}
	})
	t.Run("bad path", func(t *testing.T) {
		before := s.Stats().BadRequests
		if resp, _ := get(t, "/fault/nope/r17/0"); resp.StatusCode != 400 || s.Stats().BadRequests != before+1 {
			t.Errorf("bad fault answered %d", resp.StatusCode)
		}
	})
}

// errString returns err's text, "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// bufioReader wraps b for http.ReadResponse.
func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
