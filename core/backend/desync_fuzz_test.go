package backend

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// replayServer replays scripted byte streams: "GET /T/1" on any connection
// is answered with the script's first stream and then, in a second write,
// its second stream; "GET /T/2" gets a response tagged with T that no
// script can forge. After the scripted writes a connection waits a moment
// for another request and is closed when none comes, so a stream whose
// framing never ends costs a bounded time.
type replayServer struct {
	addr    string
	mu      sync.Mutex
	scripts map[string]*replayScript
	wg      sync.WaitGroup
	ln      net.Listener
	closed  atomic.Bool
}

// replayScript is what the server sends for one fuzz input.
type replayScript struct {
	first, second []byte
	wrote         chan struct{} // closed once both streams are written
	once          sync.Once
}

// replayIdleWait is how long a connection waits for its next request.
const replayIdleWait = 20 * time.Millisecond

func newReplayServer(tb testing.TB) *replayServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &replayServer{addr: ln.Addr().String(), scripts: map[string]*replayScript{}, ln: ln}
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(conn) })
		}
	})
	return s
}

// close stops the server and waits for its connections.
func (s *replayServer) close() {
	s.closed.Store(true)
	_ = s.ln.Close()
	s.wg.Wait()
}

func (s *replayServer) add(token string, first, second []byte) *replayScript {
	sc := &replayScript{first: first, second: second, wrote: make(chan struct{})}
	s.mu.Lock()
	s.scripts[token] = sc
	s.mu.Unlock()
	return sc
}

func (s *replayServer) remove(token string) {
	s.mu.Lock()
	delete(s.scripts, token)
	s.mu.Unlock()
}

// secondAnswer is the body of the answer to "GET /T/2".
func secondAnswer(token string) string { return "answer-to-second-" + token }

func (s *replayServer) serve(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(replayIdleWait))
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		for { // the rest of the head; GET requests have no body
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "\r\n" {
				break
			}
		}
		_, target, _ := strings.Cut(line, " ")
		target, _, _ = strings.Cut(target, " ")
		token, step, _ := strings.Cut(strings.TrimPrefix(target, "/"), "/")
		s.mu.Lock()
		sc := s.scripts[token]
		s.mu.Unlock()
		if sc == nil {
			return
		}
		_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
		if step == "2" {
			b := secondAnswer(token)
			fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
			continue
		}
		_, err = conn.Write(sc.first)
		if err == nil && len(sc.second) > 0 {
			_, err = conn.Write(sc.second)
		}
		sc.once.Do(func() { close(sc.wrote) })
		if err != nil {
			return
		}
	}
}

// replayResult is what a client made of one call.
type replayResult struct {
	status int
	body   []byte
	err    error
}

func replayCall(c *Client, u string) replayResult {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pu, err := url.Parse(u)
	if err != nil {
		return replayResult{err: err}
	}
	resp, err := c.Do(ctx, &Request{URL: pu})
	if err != nil {
		return replayResult{err: err}
	}
	r := replayResult{status: resp.Status, body: bytes.Clone(resp.Body)}
	resp.Release()
	return r
}

// FuzzIdleDesync replays the same scripted backend byte streams against
// the fast path and against net/http's client: a first request is answered
// by the script's first stream and a second, later write; a second request
// follows once both writes are made. The fast path may fail where net/http
// succeeds, but it must never deliver to the first request bytes net/http
// would not deliver, and the second request gets its own answer or fails:
// the script's bytes, written after the first response, are never read as
// the second request's response.
func FuzzIdleDesync(f *testing.F) {
	seeds := [][2]string{
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ""},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil", ""},
		{"HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\n", "evil"},
		{"HTTP/1.1 304 Not Modified\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n", "0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nok", "okHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", "\r\n"},
		{"HTTP/1.1 200 OK\r\n\r\nuntil the end", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	srv := newReplayServer(f)
	f.Cleanup(srv.close)
	var seq atomic.Int64
	f.Fuzz(func(t *testing.T, first, second []byte) {
		if len(first) == 0 || len(first)+len(second) > 64<<10 {
			return
		}
		token := fmt.Sprintf("t%d", seq.Add(1))
		sc := srv.add(token, first, second)
		defer srv.remove(token)
		base := "http://" + srv.addr + "/" + token + "/"

		run := func(c *Client) (replayResult, replayResult) {
			defer c.CloseIdleConnections()
			r1 := replayCall(c, base+"1")
			select {
			case <-sc.wrote:
			case <-time.After(time.Second):
			}
			time.Sleep(time.Millisecond) // loopback delivery of the second write
			return r1, replayCall(c, base+"2")
		}
		f1, f2 := run(NewClient(Options{}))
		s1, _ := run(NewClient(Options{netHTTPOnly: true}))

		if f1.err == nil {
			if s1.err != nil {
				t.Fatalf("first call: the fast path delivered status %d body %q; net/http failed: %v", f1.status, f1.body, s1.err)
			}
			if f1.status != s1.status || !bytes.Equal(f1.body, s1.body) {
				t.Fatalf("first call: the fast path delivered %d %q, net/http %d %q", f1.status, f1.body, s1.status, s1.body)
			}
		}
		if f2.err == nil && (f2.status != 200 || string(f2.body) != secondAnswer(token)) {
			t.Fatalf("second call received %d %q: bytes written before it was sent", f2.status, f2.body)
		}
	})
}
