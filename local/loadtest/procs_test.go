package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// startTestBackend runs the stub backend in a child process: the test
// binary re-executed (TestMain turns it into `loadtest backend`).
func startTestBackend(t *testing.T, ps *procSet) (*child, string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := append(childEnv(os.Environ(), 1), childEnvKey+"=backend")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, addr, err := startBackend(ctx, ps, self, env, filepath.Join(t.TempDir(), "backend.log"))
	if err != nil {
		t.Fatal(err)
	}
	return c, addr
}

func waitExit(t *testing.T, c *child, why string) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: the child is still running", why)
	}
}

func TestBackendProcessServesAndStops(t *testing.T) {
	tests := []struct {
		name string
		stop func(ps *procSet, c *child)
	}{
		{"stopAll", func(ps *procSet, c *child) { ps.stopAll() }},
		{"stdin closed", func(ps *procSet, c *child) { _ = c.stdin.Close() }},
		{"SIGINT", func(ps *procSet, c *child) { _ = c.cmd.Process.Signal(os.Interrupt) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := &procSet{}
			defer ps.stopAll()
			c, addr := startTestBackend(t, ps)
			if !strings.HasPrefix(addr, "127.0.0.1:") {
				t.Fatalf("backend address %q is not loopback", addr)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := waitFor200(ctx, c, "http://"+addr+"/products", 10*time.Millisecond, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			tc.stop(ps, c)
			waitExit(t, c, tc.name)
			if c.err != nil {
				t.Errorf("backend exited with %v, want a clean exit%s", c.err, c.logTail())
			}
		})
	}
}

func TestStopEscalatesToKill(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	ps := &procSet{grace: 100 * time.Millisecond}
	defer ps.stopAll()
	// The shell ignores SIGTERM; its short sleeps end on their own after it dies.
	c, err := ps.start("stubborn", exec.Command(sh, "-c", `trap "" TERM; while :; do sleep 0.05; done`), "")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // let the trap be installed
	start := time.Now()
	ps.stopAll()
	if !c.exited() {
		t.Fatal("stopAll returned with the child alive")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stop took %v", d)
	}
	c.stop() // idempotent
}

func TestWaitFor200Failures(t *testing.T) {
	ps := &procSet{}
	defer ps.stopAll()
	c, addr := startTestBackend(t, ps)
	ctx := context.Background()
	err := waitFor200(ctx, c, "http://"+addr+"/nope", time.Millisecond, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "status 404") {
		t.Errorf("error %v, want a timeout naming the 404", err)
	}
	c.stop()
	err = waitFor200(ctx, c, "http://"+addr+"/products", time.Millisecond, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("error %v, want one saying the backend exited", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := waitFor200(cctx, nil, "http://"+addr+"/products", time.Millisecond, 5*time.Second); err == nil {
		t.Error("no error with a cancelled context")
	}
}

func TestChildEnv(t *testing.T) {
	env := []string{"A=1", "GOMAXPROCS=8", "B=2"}
	if got, want := childEnv(env, 0), []string{"A=1", "B=2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("childEnv(0) = %q, want %q", got, want)
	}
	if got, want := childEnv(env, 1), []string{"A=1", "B=2", "GOMAXPROCS=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("childEnv(1) = %q, want %q", got, want)
	}
}

func TestFreePortIsLoopbackAndUsable(t *testing.T) {
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	if p <= 0 || p > 65535 {
		t.Fatalf("port %d", p)
	}
}
