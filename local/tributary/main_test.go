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
	"runtime/debug"
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
	// Routes that overlap without being the same shape load and resolve
	// by precedence, as KrakenD's router has them.
	code, _, errOut := cli(t, nil, "check", "-c", overlap)
	if code != 0 {
		t.Errorf("overlapping routes: exit %d, stderr:\n%s", code, errOut)
	}
	same := writeFile(t, "same.json", `{"version": 3, "endpoints": [
  {"endpoint": "/a/{x}", "backend": [{"host": ["http://h"], "url_pattern": "/"}]},
  {"endpoint": "/a/{y}", "backend": [{"host": ["http://h"], "url_pattern": "/"}]}
]}`)
	if code, _, errOut := cli(t, nil, "check", "-c", same); code != 1 || !strings.Contains(errOut, "/a/{y}") {
		t.Errorf("routes of the same shape: exit %d, stderr:\n%s", code, errOut)
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
		{[]string{"check", "-s", "schema.json", "-c", "x.json"}, 2, "not supported"},
		{[]string{"check", "--lint-schema=https://example.com/s.json", "-c", "x.json"}, 2, "not supported"},
		{[]string{"check", "-c", "/does/not/exist.json"}, 1, "exist.json"},
		{[]string{"run", "-p", "70000"}, 2, "out of range"},
		{[]string{"run", "--bogus"}, 2, "unknown flag"},
	} {
		code, _, errOut := cli(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d stderr %q; want exit %d containing %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}} {
		if code, out, _ := cli(t, nil, args...); code != 0 || !strings.HasPrefix(out, "tributary ") || strings.Count(out, "\n") != 1 {
			t.Errorf("%v: %d %q", args, code, out)
		}
	}
}

// TestFlexibleConfig: check runs the one loader, Flexible Config included
// (Flexible Config): a template loads with FC_ENABLE and fails with
// the hint to set it without.
func TestFlexibleConfig(t *testing.T) {
	p := writeFile(t, "gateway.tmpl", `{"version": {{ add 1 2 }}, "endpoints": [
  {"endpoint": "/a", "backend": [{"host": ["http://h"], "url_pattern": "/"}]}
]}`)
	if code, out, errOut := cli(t, []string{"FC_ENABLE=1"}, "check", "-c", p); code != 0 || !strings.Contains(out, "syntax OK, 1 endpoint(s)") {
		t.Errorf("FC_ENABLE=1: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, nil, "check", "-c", p); code != 1 || !strings.Contains(errOut, "Flexible Config") {
		t.Errorf("template without FC_ENABLE: exit %d, stderr %q", code, errOut)
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

// TestStrayArgumentsAreErrors: a config file given as an argument is an
// error suggesting -c (never a silent demo), and every command refuses
// arguments it does not take.
func TestStrayArgumentsAreErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
		not  string
	}{
		{[]string{"run", "my.json"}, []string{`unexpected argument "my.json"`, "tributary run -c my.json"}, ""},
		{[]string{"run", "-p", "9090", "my.json"}, []string{"tributary run -c my.json"}, ""},
		{[]string{"run", "-c", "a.json", "b.json"}, []string{`unexpected argument "b.json"`}, " -c b.json"},
		{[]string{"check", "my.json"}, []string{"tributary check -c my.json"}, ""},
		{[]string{"validate", "my.json"}, []string{"tributary validate -c my.json"}, ""},
		{[]string{"check", "-c", "a.json", "b.json"}, []string{`unexpected argument "b.json"`}, " -c b.json"},
		{[]string{"version", "now"}, []string{`tributary version: unexpected argument "now"`}, " -c "},
	} {
		code, out, errOut := cli(t, nil, tc.args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d stdout %q; want exit 2, no output", tc.args, code, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, errOut)
			}
		}
		if tc.not != "" && strings.Contains(errOut, tc.not) {
			t.Errorf("%v: stderr has %q:\n%s", tc.args, tc.not, errOut)
		}
	}
}

// TestHelp: every command's --help and -h print a usage line and every
// flag on stdout, and exit 0.
func TestHelp(t *testing.T) {
	runFlags := []string{"--config", "--port", "--debug", "--strict", "--no-demo", "--demo-ports", "--help"}
	checkFlags := []string{"--config", "--debug", "--indent", "--strict", "--lint", "--lint-no-network", "--test-gin-routes", "--lint-schema", "--help",
		"-c,", "-d,", "-i,", "-l,", "-n,", "-t,", "-s,", "-h,"}
	for _, tc := range []struct {
		args  []string
		usage string
		flags []string
	}{
		{[]string{"run", "--help"}, "Usage: tributary run [flags]\n", runFlags},
		{[]string{"run", "-h"}, "Usage: tributary run [flags]\n", runFlags},
		{[]string{"run", "-c", "x.json", "--help"}, "Usage: tributary run [flags]\n", runFlags},
		{[]string{"help", "run"}, "Usage: tributary run [flags]\n", runFlags},
		{[]string{"check", "--help"}, "Usage: tributary check -c FILE [flags]\n", checkFlags},
		{[]string{"check", "-h"}, "Usage: tributary check -c FILE [flags]\n", checkFlags},
		{[]string{"validate", "--help"}, "Usage: tributary validate -c FILE [flags]\n", checkFlags},
		{[]string{"help", "check"}, "Usage: tributary check -c FILE [flags]\n", checkFlags},
		{[]string{"version", "--help"}, "Usage: tributary version [flags]\n", []string{"--help"}},
		{[]string{"help", "version"}, "Usage: tributary version [flags]\n", []string{"--help"}},
		{[]string{"--help"}, "Tributary: ", []string{"tributary run", "tributary check", "tributary version", "tributary sam", "validate"}},
		{[]string{"-h"}, "Tributary: ", nil},
		{[]string{"help"}, "Tributary: ", nil},
		{[]string{"help", "sam"}, "Usage:\n  tributary sam generate", nil},
		{[]string{"--help"}, "Tributary: ", []string{"tributary migrate"}},
	} {
		code, out, errOut := cli(t, nil, tc.args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, tc.usage) {
			t.Errorf("%v: exit %d, stderr %q, stdout:\n%s", tc.args, code, errOut, out)
			continue
		}
		for _, f := range tc.flags {
			if !strings.Contains(out, f) {
				t.Errorf("%v: help lacks %s:\n%s", tc.args, f, out)
			}
		}
	}
	if code, _, errOut := cli(t, nil, "help", "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown help topic "frobnicate"`) {
		t.Errorf("help frobnicate: exit %d, stderr %q", code, errOut)
	}
}

// warnConfig loads with two warnings (an unknown root key and a
// scheme-less host) and no error.
const warnConfig = `{"version": 3, "owner": "me", "endpoints": [
  {"endpoint": "/a", "backend": [{"host": ["h:8080"], "url_pattern": "/"}]}
]}`

// TestCheckWarningsAndStrict: warnings are printed in the documented error format
// ("FILE:L:C: warning: $.path: …") and keep exit 0; --strict and KrakenD's
// -l/-n print them as errors (no "warning:") and exit 1.
func TestCheckWarningsAndStrict(t *testing.T) {
	p := writeFile(t, "warn.json", warnConfig)
	code, out, errOut := cli(t, nil, "check", "-c", p)
	wantWarnings := p + `:1:16: warning: $.owner: unknown key "owner" ignored, as KrakenD does` + "\n" +
		p + `:2:44: warning: $.endpoints[0].backend[0].host[0]: scheme-less host "h:8080" normalised to "http://h:8080"; write "http://" or "https://"` + "\n"
	if code != 0 || errOut != wantWarnings || out != p+": syntax OK, 1 endpoint(s)\n" {
		t.Errorf("check: exit %d\nstdout %q\nstderr:\n%s\nwant stderr:\n%s", code, out, errOut, wantWarnings)
	}
	wantErrors := strings.ReplaceAll(wantWarnings, "warning: ", "") + "2 error(s) (2 warning(s) made errors by --strict)\n"
	for _, flag := range []string{"--strict", "-l", "--lint", "-n", "--lint-no-network"} {
		code, out, errOut := cli(t, nil, "check", flag, "-c", p)
		if code != 1 || out != "" || errOut != wantErrors {
			t.Errorf("check %s: exit %d\nstdout %q\nstderr:\n%s\nwant:\n%s", flag, code, out, errOut, wantErrors)
		}
	}
	// validate is check.
	if code, out, _ := cli(t, nil, "validate", "-c", p); code != 0 || !strings.Contains(out, "syntax OK") {
		t.Errorf("validate: exit %d stdout %q", code, out)
	}
	// -t changes nothing.
	if code, _, _ := cli(t, nil, "check", "-t", "-c", p); code != 0 {
		t.Errorf("check -t: exit %d", code)
	}
}

// TestCheckErrorsWithWarnings: errors do not hide the warnings; errors
// come first.
func TestCheckErrorsWithWarnings(t *testing.T) {
	p := writeFile(t, "both.json", `{"version": 3, "owner": "me", "endpoints": [
  {"endpoint": "/a/{x}", "backend": [{"host": ["http://h"], "url_pattern": "/"}]},
  {"endpoint": "/a/{y}", "backend": [{"host": ["http://h"], "url_pattern": "/"}]}
]}`)
	code, out, errOut := cli(t, nil, "check", "-c", p)
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if code != 1 || out != "" || len(lines) != 3 ||
		!strings.Contains(lines[0], "/a/{y}") || strings.Contains(lines[0], "warning:") ||
		lines[1] != p+`:1:16: warning: $.owner: unknown key "owner" ignored, as KrakenD does` ||
		lines[2] != "1 error(s)" {
		t.Errorf("exit %d stdout %q stderr:\n%s", code, out, errOut)
	}
}

// TestCheckDebugIndent: -i sets the indentation of the -d dump, as
// KrakenD's --indent does; -dd is accepted.
func TestCheckDebugIndent(t *testing.T) {
	p := writeFile(t, "gateway.json", string(mustRead(t, "../../config/gateway.json")))
	code, out, _ := cli(t, nil, "check", "-dd", "-i", "\t", "-c", p)
	if code != 0 || !strings.Contains(out, "\n\t[0] GET http://127.0.0.1:8001/products\n") || strings.Contains(out, "  [0]") {
		t.Errorf("check -dd -i TAB: exit %d, stdout:\n%s", code, out)
	}
	if got := reindent("a\n  b\n    c\nd  e\n", "->"); got != "a\n->b\n->->c\nd  e\n" {
		t.Errorf("reindent = %q", got)
	}
}

// TestRunStrictRefusesWarnings: run --strict does not serve a config with
// warnings; it prints them as errors and exits 1.
func TestRunStrictRefusesWarnings(t *testing.T) {
	p := writeFile(t, "warn.json", warnConfig)
	code, out, errOut := cli(t, nil, "run", "--strict", "-p", strconv.Itoa(freePort(t)), "-c", p)
	if code != 1 || out != "" || strings.Contains(errOut, "warning:") ||
		!strings.Contains(errOut, p+`:1:16: $.owner: unknown key "owner"`) || !strings.Contains(errOut, "2 error(s)") {
		t.Errorf("run --strict: exit %d stdout %q stderr:\n%s", code, out, errOut)
	}
	// A config that does not load is never served either.
	bad := writeFile(t, "bad.json", `{"version": 3, "timout": "1s", "endpoints": []}`)
	if code, _, errOut := cli(t, nil, "run", "-c", bad); code != 1 || !strings.Contains(errOut, `did you mean "timeout"`) {
		t.Errorf("run with a bad config: exit %d stderr:\n%s", code, errOut)
	}
}

func TestRunDemoPortsUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--demo-ports", "9001"},
		{"run", "--demo-ports", "9001,9001"},
		{"run", "--demo-ports", "9001,70000"},
		{"run", "--demo-ports", "9001,9002", "-c", "x.json"},
		{"run", "--demo-ports", "9001,9002", "--no-demo"},
	} {
		if code, _, errOut := cli(t, nil, args...); code != 2 || !strings.Contains(errOut, "--demo-ports") {
			t.Errorf("%v: exit %d stderr %q", args, code, errOut)
		}
	}
}

// TestRunDemoPorts runs the real binary with the demo backends moved: the
// bundled config's hosts follow them, so the aggregated endpoint is whole.
func TestRunDemoPorts(t *testing.T) {
	bin := buildBinary(t)
	catalog, users, port := freePort(t), freePort(t), freePort(t)
	for catalog == users || port == catalog || port == users {
		users, port = freePort(t), freePort(t)
	}
	cmd, logs := startRun(t, bin, port, "--demo-ports", fmt.Sprintf("%d,%d", catalog, users))
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/frontpage/42", port))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// Stop the process before reading its logs (they are written
	// concurrently until it exits).
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Tributary-Completed") == "false" ||
		!bytes.Contains(body, []byte(`"products":`)) || !bytes.Contains(body, []byte(`"cart":`)) {
		t.Errorf("GET /frontpage/42 = %d %v %s\nlogs:\n%s", resp.StatusCode, resp.Header, body, logs.String())
	}
	if want := fmt.Sprintf(`"catalog":"127.0.0.1:%d"`, catalog); !strings.Contains(logs.String(), want) {
		t.Errorf("logs lack %s:\n%s", want, logs.String())
	}
}

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	for _, tc := range []struct {
		stamped string
		info    *debug.BuildInfo
		ok      bool
		want    string
	}{
		{"v1.2.3-4-gabcdef0", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}}, true, "v1.2.3-4-gabcdef0"},
		{"dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, true, "v1.4.0"},
		{"dev", vcs("0123456789abcdef0123", "false"), true, "0123456789ab"},
		{"dev", vcs("0123456789abcdef0123", "true"), true, "0123456789ab-dirty"},
		{"dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "dev"},
		{"dev", nil, false, "dev"},
	} {
		if got := buildVersion(tc.stamped, tc.info, tc.ok); got != tc.want {
			t.Errorf("buildVersion(%q, %+v) = %q, want %q", tc.stamped, tc.info, got, tc.want)
		}
	}
}

// TestCheckDebugShowsRenderedTemplate: check -d prints what a Flexible
// Config template rendered to before the plan.
func TestCheckDebugShowsRenderedTemplate(t *testing.T) {
	p := writeFile(t, "tpl.json", `{"version": 3, "endpoints": [
  {"endpoint": "/{{ "rendered" }}", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/"}]}]}`)
	code, out, errOut := cli(t, []string{"FC_ENABLE=1"}, "check", "-d", "-c", p)
	if code != 0 || !strings.Contains(out, `"endpoint": "/rendered"`) || strings.Contains(out, "{{") {
		t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
	}
}
