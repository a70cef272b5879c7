// Package rie runs a Lambda bootstrap under the AWS Lambda Runtime Interface
// Emulator, bound to loopback, and invokes it. `tributary sam start-api`,
// `tributary sam invoke`, the end-to-end tests and the cold-start benchmark
// all use it, so the emulator is driven one way everywhere.
//
// The emulator serves one invoke at a time (concurrent invokes crash it:
// aws-lambda-runtime-interface-emulator issues 97 and 131), so Invoke
// serialises calls per Emulator.
package rie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// InvokePath is the emulator's Invoke API path; the function name must be
// "function".
const InvokePath = "/2015-03-31/functions/function/invocations"

// Options configure one emulator process.
type Options struct {
	// RIE is the aws-lambda-rie binary.
	RIE string
	// Bootstrap is the function binary to run.
	Bootstrap string
	// Env is added to the emulator's environment, which the emulator
	// forwards to the function (TRIBUTARY_* settings go here). The
	// caller's own environment is inherited except the gateway's settings
	// (TRIBUTARY_*, KRAKEND_*, FC_*): a deployed function gets those from
	// its template only, and so does a function under the emulator.
	Env []string
	// Timeout is AWS_LAMBDA_FUNCTION_TIMEOUT. Default 3s.
	Timeout time.Duration
	// Name is AWS_LAMBDA_FUNCTION_NAME. Default "function".
	Name string
	// Dir is the working directory. Default: the current one.
	Dir string
	// Output receives the emulator's and the function's logs. Default:
	// discarded.
	Output io.Writer
	// StartTimeout bounds the wait for the emulator's port. Default 10s.
	StartTimeout time.Duration
}

// Emulator is one running aws-lambda-rie process.
type Emulator struct {
	// Addr is the Invoke API address (127.0.0.1:port).
	Addr string
	// Started is when the emulator process was started.
	Started time.Time

	cmd    *exec.Cmd
	client *http.Client
	mu     sync.Mutex
	done   chan struct{}
	werr   error
}

// Start launches the emulator on two free loopback ports and waits until
// it listens on both. A port reserved here is released just before the
// emulator binds it, so another process may take it in between; the
// emulator then exits at once, and Start retries with fresh ports.
func Start(o Options) (*Emulator, error) {
	if o.RIE == "" || o.Bootstrap == "" {
		return nil, errors.New("rie: both the emulator and the bootstrap binary are required")
	}
	for _, f := range []string{o.RIE, o.Bootstrap} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("rie: %w", err)
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = 3 * time.Second
	}
	if o.Name == "" {
		o.Name = "function"
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 10 * time.Second
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	for attempt := 1; ; attempt++ {
		ports, err := freePorts(2)
		if err != nil {
			return nil, err
		}
		e, collided, err := startOnce(o, ports)
		if err == nil || !collided || attempt == maxStartAttempts {
			return e, err
		}
	}
}

// startOnce makes one start attempt on ports (the Invoke API's, then the
// runtime API's). collided reports that the emulator exited because one of
// them was taken.
func startOnce(o Options, ports []int) (e *Emulator, collided bool, err error) {
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	cmd := exec.Command(o.RIE,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(ports[1]),
		o.Bootstrap)
	cmd.Dir = o.Dir
	secs := int((o.Timeout + time.Second - 1) / time.Second)
	cmd.Env = append(append(inherited(os.Environ()),
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(secs),
		"AWS_LAMBDA_FUNCTION_NAME="+o.Name,
	), o.Env...)
	out := &heldOutput{dst: o.Output}
	cmd.Stdout, cmd.Stderr = out, out
	e = &Emulator{
		Addr:   addr,
		cmd:    cmd,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}},
		done:   make(chan struct{}),
	}
	e.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("rie: starting %s: %w", o.RIE, err)
	}
	go func() {
		e.werr = cmd.Wait()
		close(e.done)
	}()
	deadline := time.Now().Add(o.StartTimeout)
	for {
		select {
		case <-e.done:
			if out.drop() {
				return nil, true, fmt.Errorf("rie: a reserved port was taken before the emulator bound it: %v", e.werr)
			}
			return nil, false, fmt.Errorf("rie: the emulator exited before listening: %v", e.werr)
		default:
		}
		if e.listening(ports) {
			out.release()
			return e, false, nil
		}
		if time.Now().After(deadline) {
			out.release()
			e.Close()
			return nil, false, fmt.Errorf("rie: %s not listening after %s", addr, o.StartTimeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// listening reports whether this emulator process listens on both of its
// ports: the Invoke API address accepts connections, and (where the system
// can tell) both listening sockets belong to this process.
func (e *Emulator) listening(ports []int) bool {
	c, err := net.DialTimeout("tcp", e.Addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	owned, known := ownsListeners(e.cmd.Process.Pid, ports)
	return owned || !known
}

// Invoke sends one payload and returns the emulator's HTTP status and body.
// A function error comes back as status 200 with an
// {"errorMessage","errorType"} body (the emulator sets no
// X-Amz-Function-Error header).
func (e *Emulator) Invoke(ctx context.Context, payload []byte) (int, []byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+e.Addr+InvokePath, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("rie: invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 7<<20))
	return resp.StatusCode, body, err
}

// Close stops the emulator (it SIGKILLs its runtime on SIGTERM) and waits
// for it to exit.
func (e *Emulator) Close() error {
	e.client.CloseIdleConnections()
	select {
	case <-e.done:
		return nil
	default:
	}
	_ = e.cmd.Process.Signal(os.Interrupt)
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
	return nil
}

// freePorts reserves n distinct loopback ports by listening and releasing.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("rie: reserving a port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// inherited is env without the gateway's own settings, which a function
// must get from its template alone (Options.Env).
func inherited(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.HasPrefix(kv, "TRIBUTARY_") || strings.HasPrefix(kv, "KRAKEND_") || strings.HasPrefix(kv, "FC_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
