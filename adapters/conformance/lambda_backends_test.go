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
	"testing"
	"time"
)

// lamBackends are the running canned backends of one Lambda run: name →
// base URL ("http://127.0.0.1:port"). Servers shut down with the test.
type lamBackends map[string]string

// lamStartBackends starts one loopback server per canned backend. A
// refusing backend gets the address of a listener that was closed again.
func lamStartBackends(t *testing.T, defs map[string]lamBackendDef) lamBackends {
	t.Helper()
	urls := lamBackends{}
	var servers []*httptest.Server
	// Every URL is known before any server runs: canned bodies and headers
	// may name any backend.
	for name, def := range defs {
		if def.Refuse {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatalf("reserving a refusing address: %v", err)
			}
			urls[name] = "http://" + ln.Addr().String()
			if err := ln.Close(); err != nil {
				t.Fatalf("closing the refusing listener: %v", err)
			}
			continue
		}
		srv := httptest.NewUnstartedServer(lamBackendHandler(def, urls))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		t.Cleanup(func() {
			srv.CloseClientConnections()
			srv.Close()
		})
		servers = append(servers, srv)
		urls[name] = "http://" + srv.Listener.Addr().String()
	}
	for _, srv := range servers {
		srv.Start()
	}
	return urls
}

// lamBackendHandler answers def's routes: the route "METHOD /raw/path"
// (query excluded), else "*", else 404 {"harness":"no route"}.
func lamBackendHandler(def lamBackendDef, urls lamBackends) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, _, _ := strings.Cut(r.RequestURI, "?")
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 8<<20))
		c, ok := def.Routes[r.Method+" "+path]
		if !ok {
			c, ok = def.Routes["*"]
		}
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"harness":"no route"}`)
			return
		}
		lamAnswerCanned(w, r, c, urls)
	})
}

// lamAnswerCanned writes one canned response.
func lamAnswerCanned(w http.ResponseWriter, r *http.Request, c *lamCanned, urls lamBackends) {
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
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		_, _ = buf.WriteString(*c.RawResponse)
		_ = buf.Flush()
		_ = conn.Close()
		return
	}
	body, err := c.bytes(urls)
	if err != nil {
		http.Error(w, "harness: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	for k, vs := range c.Headers {
		for _, v := range vs {
			h.Add(k, lamRender(v, urls))
		}
	}
	if c.Gzip {
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = zb.Bytes()
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

// bytes returns the body a canned response sends, before gzip.
func (c *lamCanned) bytes(urls lamBackends) ([]byte, error) {
	var b []byte
	switch {
	case len(c.Body) > 0:
		b = c.Body
	case c.RawBody != nil:
		b = []byte(lamRender(*c.RawBody, urls))
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
		b = bytes.Repeat(b, n/len(b)+1)[:n]
	}
	return b, nil
}
