package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxDelay bounds ?delay_ms= on the stub backend.
const maxDelay = 10 * time.Second

// payload is one pre-encoded response with its Content-Length value.
type payload struct {
	body   []byte
	length []string
}

func newPayload(b []byte) payload {
	return payload{body: b, length: []string{strconv.Itoa(len(b))}}
}

// stub is the fast backend the harness measures against. Every answer is
// pre-encoded; the request path costs a path switch and one Write:
//
//	GET /users/{id}  ~300 B object
//	GET /cart/{id}   ~300 B object
//	GET /products    50-item array, ~11 KB
//	GET /promos      ~2 KB object
//	GET /big         ~1 MB object with a top-level "secret" field
//
// ?delay_ms=N (0–10000) waits before answering. HEAD is answered like GET
// without a body; other methods get 405, other paths 404.
type stub struct {
	user, cart, products, promos, big payload
	contentType                       []string
	notFound                          payload
	notAllowed                        payload
	badDelay                          payload
}

// newStub returns the stub handler serving b.
func newStub(b *bodies) *stub {
	return &stub{
		user: newPayload(b.user), cart: newPayload(b.cart),
		products: newPayload(b.products), promos: newPayload(b.promos),
		big:         newPayload(b.big),
		contentType: []string{"application/json"},
		notFound:    newPayload([]byte(`{"error":"not found"}`)),
		notAllowed:  newPayload([]byte(`{"error":"method not allowed"}`)),
		badDelay:    newPayload([]byte(`{"error":"delay_ms must be an integer 0-10000"}`)),
	}
}

// route returns the payload for path, or nil.
func (s *stub) route(path string) *payload {
	switch path {
	case "/products":
		return &s.products
	case "/promos":
		return &s.promos
	case "/big":
		return &s.big
	}
	if id, ok := strings.CutPrefix(path, "/users/"); ok && validID(id) {
		return &s.user
	}
	if id, ok := strings.CutPrefix(path, "/cart/"); ok && validID(id) {
		return &s.cart
	}
	return nil
}

// validID reports whether id is one non-empty path segment.
func validID(id string) bool {
	return id != "" && !strings.ContainsRune(id, '/')
}

// ServeHTTP implements http.Handler.
func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header()["Allow"] = []string{"GET, HEAD"}
		s.write(w, r, http.StatusMethodNotAllowed, &s.notAllowed)
		return
	}
	p := s.route(r.URL.Path)
	if p == nil {
		s.write(w, r, http.StatusNotFound, &s.notFound)
		return
	}
	if r.URL.RawQuery != "" {
		if v := r.URL.Query().Get("delay_ms"); v != "" {
			ms, err := strconv.Atoi(v)
			if err != nil || ms < 0 || time.Duration(ms)*time.Millisecond > maxDelay {
				s.write(w, r, http.StatusBadRequest, &s.badDelay)
				return
			}
			t := time.NewTimer(time.Duration(ms) * time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
	}
	s.write(w, r, http.StatusOK, p)
}

func (s *stub) write(w http.ResponseWriter, r *http.Request, status int, p *payload) {
	h := w.Header()
	h["Content-Type"] = s.contentType
	h["Content-Length"] = p.length
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
}

// newStubServer returns the stub's http.Server with bounded timeouts.
func newStubServer(b *bodies) *http.Server {
	return &http.Server{
		Handler:           newStub(b),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      maxDelay + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// serveStub serves the stub on ln until ctx is done, then shuts down
// (waiting at most 2 s for in-flight requests).
func serveStub(ctx context.Context, ln net.Listener, b *bodies) error {
	srv := newStubServer(b)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("stub backend: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	if err != nil {
		return fmt.Errorf("stub backend shutdown: %w", err)
	}
	return nil
}

// listenLoopback listens on addr, which must be a loopback IP and a port.
func listenLoopback(addr string) (net.Listener, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", addr, err)
	}
	if !ap.Addr().IsLoopback() {
		return nil, fmt.Errorf("address %q: only loopback addresses are allowed", addr)
	}
	ln, err := net.Listen("tcp", ap.String())
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return ln, nil
}

// backendReadyPrefix starts the one line the backend subcommand prints on
// stdout once it listens: "listening 127.0.0.1:PORT".
const backendReadyPrefix = "listening "

// cmdBackend is the hidden `loadtest backend -addr 127.0.0.1:0` subcommand:
// the stub backend in its own process. It stops on SIGINT/SIGTERM and when
// its stdin reaches EOF (the harness holds the other end, so the backend
// never outlives it).
func cmdBackend(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	b, err := newBodies()
	if err != nil {
		fmt.Fprintf(stderr, "loadtest backend: %v\n", err)
		return 1
	}
	ln, err := listenLoopback(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest backend: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		cancel()
	}()
	fmt.Fprintf(stdout, "%s%s\n", backendReadyPrefix, ln.Addr())
	if err := serveStub(ctx, ln, b); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "loadtest backend: %v\n", err)
		return 1
	}
	return 0
}
