package faults

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// leakyProxy is a deliberately broken one-backend gateway: it keeps one
// connection to the fault server and reuses it without looking at what
// arrived while it sat idle, the defect the junk faults exist to catch.
type leakyProxy struct {
	backend string
	mu      sync.Mutex
	conn    net.Conn
}

// ServeHTTP forwards /e1/<fault>/<id> as /fault/<fault>/<id>/0 and wraps
// the answer as {"b0": …} with the headers the gateway would set.
func (p *leakyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/e1/"), "/")
	if len(parts) != 2 {
		http.Error(w, "bad path", http.StatusNotFound)
		return
	}
	body, err := p.roundTrip("/fault/" + parts[0] + "/" + parts[1] + "/0")
	if err != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Tributary-Completed", "false")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, `{"error":"bad_gateway","message":"x"}`)
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	out := append(append([]byte(`{"b0":`), body...), '}')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Tributary-Completed", "true")
	w.Header().Set("Cache-Control", "public, max-age=30")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// roundTrip sends one request on the kept connection (dialing when there
// is none) and reads one response with a fresh reader.
func (p *leakyProxy) roundTrip(path string) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for attempt := 0; attempt < 2; attempt++ {
		if p.conn == nil {
			c, err := net.Dial("tcp", p.backend)
			if err != nil {
				return nil, err
			}
			p.conn = c
		}
		_ = p.conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(p.conn, "GET "+path+" HTTP/1.1\r\nHost: fault\r\n\r\n"); err == nil {
			resp, err := http.ReadResponse(bufio.NewReader(p.conn), nil)
			if err == nil {
				body, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if err == nil {
					return body, nil
				}
			}
		}
		_ = p.conn.Close()
		p.conn = nil
	}
	return nil, fmt.Errorf("no response")
}

// close drops the kept connection.
func (p *leakyProxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil {
		_ = p.conn.Close()
	}
}

// TestJunkSequenceCatchesLeak proves the suite finds the defect it exists
// for: against a client that reuses a connection without noticing the
// bytes that arrived on it while idle, JunkSequence must report foreign
// ids (ClassForeign, not the race class: the second request is sent well
// after the junk arrived).
func TestJunkSequenceCatchesLeak(t *testing.T) {
	srv, err := StartServer(ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	proxy := &leakyProxy{backend: srv.Addr()}
	defer proxy.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: proxy, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = hs.Serve(ln)
	}()
	defer func() {
		_ = hs.Close()
		<-served
	}()
	tally := NewTally()
	c := &Checker{Limits: Limits{Timeout: testTimeout}, Margin: testMargin, CacheControl: "public, max-age=30"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := JunkSequence(ctx, "http://"+ln.Addr().String(), c, tally, 1); err != nil {
		t.Fatal(err)
	}
	tally.Finalize(srv)
	got := tally.Violations()
	if got[ClassForeign] == 0 {
		t.Fatalf("the leak went unnoticed: violations %v", got)
	}
	t.Logf("violations against the leaky client: %v", got)
}
