package main

import (
	"github.com/tributary-gw/tributary/local/measure"

	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// buildTributary builds the tributary binary (./local/tributary) into out, as `make
// build` does (CGO off, -trimpath).
func buildTributary(ctx context.Context, out string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	repo, err := measure.FindRepo(wd)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "./local/tributary")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./local/tributary: %w\n%s", err, b)
	}
	return nil
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

// startBinaryGateway runs `bin run -c cfgPath -p port --no-demo` (with
// --server server when server is set) and waits for its /__health to
// answer 200.
func startBinaryGateway(ctx context.Context, bin, cfgPath string, port int, logPath, server string) (*proc, error) {
	args := []string{"run", "-c", cfgPath, "-p", strconv.Itoa(port), "--no-demo"}
	if server != "" {
		args = append(args, "--server", server)
	}
	p, _, err := startProc(bin, args, logPath, false)
	if err != nil {
		return nil, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/__health"
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := client.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		switch {
		case p.exited():
			return nil, fmt.Errorf("the gateway exited before answering %s (%v)%s", url, p.err, p.logTail())
		case ctx.Err() != nil || time.Now().After(deadline):
			p.stop()
			return nil, fmt.Errorf("no 200 from %s within 20s%s", url, p.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
