package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	gwexec "github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/infra"
	"github.com/tributary-gw/tributary/local/demo"
)

// lockedBuffer collects output written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// samE2E holds what the end-to-end tests share: the emulator, the
// prebuilt bootstraps laid out per logical ID, the demo backends, a test
// backend and the config pointing at them.
type samE2E struct {
	rie     string
	bootDir string
	cfgPath string
	cfg     *config.Config
	ref     *httptest.Server // the http adapter on the same config
	client  *http.Client
}

// newSamE2E skips unless make test's RIE_BIN, GATEWAY_BOOTSTRAP and
// ENDPOINT_BOOTSTRAP are set.
func newSamE2E(t *testing.T) *samE2E {
	t.Helper()
	rieBin, gw, ep := os.Getenv("RIE_BIN"), os.Getenv("GATEWAY_BOOTSTRAP"), os.Getenv("ENDPOINT_BOOTSTRAP")
	if rieBin == "" || gw == "" || ep == "" {
		t.Skip("RIE_BIN, GATEWAY_BOOTSTRAP and ENDPOINT_BOOTSTRAP unset (make test sets them)")
	}
	backends, err := demo.Start("127.0.0.1:0", "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = backends.Close(context.Background()) })
	extra := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cookie":
			w.Header().Add("Set-Cookie", "s1=a; Path=/")
			w.Header().Add("Set-Cookie", "s2=b; HttpOnly")
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"cookie":%q}`, r.Header.Get("Cookie"))
		case "/blob":
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = io.Copy(w, r.Body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(extra.Close)

	// The bundled config, pointed at the backends started here, with the
	// echo endpoint and two no-op endpoints on the test backend.
	var doc map[string]any
	raw := strings.NewReplacer("http://127.0.0.1:8001", backends.CatalogURL(), "http://127.0.0.1:8002", backends.UsersURL()).
		Replace(string(config.Bundled()))
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	doc["echo_endpoint"] = true
	doc["endpoints"] = append(doc["endpoints"].([]any),
		map[string]any{"endpoint": "/cookie", "output_encoding": "no-op", "input_headers": []string{"Cookie"},
			"backend": []any{map[string]any{"host": []string{extra.URL}, "url_pattern": "/cookie", "encoding": "no-op"}}},
		map[string]any{"endpoint": "/blob", "method": "POST", "output_encoding": "no-op", "input_headers": []string{"Content-Type"},
			"backend": []any{map[string]any{"host": []string{extra.URL}, "url_pattern": "/blob", "encoding": "no-op"}}})
	cfgJSON, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e := &samE2E{rie: rieBin, bootDir: filepath.Join(dir, "boot"), cfgPath: filepath.Join(dir, "gateway.json")}
	if err := os.WriteFile(e.cfgPath, cfgJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, p, err := load(e.cfgPath, nil)
	if err != nil {
		t.Fatalf("test config: %v", err)
	}
	e.cfg = cfg
	gateway := gwexec.New(p, gwexec.Options{})
	e.ref = httptest.NewServer(httpadapter.New(gateway, httpadapter.Options{Version: version}))
	t.Cleanup(func() {
		e.ref.Close()
		gateway.Client().CloseIdleConnections()
	})
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	e.client = &http.Client{Transport: tr, Timeout: 20 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)

	// Prebuilt bootstraps as --bootstrap-dir expects them:
	// DIR/<LogicalId>/bootstrap.
	for _, id := range []string{"GatewayFunction", "RestGatewayFunction", "EpGetFrontpageIdUser", "EpGetUsersIdUser", "EpGetProducts"} {
		target := ep
		if strings.HasSuffix(id, "GatewayFunction") {
			target = gw
		}
		if err := os.MkdirAll(filepath.Join(e.bootDir, id), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(e.bootDir, id, "bootstrap")); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// generate writes the template infra.Generate makes for the test config.
func (e *samE2E) generate(t *testing.T, o infra.Options) string {
	t.Helper()
	yml, err := infra.Generate(e.cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, yml, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startAPI runs `tributary sam start-api` on a free port (through the same
// flag parsing as the CLI) and returns its base URL, its log and a stop
// function that cancels it like SIGINT and checks that it exits cleanly.
func (e *samE2E) startAPI(t *testing.T, template string) (string, *lockedBuffer, func()) {
	t.Helper()
	var stdout, stderr lockedBuffer
	port, setup, code, ok := parseStartAPI([]string{"-t", template, "-p", "0", "--rie", e.rie,
		"--skip-build", "--bootstrap-dir", e.bootDir}, &stderr)
	if !ok {
		t.Fatalf("flags: exit %d: %s", code, stderr.String())
	}
	setup.options.Env = []string{"TRIBUTARY_CONFIG=" + e.cfgPath}
	addr := make(chan string, 1)
	setup.listening = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- startAPI(ctx, port, setup, &stdout, &stderr) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case code := <-done:
		cancel()
		t.Fatalf("start-api exited with %d:\n%s", code, stderr.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("start-api not listening after 30s:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "Running on "+base) {
		t.Errorf("stdout lacks the address:\n%s", stdout.String())
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("start-api exit code %d:\n%s", code, stderr.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("start-api did not stop within 20s")
		}
		if out := stderr.String(); strings.Contains(out, "panic") || strings.Contains(out, "fatal error") {
			t.Errorf("a crash in the emulator or function output:\n%s", out)
		}
	}
	t.Cleanup(stop)
	return base, &stderr, stop
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (e *samE2E) do(t *testing.T, method, url string, body []byte, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// same checks that start-api answered what the http adapter answers for
// the same request: status and body byte for byte, plus the named
// headers.
func (e *samE2E) same(t *testing.T, what string, got answer, method, path string, body []byte, headers []string, compare ...string) {
	t.Helper()
	want := e.do(t, method, e.ref.URL+path, body, headers...)
	if got.status != want.status || !bytes.Equal(got.body, want.body) {
		t.Errorf("%s: start-api answered %d %.300q\nthe http adapter %d %.300q", what, got.status, got.body, want.status, want.body)
	}
	for _, h := range compare {
		if !slices.Equal(got.header.Values(h), want.header.Values(h)) {
			t.Errorf("%s: %s %q, the http adapter %q", what, h, got.header.Values(h), want.header.Values(h))
		}
	}
}

// servedBy reports whether the start-api log shows a request for path
// handled by function.
func servedBy(logs *lockedBuffer, path, function string) bool {
	return strings.Contains(logs.String(), "path="+path+" function="+function+" ")
}

// TestSamStartAPIEndToEnd runs start-api under the real emulator with the
// prebuilt bootstraps and compares its answers with the http adapter's.
func TestSamStartAPIEndToEnd(t *testing.T) {
	// Registered first, so it runs after every other cleanup.
	baseline := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, baseline) })
	e := newSamE2E(t)
	blob := make([]byte, 256)
	for i := range blob {
		blob[i] = byte(i)
	}
	cookieHdr := []string{"Cookie", "a=1; b=2"}

	t.Run("checked-in template", func(t *testing.T) {
		base, logs, stop := e.startAPI(t, filepath.Join("..", "..", "template.yaml"))
		got := e.do(t, "GET", base+"/frontpage/42", nil)
		e.same(t, "GET /frontpage/42", got, "GET", "/frontpage/42", nil, nil, "Content-Type")
		if got.status != 200 || !servedBy(logs, "/frontpage/42", "EpGetFrontpageIdUser") {
			t.Errorf("GET /frontpage/42 = %d, not served by EpGetFrontpageIdUser:\n%s", got.status, logs.String())
		}
		got = e.do(t, "GET", base+"/nope", nil)
		e.same(t, "GET /nope", got, "GET", "/nope", nil, nil, "Content-Type")
		if got.status != 404 || !servedBy(logs, "/nope", "GatewayFunction") {
			t.Errorf("GET /nope = %d, want the gateway's 404 from GatewayFunction", got.status)
		}
		got = e.do(t, "POST", base+"/blob", blob, "Content-Type", "application/octet-stream")
		e.same(t, "POST /blob", got, "POST", "/blob", blob, []string{"Content-Type", "application/octet-stream"}, "Content-Type")
		if !bytes.Equal(got.body, blob) {
			t.Errorf("POST /blob: the binary body came back as %q", got.body)
		}
		got = e.do(t, "GET", base+"/cookie", nil, cookieHdr...)
		e.same(t, "GET /cookie", got, "GET", "/cookie", nil, cookieHdr, "Set-Cookie", "Content-Type")
		if len(got.header.Values("Set-Cookie")) != 2 || !bytes.Contains(got.body, []byte(`"cookie":"a=1; b=2"`)) {
			t.Errorf("cookie round trip: %v %s", got.header, got.body)
		}
		echo := func(a answer) any {
			var doc struct {
				Headers map[string][]string `json:"req_headers"`
			}
			if err := json.Unmarshal(a.body, &doc); err != nil {
				t.Fatalf("echo: %v: %s", err, a.body)
			}
			return doc.Headers["Cookie"]
		}
		got = e.do(t, "GET", base+"/__echo/x", nil, cookieHdr...)
		want := e.do(t, "GET", e.ref.URL+"/__echo/x", nil, cookieHdr...)
		if fmt.Sprint(echo(got)) != fmt.Sprint(echo(want)) || fmt.Sprint(echo(got)) != "[a=1; b=2]" {
			t.Errorf("echoed Cookie %v, the http adapter %v", echo(got), echo(want))
		}

		// Concurrent requests to one function queue at its emulator, which
		// would crash on two invokes at once.
		var wg sync.WaitGroup
		statuses := make(chan int, 40)
		for range 8 {
			wg.Go(func() {
				for range 5 {
					req, _ := http.NewRequest("GET", base+"/frontpage/42", nil)
					resp, err := e.client.Do(req)
					if err != nil {
						statuses <- 0
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					statuses <- resp.StatusCode
				}
			})
		}
		wg.Wait()
		close(statuses)
		for s := range statuses {
			if s != 200 {
				t.Errorf("a concurrent request got %d", s)
			}
		}

		// Latency: sequential requests over one keep-alive connection.
		const n = 200
		lat := make([]time.Duration, n)
		start := time.Now()
		for i := range lat {
			t0 := time.Now()
			if a := e.do(t, "GET", base+"/frontpage/42", nil); a.status != 200 {
				t.Fatalf("request %d: %d", i, a.status)
			}
			lat[i] = time.Since(t0)
		}
		total := time.Since(start)
		slices.Sort(lat)
		t.Logf("%d sequential GET /frontpage/42 through start-api: %s total, mean %s, p50 %s, p99 %s",
			n, total.Round(time.Millisecond), (total / n).Round(10*time.Microsecond), lat[n/2].Round(10*time.Microsecond), lat[n*99/100].Round(10*time.Microsecond))
		stop()
	})

	t.Run("HTTP API catch-all", func(t *testing.T) {
		base, logs, stop := e.startAPI(t, e.generate(t, infra.Options{}))
		got := e.do(t, "GET", base+"/frontpage/42", nil)
		e.same(t, "GET /frontpage/42", got, "GET", "/frontpage/42", nil, nil, "Content-Type")
		if !servedBy(logs, "/frontpage/42", "GatewayFunction") {
			t.Errorf("not served by GatewayFunction:\n%s", logs.String())
		}
		got = e.do(t, "GET", base+"/", nil)
		e.same(t, "GET /", got, "GET", "/", nil, nil)
		if !servedBy(logs, "/", "GatewayFunction") {
			t.Errorf("GET / not served by GatewayFunction's root event")
		}
		stop()
	})

	t.Run("REST API", func(t *testing.T) {
		base, logs, stop := e.startAPI(t, e.generate(t, infra.Options{API: infra.APIREST}))
		got := e.do(t, "GET", base+"/frontpage/42", nil)
		e.same(t, "GET /frontpage/42", got, "GET", "/frontpage/42", nil, nil, "Content-Type")
		if !servedBy(logs, "/frontpage/42", "RestGatewayFunction") {
			t.Errorf("not served by RestGatewayFunction:\n%s", logs.String())
		}
		got = e.do(t, "POST", base+"/blob", blob, "Content-Type", "application/octet-stream", "Accept", "application/octet-stream")
		if got.status != 200 || !bytes.Equal(got.body, blob) {
			t.Errorf("REST binary round trip: %d %q", got.status, got.body)
		}
		got = e.do(t, "GET", base+"/cookie", nil, cookieHdr...)
		e.same(t, "GET /cookie", got, "GET", "/cookie", nil, cookieHdr, "Set-Cookie")
		stop()
	})
}

// TestSamInvokeEndToEnd runs `tributary sam invoke` through runCLI under
// the real emulator.
func TestSamInvokeEndToEnd(t *testing.T) {
	baseline := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, baseline) })
	e := newSamE2E(t)
	t.Setenv("TRIBUTARY_CONFIG", e.cfgPath) // the emulator forwards its environment
	flags := []string{"-t", filepath.Join("..", "..", "template.yaml"), "--rie", e.rie, "--skip-build", "--bootstrap-dir", e.bootDir}
	want := e.do(t, "GET", e.ref.URL+"/frontpage/42?locale=es", nil, "Authorization", "Bearer demo-token")

	code, stdout, stderr := cli(t, nil, append([]string{"sam", "invoke", "EpGetFrontpageIdUser", "-e", filepath.Join("..", "events", "direct.json")}, flags...)...)
	if code != 0 || stdout != string(want.body)+"\n" {
		t.Errorf("direct invoke: exit %d\nstdout %s\nwant   %s\nstderr %s", code, stdout, want.body, stderr)
	}
	code, stdout, stderr = cli(t, nil, append([]string{"sam", "invoke", "GatewayFunction", "-e", filepath.Join("..", "events", "v2-get.json")}, flags...)...)
	var reply struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(stdout), &reply); code != 0 || err != nil || reply.StatusCode != 200 || reply.Body != string(want.body) {
		t.Errorf("v2 event: exit %d, %v, stdout %.300s, stderr %s", code, err, stdout, stderr)
	}
	code, stdout, _ = cli(t, nil, append([]string{"sam", "invoke", "GatewayFunction"}, flags...)...)
	if err := json.Unmarshal([]byte(stdout), &reply); code != 0 || err != nil || reply.StatusCode != 404 {
		t.Errorf("default event (GET /): exit %d, %v, stdout %.300s", code, err, stdout)
	}
	bad := writeFile(t, "bad.json", `{"bogus": 1}`)
	code, stdout, stderr = cli(t, nil, append([]string{"sam", "invoke", "EpGetFrontpageIdUser", "--event", bad}, flags...)...)
	if code != 1 || !strings.Contains(stdout, `"errorType":"Tributary.bad_request"`) || !strings.Contains(stderr, "function error") {
		t.Errorf("function error: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestSamLocalCommandErrors(t *testing.T) {
	dir := t.TempDir()
	fakeRIE := filepath.Join(dir, "rie")
	if err := os.WriteFile(fakeRIE, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tpl := filepath.Join("..", "..", "template.yaml")
	noEvents := writeFile(t, "t.yaml", "Resources:\n  Fn: {Type: AWS::Serverless::Function}\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"start-api: no emulator", []string{"sam", "start-api", "-t", tpl, "--rie", filepath.Join(dir, "nope")}, 1,
			"run `make bin/aws-lambda-rie` (or pass --rie PATH)"},
		{"start-api: no template", []string{"sam", "start-api", "-t", filepath.Join(dir, "missing.yaml")}, 1, "missing.yaml"},
		{"start-api: --host is not offered", []string{"sam", "start-api", "--host", "0.0.0.0"}, 2, "unknown flag: --host"},
		{"start-api: port out of range", []string{"sam", "start-api", "-p", "70000"}, 2, "out of range"},
		{"start-api: stray argument", []string{"sam", "start-api", "x"}, 2, `unexpected argument "x"`},
		{"start-api: missing bootstraps", []string{"sam", "start-api", "-t", tpl, "--rie", fakeRIE, "--skip-build", "--bootstrap-dir", dir, "-p", "0"}, 1,
			"bootstrap"},
		{"start-api: no API events", []string{"sam", "start-api", "-t", noEvents, "--rie", fakeRIE, "--skip-build", "-p", "0"}, 1,
			"no Api or HttpApi events"},
		{"invoke: no function", []string{"sam", "invoke", "-t", tpl}, 2, "want exactly one FUNCTION"},
		{"invoke: unknown function", []string{"sam", "invoke", "Nope", "-t", tpl, "--rie", fakeRIE}, 1,
			`has no function "Nope"; its functions: GatewayFunction, EpGetFrontpageIdUser`},
		{"invoke: missing event file", []string{"sam", "invoke", "GatewayFunction", "-t", tpl, "--rie", fakeRIE, "-e", filepath.Join(dir, "ev.json")}, 1,
			"ev.json"},
		{"invoke: no emulator", []string{"sam", "invoke", "GatewayFunction", "-t", tpl, "--rie", filepath.Join(dir, "nope")}, 1,
			"make bin/aws-lambda-rie"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, tc.code, tc.stderr, stderr)
			}
			if stdout != "" && tc.code != 0 && !strings.Contains(tc.name, "start-api") {
				t.Errorf("stdout should be empty: %s", stdout)
			}
		})
	}
}

// TestSamStartAPISignal runs the real binary and stops it with SIGTERM:
// it exits 0 and leaves no emulator or function process behind.
func TestSamStartAPISignal(t *testing.T) {
	e := newSamE2E(t)
	bin := buildBinary(t)
	port := freePort(t)
	var logs lockedBuffer
	cmd := exec.Command(bin, "sam", "start-api", "-t", filepath.Join("..", "..", "template.yaml"), "-p", strconv.Itoa(port),
		"--rie", e.rie, "--skip-build", "--bootstrap-dir", e.bootDir)
	cmd.Env = append(os.Environ(), "TRIBUTARY_CONFIG="+e.cfgPath)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d/frontpage/42", port)
	for deadline := time.Now().Add(20 * time.Second); ; {
		if strings.Contains(logs.String(), "Running on") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("start-api did not start:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if a := e.do(t, "GET", url, nil); a.status != 200 {
		t.Fatalf("GET /frontpage/42 = %d %s", a.status, a.body)
	}
	if n := processesUsing(t, e.bootDir); n < 2 {
		t.Errorf("%d processes run from the bootstrap dir while serving; want emulators and a function", n)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit 20s after SIGTERM")
	}
	if n := processesUsing(t, e.bootDir); n != 0 {
		t.Errorf("%d emulator or function processes outlived start-api", n)
	}
}

// processesUsing counts the processes whose command line names something
// under dir (each emulator is started with its bootstrap's path, and so is
// the function it runs).
func processesUsing(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("listing processes: %v", err)
	}
	n := 0
	for _, ent := range entries {
		if _, err := strconv.Atoi(ent.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(dir)) {
			n++
		}
	}
	return n
}
