package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/tributary-gw/tributary/local/faults"
)

// childCommand is the hidden subcommand that runs the gateway in a child
// process of its own.
const childCommand = "gateway"

// readyPrefix starts the line the child prints on stdout once it serves:
// "ready <gateway addr> <stats addr>".
const readyPrefix = "ready "

// childStats is what the child's stats listener answers.
type childStats struct {
	Goroutines int      `json:"goroutines"`
	Errors     int      `json:"errors"`
	First      []string `json:"first,omitempty"`
}

// runChild serves the config given by -c with faults.StartGateway (the
// assembly of `tributary run`), its log on stderr, plus a stats listener
// reporting the goroutine count and the ERROR records (GET /stats; with
// ?gc=1 it first runs the GC and returns freed memory to the OS). It stops
// when stdin closes (the parent exited) or on SIGTERM.
func runChild(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("soak gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("c", "", "gateway config (KrakenD v3 JSON)")
	if err := fs.Parse(args); err != nil || *cfgPath == "" {
		fmt.Fprintln(stderr, "soak gateway: -c CONFIG is required")
		return 2
	}
	data, err := os.ReadFile(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "soak gateway: %v\n", err)
		return 1
	}
	gw, err := faults.StartGateway(data, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "soak gateway: %v\n", err)
		return 1
	}
	defer gw.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "soak gateway: stats listener: %v\n", err)
		return 1
	}
	stats := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") == "1" {
			runtime.GC()
			debug.FreeOSMemory()
		}
		n, first := gw.Errors.Count()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(childStats{Goroutines: runtime.NumGoroutine(), Errors: n, First: first})
	}), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = stats.Serve(ln)
	}()
	defer func() {
		_ = stats.Close()
		<-served
	}()
	fmt.Fprintf(stdout, "%s%s %s\n", readyPrefix, gw.Addr, ln.Addr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sig)
	eof := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		close(eof)
	}()
	select {
	case <-sig:
	case <-eof:
	}
	return 0
}

// statsClient reads a child's stats over one kept-alive connection, so the
// child's descriptor count carries the same one extra socket in every
// sample, the baseline included.
type statsClient struct {
	url    string
	client *http.Client
}

// newStatsClient returns a client of the stats listener at addr.
func newStatsClient(addr string) *statsClient {
	return &statsClient{url: "http://" + addr + "/stats", client: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1, IdleConnTimeout: time.Hour},
	}}
}

// get returns the child's stats; gc asks for a GC and FreeOSMemory first.
func (s *statsClient) get(gc bool) (childStats, error) {
	u := s.url
	if gc {
		u += "?gc=1"
	}
	resp, err := s.client.Get(u)
	if err != nil {
		return childStats{}, err
	}
	defer resp.Body.Close()
	var st childStats
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return childStats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// close drops the kept connection.
func (s *statsClient) close() { s.client.CloseIdleConnections() }

// startChildGateway re-executes this binary as `soak gateway -c cfgPath`,
// its stderr (the gateway log) going to logPath, and waits for its ready
// line.
func startChildGateway(ctx context.Context, cfgPath, logPath string) (*proc, string, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", "", fmt.Errorf("finding this binary: %w", err)
	}
	p, out, err := startProc(self, []string{childCommand, "-c", cfgPath}, logPath, true)
	if err != nil {
		return nil, "", "", err
	}
	line, err := firstLine(ctx, out, 20*time.Second)
	out.Close()
	var gw, st string
	if err == nil {
		if _, err = fmt.Sscanf(line, readyPrefix+"%s %s", &gw, &st); err != nil {
			err = fmt.Errorf("odd ready line %q: %w", line, err)
		}
	}
	if err != nil {
		p.stop()
		return nil, "", "", fmt.Errorf("the gateway child did not start: %w%s", err, p.logTail())
	}
	return p, gw, st, nil
}

// firstLine reads one line from r, giving up after limit or when ctx ends.
func firstLine(ctx context.Context, r io.Reader, limit time.Duration) (string, error) {
	type line struct {
		s   string
		err error
	}
	lc := make(chan line, 1)
	go func() {
		var b []byte
		buf := make([]byte, 1)
		for len(b) < 4096 {
			n, err := r.Read(buf)
			if n == 1 {
				if buf[0] == '\n' {
					break
				}
				b = append(b, buf[0])
			}
			if err != nil {
				lc <- line{string(b), err}
				return
			}
		}
		lc <- line{string(b), nil}
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case l := <-lc:
		return l.s, l.err
	case <-t.C:
		return "", errors.New("no ready line within " + limit.String())
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
