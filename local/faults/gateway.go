package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/functions/boot"
)

// Gateway is a Tributary gateway served in-process on a loopback port,
// wired as `tributary run` wires it: config.Load, plan.Compile,
// boot.Assemble (the one composition root of every entry point) and
// httpadapter.NewServer with the plan's server settings (every timeout and
// cap).
type Gateway struct {
	// URL is "http://127.0.0.1:PORT"; Addr is "127.0.0.1:PORT".
	URL, Addr string
	// Errors counts the ERROR records of the gateway's log (recovered
	// panics among them).
	Errors *LogWatch

	srv    *http.Server
	gw     *exec.Gateway
	served chan struct{}
}

// StartGateway loads and compiles cfg (KrakenD v3 JSON) and serves it on
// 127.0.0.1:0. The gateway logs as the config's telemetry/logging says,
// to logOut when it is not nil; its ERROR records are counted either way.
func StartGateway(cfg []byte, logOut io.Writer) (*Gateway, error) {
	c, err := config.Load("faults.json", cfg, nil)
	if err != nil {
		return nil, fmt.Errorf("loading the gateway config: %w", err)
	}
	p, err := plan.Compile(c)
	if err != nil {
		return nil, fmt.Errorf("compiling the gateway config: %w", err)
	}
	watch := &LogWatch{out: logOut}
	a := boot.Assemble(c, p, boot.AssembleOptions{LogOut: watch, Version: "faults"})
	srv := httpadapter.NewServer(a.Handler, p.Server, 0, a.Logger)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("gateway listener: %w", err)
	}
	ln = httpadapter.WrapListener(ln, srv.MaxHeaderBytes)
	g := &Gateway{
		Addr: ln.Addr().String(), URL: "http://" + ln.Addr().String(), Errors: watch,
		srv: srv, gw: a.Gateway, served: make(chan struct{}),
	}
	go func() {
		defer close(g.served)
		_ = srv.Serve(ln)
	}()
	return g, nil
}

// Close shuts the server down (in-flight requests get up to 5 s), then
// closes what is left and the idle backend connections, as `tributary
// run` does on SIGTERM.
func (g *Gateway) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := g.srv.Shutdown(ctx)
	if err != nil {
		_ = g.srv.Close()
	}
	<-g.served
	g.gw.Client().CloseIdleConnections()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// LogWatch is the gateway's log writer: it passes every line on (to out,
// when set) and counts the ERROR and CRITICAL records and any line telling
// of a panic, keeping the first few. The gateway writes JSON lines when its
// log is not a terminal, one record per Write.
type LogWatch struct {
	out io.Writer

	mu    sync.Mutex
	n     int
	first []string
}

// maxLogKept bounds the lines a LogWatch keeps.
const maxLogKept = 5

// Write implements io.Writer.
func (w *LogWatch) Write(p []byte) (int, error) {
	for line := range bytes.Lines(p) {
		if isErrorLine(line) {
			w.mu.Lock()
			w.n++
			if len(w.first) < maxLogKept {
				w.first = append(w.first, truncate(string(bytes.TrimSpace(line)), 300))
			}
			w.mu.Unlock()
		}
	}
	if w.out == nil {
		return len(p), nil
	}
	return w.out.Write(p)
}

// isErrorLine reports whether a log line reports an error, a panic or a
// fatal runtime error.
func isErrorLine(line []byte) bool {
	for _, marker := range []string{`"level":"ERROR"`, `"level":"CRITICAL"`, "level=ERROR", "level=CRITICAL", "panic", "fatal error", "DATA RACE"} {
		if bytes.Contains(line, []byte(marker)) {
			return true
		}
	}
	return false
}

// Count returns how many error lines were seen, and the first few.
func (w *LogWatch) Count() (int, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, append([]string(nil), w.first...)
}
