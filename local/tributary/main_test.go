package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/local/demo"
)

func cli(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = runCLI(args, env, &o, &e)
	return code, o.String(), e.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckBundledConfig(t *testing.T) {
	p := writeFile(t, "gateway.json", string(mustRead(t, "../../config/gateway.json")))
	code, out, errOut := cli(t, nil, "check", "-c", p)
	if code != 0 {
		t.Fatalf("check exit %d, stderr:\n%s", code, errOut)
	}
	if want := p + ": syntax OK, 3 endpoint(s)\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if errOut != "" {
		t.Errorf("stderr = %q, want nothing (no warnings in the bundled config)", errOut)
	}
}

func TestCheckReportsEveryError(t *testing.T) {
	p := writeFile(t, "bad.json", `{
  "version": 3,
  "timout": "2s",
  "endpoints": [
    {"endpoint": "/u/{id}", "backend": [{"host": ["http://a"], "url_pattern": "/v1/{uid}"}]}
  ]
}`)
	code, out, errOut := cli(t, nil, "check", "-c", p)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if out != "" {
		t.Errorf("stdout = %q, want empty on failure", out)
	}
	for _, want := range []string{
		p + `:3:3: $.timout: unknown key; did you mean "timeout"?`,
		p + `:5:79: $.endpoints[0].backend[0].url_pattern: undefined placeholder "uid" in backend 0 of GET /u/{id}; did you mean {id}?`,
		"2 error(s)",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestCheckPlanErrorsAndLint(t *testing.T) {
	overlap := writeFile(t, "overlap.json", `{"version": 3, "endpoints": [
  {"endpoint": "/a/{x}/b", "backend": [{"host": ["http://h"], "url_pattern": "/"}]},
  {"endpoint": "/a/c/{y}", "backend": [{"host": ["http://h"], "url_pattern": "/"}]}
]}`)
	code, _, errOut := cli(t, nil, "check", "-c", overlap)
	if code != 1 || !strings.Contains(errOut, "/a/{x}/b") || !strings.Contains(errOut, "/a/c/{y}") {
		t.Errorf("ambiguous routes: exit %d, stderr:\n%s", code, errOut)
	}

	warn := writeFile(t, "warn.json", `{"version": 3, "endpoints": [
  {"endpoint": "/a", "backend": [{"host": ["h:8080"], "url_pattern": "/"}]}
]}`)
	code, out, errOut := cli(t, nil, "check", "-c", warn)
	if code != 0 || !strings.Contains(errOut, "warning: ") || !strings.Contains(out, "syntax OK") {
		t.Errorf("warning without --lint: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, flag := range []string{"-l", "--lint", "-n"} {
		if code, _, _ := cli(t, nil, "check", flag, "-c", warn); code != 1 {
			t.Errorf("check %s with a warning: exit %d, want 1", flag, code)
		}
	}
}

func TestCheckDebugPrintsPlan(t *testing.T) {
	p := writeFile(t, "gateway.json", string(mustRead(t, "../../config/gateway.json")))
	code, out, _ := cli(t, nil, "check", "-d", "-c", p)
	if code != 0 || !strings.Contains(out, "GET /frontpage/{id_user}") || !strings.Contains(out, "/shopping-cart/{id_user}") {
		t.Errorf("check -d: exit %d, stdout:\n%s", code, out)
	}
}

func TestCLIUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"check"}, 2, "-c FILE is required"},
		{[]string{"check", "-s", "-c", "x.json"}, 2, "not supported"},
		{[]string{"check", "-c", "/does/not/exist.json"}, 1, "exist.json"},
		{[]string{"run", "-p", "70000"}, 2, "out of range"},
		{[]string{"run", "--bogus"}, 2, "unknown flag"},
	} {
		code, _, errOut := cli(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d stderr %q; want exit %d containing %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	if code, out, _ := cli(t, nil, "version"); code != 0 || out != "tributary dev\n" {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestFlexibleConfigRefused(t *testing.T) {
	p := writeFile(t, "gateway.json", string(mustRead(t, "../../config/gateway.json")))
	code, _, errOut := cli(t, []string{"FC_ENABLE=1"}, "check", "-c", p)
	if code != 1 || !strings.Contains(errOut, "Flexible Config") {
		t.Errorf("FC_ENABLE: exit %d, stderr %q", code, errOut)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// buildBinary builds the real CLI once per test that needs a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tributary")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startRun starts `tributary run` as a process and waits until it answers
// its health endpoint.
func startRun(t *testing.T, bin string, port int, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	cmd := exec.Command(bin, append([]string{"run", "-p", strconv.Itoa(port)}, args...)...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/__health", port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd, &logs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("tributary run did not become healthy; logs:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunServesAndShutsDownGracefully runs the real binary on a user
// config (no demo backends), serves a request through it and stops it with
// SIGTERM.
func TestRunServesAndShutsDownGracefully(t *testing.T) {
	users, err := demo.Start("127.0.0.1:0", "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer users.Close(context.Background())
	cfg := writeFile(t, "cfg.json", fmt.Sprintf(`{"version": 3, "endpoints": [
  {"endpoint": "/people/{id}", "backend": [{"host": [%q], "url_pattern": "/users/{id}", "allow": ["name"]}]}
]}`, users.UsersURL()))
	bin := buildBinary(t)
	port := freePort(t)
	cmd, logs := startRun(t, bin, port, "-c", cfg)

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/people/42", port))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte(`{"name":"`)) || bytes.Count(body, []byte(`":`)) != 1 {
		t.Errorf("GET /people/42 = %d %s", resp.StatusCode, body)
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
	for _, want := range []string{`"msg":"tributary listening"`, `"route":"/people/{id}"`, `"msg":"shutting down"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "demo backends started") {
		t.Errorf("a user config must never start the demo backends")
	}
}
