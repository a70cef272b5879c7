package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/local/demo"
)

// TestRunFastHTTP: `run --server fasthttp` serves the config with the
// fasthttp server (proxied endpoint, built-in health, access log) and
// shuts down gracefully on SIGTERM; the config option selects it too.
func TestRunFastHTTP(t *testing.T) {
	users, err := demo.Start("127.0.0.1:0", "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer users.Close(context.Background())
	bin := buildBinary(t)
	for _, tc := range []struct {
		name, extra string
		args        []string
	}{
		{"flag", "", []string{"--server", "fasthttp"}},
		{"config", `"extra_config": {"tributary": {"server": "fasthttp"}},`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, "cfg.json", fmt.Sprintf(`{"version": 3, %s "endpoints": [
  {"endpoint": "/people/{id}", "backend": [{"host": [%q], "url_pattern": "/users/{id}", "allow": ["name"]}]}
]}`, tc.extra, users.UsersURL()))
			port := freePort(t)
			cmd, logs := startRun(t, bin, port, append([]string{"-c", cfg}, tc.args...)...)
			for _, path := range []string{"/people/42", "/__health"} {
				resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || path == "/people/42" && !bytes.HasPrefix(body, []byte(`{"name":"`)) {
					t.Errorf("GET %s = %d %s", path, resp.StatusCode, body)
				}
			}
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("exit after SIGTERM: %v; logs:\n%s", err, logs.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no exit 10s after SIGTERM")
			}
			out := logs.String()
			for _, want := range []string{`"msg":"serving with fasthttp"`, `"route":"/people/{id}"`, `"msg":"shutting down"`} {
				if !strings.Contains(out, want) {
					t.Errorf("logs lack %s:\n%s", want, out)
				}
			}
		})
	}
}

// TestRunServerFlagValues: an unknown --server is a usage error.
func TestRunServerFlagValues(t *testing.T) {
	code, _, errOut := cli(t, nil, "run", "--server", "nginx")
	if code != 2 || !strings.Contains(errOut, `--server "nginx": use "net/http" (the default) or "fasthttp"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
