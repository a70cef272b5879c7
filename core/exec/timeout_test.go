package exec_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/exec"
)

// TestEndpointTimeout proves §15: a hanging backend is cancelled and the client gets 504 soon after the timeout.
func TestEndpointTimeout(t *testing.T) {
	checkLeaks(t)
	h := hangingBackend(t)
	const timeout = 400 * time.Millisecond
	gw := gateway(t, fanConfig(`, "timeout": "400ms"`, "", h.URL))
	start := time.Now()
	got := get(t, gw, "/x")
	elapsed := time.Since(start)
	wantError(t, got, 504, "gateway_timeout")
	if elapsed > 2*timeout {
		t.Errorf("answered after %s, want less than 2× the %s timeout", elapsed, timeout)
	}
	waitFor(t, h.gone, 1, "backend saw the cancellation")
}

// TestDeadlineMargin proves Options.DeadlineMargin: a short caller deadline minus the margin ends backend calls early.
func TestDeadlineMargin(t *testing.T) {
	cases := []struct {
		name     string
		ctx      time.Duration // caller's deadline
		margin   time.Duration
		budget   time.Duration // expected: ctx − margin − min(T/10, 200ms)
		notAfter time.Duration // fails if the margin were ignored
	}{
		{"no margin", 1 * time.Second, 0, 800 * time.Millisecond, 1000 * time.Millisecond},
		{"margin", 2 * time.Second, 1 * time.Second, 800 * time.Millisecond, 1600 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			h := hangingBackend(t)
			gw := startGateway(t, exec.Options{DeadlineMargin: tc.margin}, fanConfig(`, "timeout": "5s"`, "", h.URL, h.URL))
			ctx, cancel := context.WithTimeout(context.Background(), tc.ctx)
			defer cancel()
			start := time.Now()
			got := serveCtx(t, ctx, gw, &exec.Request{Method: "GET", RawPath: "/x"})
			elapsed := time.Since(start)
			if ctx.Err() != nil {
				t.Errorf("answered after the caller's deadline (%s)", elapsed)
			}
			t.Logf("answered after %s", elapsed)
			wantError(t, got, 504, "gateway_timeout")
			if elapsed < tc.budget/2 || elapsed > tc.notAfter {
				t.Errorf("answered after %s, want about %s (at most %s)", elapsed, tc.budget, tc.notAfter)
			}
			waitFor(t, h.gone, 2, "backends saw the cancellation")
		})
	}
}

// TestClientGone proves §15: a cancelled caller context cancels every backend call and Serve returns.
func TestClientGone(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprint(n, " backends"), func(t *testing.T) {
			checkLeaks(t)
			h := hangingBackend(t)
			urls := make([]string, n)
			for i := range urls {
				urls[i] = h.URL
			}
			gw := gateway(t, fanConfig(`, "timeout": "10s"`, "", urls...))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan *exec.Response, 1)
			go func() { done <- gw.Serve(ctx, &exec.Request{Method: "GET", RawPath: "/x"}) }()
			waitFor(t, h.arrived, n, "backends received the calls")
			cancel()
			start := time.Now()
			select {
			case resp := <-done:
				if resp.Status == 200 {
					t.Errorf("status 200 after the client went away")
				}
				resp.Release()
			case <-time.After(testTimeout):
				t.Fatal("Serve did not return after the client went away")
			}
			waitFor(t, h.gone, n, "backends saw the cancellation")
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("cancellation took %s", d)
			}
		})
	}
}
