package faults

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// writeJSON answers with status and body, framed by Content-Length.
func writeJSON(w http.ResponseWriter, c call, status int, body []byte) {
	h := w.Header()
	h.Set(HeaderFaultID, c.tag())
	h.Set("Content-Type", "application/json")
	if !bodyAllowed(status) {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// serveSimple answers the kinds net/http writes in one go: ok, html,
// badjson, bigheader, status, redirect, cookie.
func serveSimple(w http.ResponseWriter, r *http.Request, c call) {
	f := c.fault
	switch f.Kind {
	case KindOK:
		writeJSON(w, c, http.StatusOK, okBody(c, f.A))
	case KindHTML:
		w.Header().Set(HeaderFaultID, c.tag())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><body><h1>" + c.tag() + "</h1><p>Service Unavailable</p></body></html>"))
	case KindBadJSON:
		writeJSON(w, c, http.StatusOK, badJSON(c))
	case KindBigHeader:
		line := strings.Repeat("a", 1000)
		for i := range f.A {
			w.Header().Set("X-Big-"+strconv.Itoa(i), line)
		}
		writeJSON(w, c, http.StatusOK, okBody(c, 0))
	case KindStatus:
		writeJSON(w, c, f.A, okBody(c, 0))
	case KindRedirect:
		w.Header().Set("Location", r.URL.Path)
		writeJSON(w, c, http.StatusFound, okBody(c, 0))
	case KindCookie:
		for i := range f.A {
			w.Header().Add("Set-Cookie", "f"+strconv.Itoa(i)+"="+c.id+"; Path=/; HttpOnly")
		}
		writeJSON(w, c, http.StatusOK, okBody(c, 0))
	}
}

// badJSON returns a 200 body that is not one JSON object.
func badJSON(c call) []byte {
	head := appendHead(nil, c.id, c.backend, c.fault.String())
	switch c.fault.A {
	case 0: // truncated
		return append(head, `,"x":[1,2`...)
	case 1: // trailing garbage after a complete object
		return append(head, `} {"x":1}`...)
	case 2: // a bad token
		return append(head, `,"x":tru}`...)
	}
	// a top-level array where an object is expected
	return append(append([]byte{'['}, append(head, '}')...), ']')
}

// serveDelay answers like ok after the delay (hang: after MaxHold).
func (s *Server) serveDelay(w http.ResponseWriter, r *http.Request, c call, rec *Call) {
	d := s.opts.MaxHold
	if c.fault.Kind == KindDelay {
		d = min(time.Duration(c.fault.A)*time.Millisecond, s.opts.MaxHold)
	}
	if !s.wait(r.Context(), d, rec) {
		return
	}
	if c.fault.Kind == KindHang || d == s.opts.MaxHold {
		s.holdExpired.Add(1)
	}
	writeJSON(w, c, http.StatusOK, okBody(c, 0))
}

// serveTrickle sends the head and the start of the body at once, then one
// filler byte per interval, then the end. The body is framed by
// Content-Length, so the caller cannot finish before the last byte.
func (s *Server) serveTrickle(w http.ResponseWriter, r *http.Request, c call, rec *Call) {
	pieces, every := c.fault.A, time.Duration(c.fault.B)*time.Millisecond
	head := append(appendHead(nil, c.id, c.backend, c.fault.String()), `,"pad":"`...)
	tail := []byte(`"}`)
	h := w.Header()
	h.Set(HeaderFaultID, c.tag())
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(head)+pieces+len(tail)))
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if _, err := w.Write(head); err != nil || rc.Flush() != nil {
		s.leftEarly(rec)
		return
	}
	start := time.Now()
	for range pieces {
		if time.Since(start) >= s.opts.MaxHold {
			s.holdExpired.Add(1)
			return
		}
		if !s.wait(r.Context(), every, rec) {
			return
		}
		if _, err := w.Write(padChunk[:1]); err != nil || rc.Flush() != nil {
			s.leftEarly(rec)
			return
		}
	}
	_, _ = w.Write(tail)
}

// serveHuge streams an id-tagged object of f.A KiB, framed by
// Content-Length (f.B == 0) or chunked.
func serveHuge(w http.ResponseWriter, c call) {
	size := hugeSize(c.fault)
	head := append(appendHead(nil, c.id, c.backend, c.fault.String()), `,"pad":"`...)
	tail := []byte(`"}`)
	pad := max(size-len(head)-len(tail), 0)
	h := w.Header()
	h.Set(HeaderFaultID, c.tag())
	h.Set("Content-Type", "application/json")
	if c.fault.B == 0 {
		h.Set("Content-Length", strconv.Itoa(len(head)+pad+len(tail)))
	}
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(head); err != nil {
		return
	}
	if repeatWrite(w, padChunk, pad) != nil {
		return // the caller stopped reading at its cap
	}
	_, _ = w.Write(tail)
}

// serveGzip answers with Content-Encoding gzip: a valid stream (gzip), a
// bomb (gzipbomb) or a broken one (badgzip).
func serveGzip(w http.ResponseWriter, c call) {
	h := w.Header()
	h.Set(HeaderFaultID, c.tag())
	h.Set("Content-Type", "application/json")
	h.Set("Content-Encoding", "gzip")
	var body []byte
	switch c.fault.Kind {
	case KindGzip:
		body = gzipped(okBody(c, 0))
	case KindBadGzip:
		body = okBody(c, 0) // plain bytes
		if c.fault.A == 1 {
			z := gzipped(okBody(c, 256))
			body = z[:len(z)/2] // cut mid-stream
		}
	case KindGzipBomb:
		member := bombMember()
		h.Set("Content-Length", strconv.Itoa(len(member)*c.fault.A))
		w.WriteHeader(http.StatusOK)
		for range c.fault.A {
			if _, err := w.Write(member); err != nil {
				return // the caller stopped at its cap
			}
		}
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// deepOpen is shared filler for deep nesting.
var deepOpen, deepClose = bytes.Repeat([]byte("["), 64<<10), bytes.Repeat([]byte("]"), 64<<10)

// serveDeep answers with f.A levels of nested arrays under "deep".
func serveDeep(w http.ResponseWriter, c call) {
	n := c.fault.A
	head := append(appendHead(nil, c.id, c.backend, c.fault.String()), `,"deep":`...)
	h := w.Header()
	h.Set(HeaderFaultID, c.tag())
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(head)+2*n+1))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(head); err != nil {
		return
	}
	if repeatWrite(w, deepOpen, n) != nil || repeatWrite(w, deepClose, n) != nil {
		return
	}
	_, _ = w.Write([]byte("}"))
}
