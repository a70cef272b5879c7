package conformance

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
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
)

// maxRecordedBody caps what a canned backend keeps of a request body.
const maxRecordedBody = 4 << 20

// seenRequest is one request a canned backend received.
type seenRequest struct {
	// route is the route key that answered it ("GET /users/42", "*"), or ""
	// when none matched.
	route         string
	method        string
	host          string // the Host the request carried
	path          string // raw, as sent on the request line, without the query
	query         string // raw, without "?"
	header        http.Header
	body          []byte
	contentLength int64
	chunked       bool
}

// backendSet is the running canned backends of one case.
type backendSet struct {
	urls    map[string]string // name → "http://127.0.0.1:port"
	servers []*httptest.Server

	mu       sync.Mutex
	seen     map[string][]seenRequest   // by backend name
	prepared map[*cannedResponse][]byte // encoded bodies, built before any request
}

// startBackends starts one loopback server per canned backend (refusing
// ones get the address of a closed listener) and registers their shutdown
// with t.
func startBackends(t *testing.T, defs map[string]cannedBackend) *backendSet {
	t.Helper()
	bs := &backendSet{urls: map[string]string{}, seen: map[string][]seenRequest{}, prepared: map[*cannedResponse][]byte{}}
	t.Cleanup(bs.close)
	for name, def := range defs {
		if def.Refuse {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatalf("reserving a refusing address: %v", err)
			}
			bs.urls[name] = "http://" + ln.Addr().String()
			if err := ln.Close(); err != nil {
				t.Fatalf("closing the refusing listener: %v", err)
			}
			continue
		}
		srv := httptest.NewUnstartedServer(bs.handler(name, def))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.Start()
		bs.servers = append(bs.servers, srv)
		bs.urls[name] = srv.URL
	}
	// Bodies are built once every URL is known ({{name}} substitution), and
	// before any request, so that compressing a large body never eats into
	// the gateway's budget.
	bs.mu.Lock()
	defer bs.mu.Unlock()
	for name, def := range defs {
		for key, r := range def.Routes {
			if r.RawResponse != nil {
				continue
			}
			body, err := r.encode(bs.urls)
			if err != nil {
				t.Fatalf("backend %s route %s: %v", name, key, err)
			}
			bs.prepared[r] = body
		}
	}
	return bs
}

// body returns the prepared body of r.
func (bs *backendSet) body(r *cannedResponse) []byte {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return bs.prepared[r]
}

func (bs *backendSet) close() {
	for _, s := range bs.servers {
		s.CloseClientConnections()
		s.Close()
	}
}

// calls returns a copy of what the named backend received.
func (bs *backendSet) calls(name string) []seenRequest {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return append([]seenRequest(nil), bs.seen[name]...)
}

// total counts every request every backend received.
func (bs *backendSet) total() int {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	n := 0
	for _, s := range bs.seen {
		n += len(s)
	}
	return n
}

func (bs *backendSet) record(name string, s seenRequest) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.seen[name] = append(bs.seen[name], s)
}

// handler answers a backend's routes and records every request.
func (bs *backendSet) handler(name string, def cannedBackend) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, query, _ := strings.Cut(r.RequestURI, "?")
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxRecordedBody))
		seen := seenRequest{
			method:        r.Method,
			host:          r.Host,
			path:          path,
			query:         query,
			header:        r.Header.Clone(),
			body:          body,
			contentLength: r.ContentLength,
			chunked:       len(r.TransferEncoding) > 0,
		}
		key := r.Method + " " + path
		resp, ok := def.Routes[key]
		if !ok {
			key = "*"
			resp, ok = def.Routes[key]
		}
		if !ok {
			seen.route = ""
			bs.record(name, seen)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"harness":"no route"}`)
			return
		}
		seen.route = key
		bs.record(name, seen)
		bs.answer(w, r, resp)
	})
}

// answer writes one canned response.
func (bs *backendSet) answer(w http.ResponseWriter, r *http.Request, c *cannedResponse) {
	if c.DelayMS > 0 {
		timer := time.NewTimer(time.Duration(c.DelayMS) * time.Millisecond)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}
	if c.RawResponse != nil {
		hj, ok := w.(http.Hijacker)
		if !ok {
			http.Error(w, "harness: cannot hijack", http.StatusInternalServerError)
			return
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			return
		}
		_, _ = buf.WriteString(*c.RawResponse)
		_ = buf.Flush()
		_ = conn.Close()
		return
	}
	body := bs.body(c)
	h := w.Header()
	for k, v := range c.Headers {
		for _, s := range v.values {
			h.Add(k, substitute(s, bs.urls))
		}
	}
	if c.Gzip {
		h.Set("Content-Encoding", "gzip")
	}
	if h.Get("Content-Length") == "" && h.Get("Transfer-Encoding") == "" {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	status := c.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// encode returns the bytes the canned response sends, gzipped when asked.
func (c *cannedResponse) encode(urls map[string]string) ([]byte, error) {
	var b []byte
	switch {
	case len(c.Body) > 0:
		b = c.Body
	case c.RawBody != nil:
		b = []byte(substitute(*c.RawBody, urls))
	case c.RawBodyB64 != nil:
		d, err := base64.StdEncoding.DecodeString(*c.RawBodyB64)
		if err != nil {
			return nil, fmt.Errorf("raw_body_b64: %w", err)
		}
		b = d
	}
	if n := c.RepeatBodyBytes; n > 0 {
		if len(b) == 0 {
			return nil, fmt.Errorf("repeat_body_bytes needs a body to repeat")
		}
		out := bytes.Repeat(b, n/len(b)+1)
		b = out[:n]
	}
	if c.Gzip {
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		if _, err := zw.Write(b); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		b = zb.Bytes()
	}
	return b, nil
}
