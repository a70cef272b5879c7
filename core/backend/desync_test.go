package backend

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// tagServer is a raw HTTP/1.1 backend that answers "GET /N" (or HEAD) with
// a response tagged N — header "X-Id: N" and body {"id":"N"} — and then
// misbehaves as its shape says, typically by sending a complete, valid
// response tagged "evil-N" that nobody asked for. A client that reads those
// bytes as the answer to its next request hands one caller's data to
// another; the tests below check that never happens.
type tagServer struct {
	url   string
	shape string
	late  time.Duration // delay before a "later" write
	wrote chan string   // the id of each late write, once it is written
}

// Shapes of tagServer.
const (
	shapeExtraSame  = "extra bytes after a Content-Length body, same write"
	shapeExtraLater = "extra bytes after a Content-Length body, later write"
	shape204Later   = "a body after a 204, later write"
	shape204Same    = "a body after a 204, same write"
	shapeChunkLater = "bytes after the last chunk, later write"
	shapeHeadLater  = "a body after a HEAD response, later write"
	shapeClose      = "idle connections closed at random"
)

// tagBody is the body of the response tagged id.
func tagBody(id string) string { return `{"id":"` + id + `"}` }

// tagResponse is a complete keep-alive response tagged id.
func tagResponse(id string) string {
	b := tagBody(id)
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nX-Id: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", id, len(b), b)
}

func newTagServer(t *testing.T, shape string) *tagServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &tagServer{url: "http://" + ln.Addr().String(), shape: shape, late: 3 * time.Millisecond, wrote: make(chan string, 1024)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, conn)
			mu.Unlock()
			wg.Go(func() { s.serve(conn) })
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

// serve answers the requests of one connection until it fails or the
// shape closes it.
func (s *tagServer) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	br := bufio.NewReader(conn)
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		method, target, _ := strings.Cut(line, " ")
		target, _, _ = strings.Cut(target, " ")
		id := strings.TrimPrefix(target, "/")
		for { // the rest of the head; these requests have no body
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "\r\n" {
				break
			}
		}
		evil := tagResponse("evil-" + id)
		var now, later string
		switch s.shape {
		case shapeExtraSame:
			now = tagResponse(id) + evil
		case shapeExtraLater:
			now, later = tagResponse(id), evil
		case shape204Same:
			now = "HTTP/1.1 204 No Content\r\nX-Id: " + id + "\r\n\r\n" + evil
		case shape204Later:
			now, later = "HTTP/1.1 204 No Content\r\nX-Id: "+id+"\r\n\r\n", evil
		case shapeChunkLater:
			b := tagBody(id)
			now = fmt.Sprintf("HTTP/1.1 200 OK\r\nX-Id: %s\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", id, len(b), b)
			later = evil
		case shapeHeadLater:
			if method != http.MethodHead {
				return
			}
			now = fmt.Sprintf("HTTP/1.1 200 OK\r\nX-Id: %s\r\nContent-Length: %d\r\n\r\n", id, len(tagBody(id)))
			later = evil
		case shapeClose:
			now = tagResponse(id)
		}
		if _, err := io.WriteString(conn, now); err != nil {
			return
		}
		if later != "" {
			time.Sleep(s.late)
			if _, err := io.WriteString(conn, later); err != nil {
				return
			}
			s.wrote <- id
		}
		if s.shape == shapeClose && rnd.IntN(3) == 0 {
			time.Sleep(time.Duration(rnd.IntN(2000)) * time.Microsecond)
			return
		}
	}
}

// checkOwn fails t unless resp, err is the answer to request id: a
// response tagged id or a backend failure, never another request's bytes.
func checkOwn(t *testing.T, id string, resp *Response, err error, wantBody bool) {
	t.Helper()
	if err != nil {
		return // failing safe is allowed
	}
	got := resp.Header.Get("X-Id")
	if got != id {
		t.Errorf("request %s received the response tagged %q (body %q): another request's bytes", id, got, resp.Body)
		return
	}
	want := ""
	if wantBody {
		want = tagBody(id)
	}
	if string(resp.Body) != want {
		t.Errorf("request %s: body %q, want %q", id, resp.Body, want)
	}
}

// TestNoResponseDesyncSequential sends requests one after the other to a
// backend that writes a whole tagged response after each real one, in a
// later packet that arrives while the connection sits in the pool. Each
// request must get its own answer: the pooled connection holding the
// unsolicited bytes is retired, as net/http's client does — or means to: its
// background reader races the pool (see TestNoResponseDesyncConcurrent), and
// under the race detector on a busy machine it fails this test too, so the
// test runs through the fast path, the client of every plain-http backend.
func TestNoResponseDesyncSequential(t *testing.T) {
	checkLeaks(t)
	for _, tc := range []struct {
		shape  string
		method string
		body   bool
	}{
		{shapeExtraLater, http.MethodGet, true},
		{shape204Later, http.MethodGet, false},
		{shapeChunkLater, http.MethodGet, true},
		{shapeHeadLater, http.MethodHead, false},
		{shapeExtraSame, http.MethodGet, true},
		{shape204Same, http.MethodGet, false},
	} {
		t.Run(tc.shape, func(t *testing.T) {
			s := newTagServer(t, tc.shape)
			c := newFastClient(t, Options{})
			late := strings.Contains(tc.shape, "later")
			for i := range 10 {
				id := fmt.Sprint(i)
				resp, err := c.Do(testCtx(t), &Request{Method: tc.method, URL: mustURL(t, s.url+"/"+id)})
				if err != nil {
					t.Fatalf("request %s: %v (every request has a well-formed answer of its own)", id, err)
				}
				checkOwn(t, id, resp, err, tc.body)
				if late {
					// Let the unsolicited response arrive while the
					// connection is idle in the pool.
					select {
					case <-s.wrote:
					case <-time.After(testTimeout):
						t.Fatal("the backend never wrote its extra bytes")
					}
					time.Sleep(2 * time.Millisecond)
				}
			}
			if c.fast.retired.Load() == 0 && late {
				t.Error("no pooled connection was retired by the idle check")
			}
		})
	}
}

// TestNoResponseDesyncConcurrent runs concurrent callers against backends
// that send unsolicited bytes in the same packet as a response, or close
// idle connections at random: every caller gets its own answer or a
// backend failure. (Bytes that arrive only after the next request has been
// written cannot be told from its answer by any HTTP/1.1 client; the
// sequential test covers unsolicited bytes that arrive while idle.)
//
// It runs through the fast path only: net/http's client fails it. Its
// transport pools a connection before its background reader looks at the
// bytes already buffered, so a concurrent caller can take the connection
// and write its request in between, and then reads those bytes as its
// answer. Plain-http backends never take that path; https backends on
// HTTP/1.1 still do (docs/operations.md, "Backend connections").
func TestNoResponseDesyncConcurrent(t *testing.T) {
	checkLeaks(t)
	for _, shape := range []string{shapeExtraSame, shape204Same, shapeClose} {
		t.Run(shape, func(t *testing.T) {
			s := newTagServer(t, shape)
			c := newFastClient(t, Options{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			failures := 0
			for w := range 8 {
				wg.Go(func() {
					for i := range 40 {
						id := fmt.Sprintf("%d-%d", w, i)
						resp, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.url+"/"+id)})
						if err != nil {
							mu.Lock()
							failures++
							mu.Unlock()
						}
						checkOwn(t, id, resp, err, shape != shape204Same)
					}
				})
			}
			wg.Wait()
			// A dead pooled connection is retried once for GET, so random
			// closes should cost almost nothing.
			if failures > 8*40/10 {
				t.Errorf("%d of %d calls failed", failures, 8*40)
			}
		})
	}
}

// TestFastPathIdleCheckRetiresClosedConn checks that a pooled connection
// whose peer closed it is never written to: the idle check sees the end of
// the stream and a fresh connection is dialled, even for a POST that may
// not be retried.
func TestFastPathIdleCheckRetiresClosedConn(t *testing.T) {
	checkLeaks(t)
	if !idleProbeSupported {
		t.Skip("no idle probe on this platform")
	}
	s := newScripted(t, 1, func(n int) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + fmt.Sprint(n%10)
	})
	c := newFastClient(t, Options{})
	for i := range 5 {
		resp, err := c.Do(testCtx(t), &Request{Method: http.MethodPost, URL: mustURL(t, s.url+"/"), Body: []byte("x")})
		if err != nil {
			t.Fatalf("POST %d on a connection the server had closed: %v", i, err)
		}
		_ = resp
		waitFor(t, func() bool { return int(s.conns.Load()) == i+1 }) // the server has closed it
		time.Sleep(time.Millisecond)
	}
	if n := c.fast.retired.Load(); n < 4 {
		t.Errorf("%d connections retired by the idle check, want at least 4", n)
	}
}

// TestFastPathWaitsAtConnLimit checks the one per-host cap: at
// MaxConnsPerHost connections a call waits for one to come back instead of
// opening a second pool, and gives up when its context ends.
func TestFastPathWaitsAtConnLimit(t *testing.T) {
	checkLeaks(t)
	s := newScripted(t, 0, func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
	c := newFastClient(t, Options{})
	u := mustURL(t, s.url+"/")
	c.fast.mu.Lock()
	c.fast.hosts[u.Host] = &hostConns{total: MaxConnsPerHost}
	c.fast.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := c.fast.getConn(ctx, u.Host, u, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("getConn at the cap: %v, want the context's deadline", err)
	}

	done := make(chan error, 1)
	go func() {
		resp, err := c.Do(testCtx(t), &Request{URL: u})
		if err == nil && string(resp.Body) != "ok" {
			err = fmt.Errorf("body %q", resp.Body)
		}
		done <- err
	}()
	waitFor(t, func() bool {
		c.fast.mu.Lock()
		defer c.fast.mu.Unlock()
		return len(c.fast.hosts[u.Host].waiters) == 1
	})
	select {
	case err := <-done:
		t.Fatalf("the call did not wait at the cap: %v", err)
	default:
	}
	c.fast.release(u.Host) // one of the 256 connections closes
	if err := <-done; err != nil {
		t.Fatalf("the waiting call: %v", err)
	}
	if n := s.conns.Load(); n != 1 {
		t.Errorf("%d connections opened, want 1", n)
	}
}

// TestOneConnCapUnderLoad sends more slow concurrent calls than
// MaxConnsPerHost to one backend: it never sees more than MaxConnsPerHost
// connections at once, and every call succeeds.
func TestOneConnCapUnderLoad(t *testing.T) {
	checkLeaks(t)
	var mu sync.Mutex
	open, peak := 0, 0
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		_, _ = io.WriteString(w, "ok")
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch st {
		case http.StateNew:
			open++
			peak = max(peak, open)
		case http.StateClosed, http.StateHijacked:
			open--
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	c := newClient(t, Options{})
	const calls = MaxConnsPerHost + 100
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() {
			resp, err := get(t, c, s, "/")
			if err == nil && string(resp.Body) != "ok" {
				err = fmt.Errorf("body %q", resp.Body)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if peak > MaxConnsPerHost {
		t.Errorf("the backend saw %d connections at once, want at most %d", peak, MaxConnsPerHost)
	}
}
