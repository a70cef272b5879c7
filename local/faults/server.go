package faults

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ServerOptions configure a Server. The zero value works.
type ServerOptions struct {
	// Addr is the listen address. Default "127.0.0.1:0".
	Addr string
	// MaxHold caps how long hang, delay and trickle hold a request whose
	// caller never leaves; reaching it is counted (HoldExpired), since the
	// gateway should always have let go first. Default 30s.
	MaxHold time.Duration
	// IdleTimeout closes keep-alive connections idle this long. Default 2s.
	IdleTimeout time.Duration
	// JunkPause is how long a connection stays open after its junk
	// response before it is closed; a request arriving meanwhile is
	// recorded, never answered. Default 50ms.
	JunkPause time.Duration
	// TrackPrefix selects the request ids whose calls are recorded one by
	// one (Server.Calls), for the disconnect storm. Default "s".
	TrackPrefix string
}

// ServerStats are the fault server's counters.
type ServerStats struct {
	// Requests counts every request that reached a fault handler.
	Requests int64
	// ByKind counts them by fault kind.
	ByKind map[Kind]int64
	// Cancelled counts hang, delay and trickle requests whose caller left
	// (the request context ended before the answer was complete).
	Cancelled int64
	// HoldExpired counts hang, delay and trickle requests still held at
	// MaxHold: the caller never let go.
	HoldExpired int64
	// MaxHold is the server's cap on a held request.
	MaxHold time.Duration
	// BadRequests counts paths the server could not parse (400).
	BadRequests int64
	// Junk describes the bytes sent after complete responses.
	Junk JunkStats
}

// Server is the fault backend. It is safe for concurrent use.
type Server struct {
	opts ServerOptions
	ln   net.Listener
	srv  *http.Server
	// base is every request's parent context; Close cancels it.
	base   context.Context
	cancel context.CancelFunc
	served chan struct{}

	mu       sync.Mutex
	closed   bool
	handlers sync.WaitGroup
	hijacked map[net.Conn]struct{}

	requests, cancelled, holdExpired, badRequests atomic.Int64
	byKind                                        sync.Map // Kind → *atomic.Int64

	calls callLog
	junk  junkLog
}

// StartServer starts a fault server on o.Addr.
func StartServer(o ServerOptions) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.MaxHold <= 0 {
		o.MaxHold = 30 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Second
	}
	if o.JunkPause <= 0 {
		o.JunkPause = 50 * time.Millisecond
	}
	if o.TrackPrefix == "" {
		o.TrackPrefix = StormPrefix
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("fault server: %w", err)
	}
	s := &Server{opts: o, ln: ln, served: make(chan struct{}), hijacked: make(map[net.Conn]struct{})}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       o.IdleTimeout,
		BaseContext:       func(net.Listener) context.Context { return s.base },
		ErrorLog:          discardLog(),
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr returns the listen address, "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server: the listener, every connection (hijacked ones
// included) and every held request. It waits for the handlers to return.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c := range s.hijacked {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.cancel()
	err := s.srv.Close()
	<-s.served
	s.handlers.Wait()
	return err
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() ServerStats {
	st := ServerStats{
		Requests:    s.requests.Load(),
		Cancelled:   s.cancelled.Load(),
		HoldExpired: s.holdExpired.Load(),
		BadRequests: s.badRequests.Load(),
		MaxHold:     s.opts.MaxHold,
		ByKind:      make(map[Kind]int64),
		Junk:        s.junk.stats(),
	}
	s.byKind.Range(func(k, v any) bool {
		st.ByKind[k.(Kind)] = v.(*atomic.Int64).Load()
		return true
	})
	return st
}

// enter registers a running handler; false once the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.handlers.Add(1)
	return true
}

// adopt takes responsibility for a hijacked connection; false (and the
// connection closed) once the server is closing.
func (s *Server) adopt(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = c.Close()
		return false
	}
	s.hijacked[c] = struct{}{}
	return true
}

// release closes a hijacked connection and forgets it.
func (s *Server) release(c net.Conn) {
	s.mu.Lock()
	delete(s.hijacked, c)
	s.mu.Unlock()
	_ = c.Close()
}

// call is one parsed fault request.
type call struct {
	fault   Fault
	id      string
	backend int
}

// tag is the value of X-Fault-Id and the "id" the call's body carries,
// with the backend index beside it.
func (c call) tag() string { return c.id + "-" + strconv.Itoa(c.backend) }

// ServeHTTP answers /fault/<fault>/<id>/<backend index>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		return
	}
	defer s.handlers.Done()
	c, err := parseCall(r.URL.Path)
	if err != nil {
		s.badRequests.Add(1)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.requests.Add(1)
	v, _ := s.byKind.LoadOrStore(c.fault.Kind, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	var rec *Call
	if strings.HasPrefix(c.id, s.opts.TrackPrefix) {
		rec = s.calls.start(c)
		defer s.calls.end(rec, false)
	}
	s.serve(w, r, c, rec)
}

// parseCall reads /fault/<fault>/<id>/<backend index>.
func parseCall(path string) (call, error) {
	rest, ok := strings.CutPrefix(path, "/fault/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 {
		return call{}, errors.New("want /fault/<fault>/<id>/<backend index>")
	}
	f, err := ParseFault(parts[0])
	if err != nil {
		return call{}, err
	}
	if !validID(parts[1]) {
		return call{}, fmt.Errorf("bad id %q: want 1–64 of [A-Za-z0-9_-]", parts[1])
	}
	b, err := strconv.Atoi(parts[2])
	if err != nil || b < 0 || b > 63 {
		return call{}, fmt.Errorf("bad backend index %q", parts[2])
	}
	return call{fault: f, id: parts[1], backend: b}, nil
}

// validID reports whether id is 1–64 characters of [A-Za-z0-9_-], so it
// can be written into JSON and headers unescaped.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// serve dispatches to the kind's handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, c call, rec *Call) {
	switch c.fault.Kind {
	case KindDelay, KindHang:
		s.serveDelay(w, r, c, rec)
	case KindTrickle:
		s.serveTrickle(w, r, c, rec)
	case KindReset, KindShort:
		s.serveBroken(w, c)
	case KindExtra, KindAfter204:
		s.serveJunk(w, c)
	case KindHuge:
		serveHuge(w, c)
	case KindGzip, KindGzipBomb, KindBadGzip:
		serveGzip(w, c)
	case KindDeep:
		serveDeep(w, c)
	default:
		serveSimple(w, r, c)
	}
}

// wait pauses for d or until ctx ends. It returns true when d elapsed.
// A caller leaving is counted (and recorded in rec); the server closing
// is not.
func (s *Server) wait(ctx context.Context, d time.Duration, rec *Call) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		s.leftEarly(rec)
		return false
	}
}

// leftEarly counts a caller that left before the answer was complete.
func (s *Server) leftEarly(rec *Call) {
	if s.base.Err() != nil {
		return // shutting down
	}
	s.cancelled.Add(1)
	s.calls.end(rec, true)
}
