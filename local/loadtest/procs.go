package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long a child gets to exit after SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// child is a process the harness started.
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string    // its stdout and stderr, "" for none
	stdin   io.Closer // the write end of its stdin, closed on stop; may be nil
	grace   time.Duration
	done    chan struct{}
	err     error // cmd.Wait's result, valid once done is closed
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// exited reports whether the process has ended.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop ends the process: stdin closed and SIGTERM, then SIGKILL after
// its grace period. It waits for the exit and is safe to call more than once.
func (c *child) stop() {
	if c.stdin != nil {
		_ = c.stdin.Close()
	}
	if c.exited() {
		return
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = c.cmd.Process.Kill()
	}
	t := time.NewTimer(c.grace)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// logTail returns the last bytes of the child's log, for error messages.
func (c *child) logTail() string {
	if c.logPath == "" {
		return ""
	}
	data, err := os.ReadFile(c.logPath)
	if err != nil || len(data) == 0 {
		return ""
	}
	return "\n--- " + c.name + " log (" + c.logPath + ") ---\n" + truncateTail(string(data), 2048)
}

// procSet owns every child of one harness run, so all of them can be
// stopped on exit and on SIGINT.
type procSet struct {
	// grace is how long a child gets between SIGTERM and SIGKILL.
	// Default stopGrace.
	grace time.Duration
	mu    sync.Mutex
	list  []*child
}

// start starts cmd as a child named name. Its stdout and stderr go to
// logPath unless cmd already sets them.
func (s *procSet) start(name string, cmd *exec.Cmd, logPath string) (*child, error) {
	var logf *os.File
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return nil, fmt.Errorf("%s log: %w", name, err)
		}
		logf = f
		defer logf.Close() // the child has its own descriptor once started
		if cmd.Stdout == nil {
			cmd.Stdout = f
		}
		if cmd.Stderr == nil {
			cmd.Stderr = f
		}
	}
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, logPath: logPath, grace: s.grace, done: make(chan struct{})}
	if c.grace <= 0 {
		c.grace = stopGrace
	}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	s.mu.Lock()
	s.list = append(s.list, c)
	s.mu.Unlock()
	return c, nil
}

// stopAll stops every child, the most recent first.
func (s *procSet) stopAll() {
	s.mu.Lock()
	list := s.list
	s.list = nil
	s.mu.Unlock()
	for i := len(list) - 1; i >= 0; i-- {
		list[i].stop()
	}
}

// childEnv returns env without GOMAXPROCS, plus GOMAXPROCS=procs when
// procs > 0.
func childEnv(env []string, procs int) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "GOMAXPROCS=") {
			out = append(out, kv)
		}
	}
	if procs > 0 {
		out = append(out, fmt.Sprintf("GOMAXPROCS=%d", procs))
	}
	return out
}

// startBackend re-executes the harness as `loadtest backend -addr
// 127.0.0.1:0` and returns the child and its address.
func startBackend(ctx context.Context, ps *procSet, self string, env []string, logPath string) (*child, string, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, "", fmt.Errorf("backend stdout pipe: %w", err)
	}
	defer outR.Close()
	inR, inW, err := os.Pipe()
	if err != nil {
		outW.Close()
		return nil, "", fmt.Errorf("backend stdin pipe: %w", err)
	}
	cmd := exec.Command(self, "backend", "-addr", "127.0.0.1:0")
	cmd.Env = env
	cmd.Stdout = outW
	cmd.Stdin = inR
	c, err := ps.start("backend", cmd, logPath)
	outW.Close()
	inR.Close()
	if err != nil {
		inW.Close()
		return nil, "", err
	}
	c.stdin = inW
	type line struct {
		s   string
		err error
	}
	lc := make(chan line, 1)
	go func() {
		s, err := bufio.NewReader(outR).ReadString('\n')
		lc <- line{s, err}
	}()
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case l := <-lc:
		addr, ok := strings.CutPrefix(strings.TrimSpace(l.s), backendReadyPrefix)
		if l.err != nil || !ok {
			c.stop()
			return nil, "", fmt.Errorf("backend did not report its address (%q, %v)%s", l.s, l.err, c.logTail())
		}
		return c, addr, nil
	case <-t.C:
		c.stop()
		return nil, "", fmt.Errorf("backend did not start within 10s%s", c.logTail())
	case <-ctx.Done():
		c.stop()
		return nil, "", fmt.Errorf("starting the backend: %w", ctx.Err())
	}
}

// buildGateway builds the tributary binary from repo into out, like
// `make build` (CGO off, -trimpath).
func buildGateway(ctx context.Context, goBin, repo, out string, env []string) error {
	cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-o", out, "./local/tributary")
	cmd.Dir = repo
	cmd.Env = append(childEnv(env, 0), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./local/tributary: %w\n%s", err, b)
	}
	return nil
}

// startGateway starts `tributary run -c cfg -p port --no-demo`, with the
// extra arguments (--server fasthttp).
func startGateway(ps *procSet, bin, cfg string, port int, env []string, logPath string, extra ...string) (*child, error) {
	cmd := exec.Command(bin, append([]string{"run", "-c", cfg, "-p", fmt.Sprint(port), "--no-demo"}, extra...)...)
	cmd.Env = env
	return ps.start("gateway", cmd, logPath)
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// errNot200 reports a readiness probe that got an answer other than 200.
var errNot200 = errors.New("not 200")

// probe sends one GET, with the headers hs, and reports whether it got a 200 with a full body.
func probe(ctx context.Context, client *http.Client, url string, hs []header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	for _, h := range hs {
		req.Header.Set(h.Name, h.Value)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return fmt.Errorf("probe body: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe: status %d: %w", resp.StatusCode, errNot200)
	}
	return nil
}

// newProbeClient returns a client that opens a new connection per probe.
func newProbeClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true, DisableCompression: true},
		Timeout:   5 * time.Second,
	}
}

// waitFor200 polls url (sending the headers hs) every interval until it answers 200, the child
// exits, or limit passes.
func waitFor200(ctx context.Context, c *child, url string, interval, limit time.Duration, hs ...header) error {
	client := newProbeClient()
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(limit)
	var last error
	for {
		if last = probe(ctx, client, url, hs); last == nil {
			return nil
		}
		if c != nil && c.exited() {
			return fmt.Errorf("%s exited before answering 200 on %s (%v)%s", c.name, url, c.err, c.logTail())
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for %s: %w", url, ctx.Err())
		}
		if time.Now().After(deadline) {
			tail := ""
			if c != nil {
				tail = c.logTail()
			}
			return fmt.Errorf("no 200 from %s within %v (last: %v)%s", url, limit, last, tail)
		}
		if interval > 0 {
			time.Sleep(interval)
		}
	}
}
