package rie

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOwnsListeners(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp: ownership falls back to a connect test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ours := ln.Addr().(*net.TCPAddr).Port
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	tests := []struct {
		name  string
		pid   int
		ports []int
		want  bool
	}{
		{"our listener", os.Getpid(), []int{ours}, true},
		{"a port nobody listens on", os.Getpid(), []int{ours, free}, false},
		{"another process's view", os.Getppid(), []int{ours}, false},
		{"a process that does not exist", 1 << 30, []int{ours}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owned, known := ownsListeners(tt.pid, tt.ports)
			if !known || owned != tt.want {
				t.Errorf("ownsListeners = %v (known %v), want %v", owned, known, tt.want)
			}
		})
	}
}

// TestListenerInodes: the socket-diagnostics query and the /proc/net/tcp
// fallback find the same listener, and only listeners on 127.0.0.1.
func TestListenerInodes(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp: ownership falls back to a connect test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	// A connection to it is not a listener and must not be reported.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	diag, err := listenerInodesDiag([]int{port, 1})
	if err != nil {
		t.Fatalf("socket diagnostics: %v", err)
	}
	proc, err := listenerInodesProc([]int{port, 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(diag) != 1 || diag[port] == 0 || diag[port] != proc[port] || len(proc) != 1 {
		t.Errorf("diag %v, proc %v: want one and the same inode for port %d", diag, proc, port)
	}
}

func TestHeldOutput(t *testing.T) {
	tests := []struct {
		name      string
		writes    []string
		release   bool
		after     string
		want      string
		collision bool
	}{
		{"released output passes, held part first", []string{"a", "b"}, true, "c", "abc", false},
		{"dropped output never passes", []string{"panic: x"}, false, "later", "", false},
		{"a bind collision is recognised", []string{"listen tcp 127.0.0.1:1: bind: address already in use\npanic"}, false, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst strings.Builder
			h := &heldOutput{dst: &dst}
			for _, w := range tt.writes {
				if n, err := h.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			collision := false
			if tt.release {
				h.release()
			} else {
				collision = h.drop()
			}
			_, _ = h.Write([]byte(tt.after))
			if dst.String() != tt.want || collision != tt.collision {
				t.Errorf("output %q, collision %v; want %q, %v", dst.String(), collision, tt.want, tt.collision)
			}
		})
	}
	h := &heldOutput{dst: &strings.Builder{}}
	big := make([]byte, maxHeldOutput+10)
	if n, err := h.Write(big); n != len(big) || err != nil || h.buf.Len() != maxHeldOutput {
		t.Errorf("oversize write: n=%d err=%v held=%d", n, err, h.buf.Len())
	}
}

// TestConcurrentStarts starts many emulators at once, as the end-to-end
// suites and `tributary sam start-api` do. Each must answer from its own
// process: a port taken by another emulator between reservation and bind
// must cause a retry, never a wrong or dead emulator.
func TestConcurrentStarts(t *testing.T) {
	rieBin, boot := os.Getenv("RIE_BIN"), os.Getenv("GATEWAY_BOOTSTRAP")
	if rieBin == "" || boot == "" {
		t.Skip("RIE_BIN and GATEWAY_BOOTSTRAP unset (make test sets them)")
	}
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			var logs strings.Builder
			e, err := Start(Options{RIE: rieBin, Bootstrap: boot, Output: &syncWriter{b: &logs},
				Env: []string{"TRIBUTARY_BASE_PATH=/b" + string(rune('a'+i))}})
			if err != nil {
				errs <- err.Error()
				return
			}
			defer e.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			// The health endpoint behind this emulator's own base path: any
			// other emulator answers 404.
			ev := `{"version":"2.0","rawPath":"/b` + string(rune('a'+i)) + `/__health","rawQueryString":"","headers":{"host":"x"},"requestContext":{"http":{"method":"GET","path":"/","sourceIp":"198.51.100.1"},"stage":"$default"},"isBase64Encoded":false}`
			status, body, err := e.Invoke(ctx, []byte(ev))
			if err != nil || status != 200 || !strings.Contains(string(body), `"statusCode":200`) {
				errs <- "invoke: " + strings.TrimSpace(string(body)) + " " + errString(err)
			}
			if err := e.Close(); err != nil {
				errs <- err.Error()
			}
			if out := logs.String(); strings.Contains(out, "panic") {
				errs <- "emulator output shows a panic:\n" + out
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestStartOnceTakenPort holds one of the emulator's ports, as another
// process can between reservation and bind: the attempt must report a
// collision (so Start retries), never succeed against the squatter, and
// never leak the emulator's bind panic into the caller's output.
func TestStartOnceTakenPort(t *testing.T) {
	rieBin, boot := os.Getenv("RIE_BIN"), os.Getenv("GATEWAY_BOOTSTRAP")
	if rieBin == "" || boot == "" {
		t.Skip("RIE_BIN and GATEWAY_BOOTSTRAP unset (make test sets them)")
	}
	for _, taken := range []int{0, 1} {
		t.Run([]string{"invoke API port", "runtime API port"}[taken], func(t *testing.T) {
			ports, err := freePorts(2)
			if err != nil {
				t.Fatal(err)
			}
			squatter, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(ports[taken]))
			if err != nil {
				t.Fatal(err)
			}
			defer squatter.Close()
			var logs strings.Builder
			o := Options{RIE: rieBin, Bootstrap: boot, Timeout: 3 * time.Second, Name: "function",
				StartTimeout: 10 * time.Second, Output: &syncWriter{b: &logs}}
			e, collided, err := startOnce(o, ports)
			if err == nil {
				e.Close()
				t.Fatal("the start attempt succeeded although a port was taken")
			}
			if !collided {
				t.Errorf("collided = false, err = %v", err)
			}
			if logs.Len() > 0 {
				t.Errorf("a failed attempt's output reached the caller:\n%s", logs.String())
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
