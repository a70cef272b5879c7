package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
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
	"testing/iotest"
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
	for _, id := range []string{"GatewayFunction", "RestGatewayFunction", "EpGetFrontpageIdUser", "EpGetUsersIdUser", "EpGetProducts", "EpOne"} {
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

// localTemplate is written the way `sam local` users write templates:
// parameters that !Ref fills in (--parameter-overrides replaces their
// Defaults) and a declared TRIBUTARY_CONFIG that --env-vars sets (the
// emulator passes on no TRIBUTARY_* variable of the caller's).
const localTemplate = `Parameters:
  Endpoint: {Type: String, Default: "GET /products"}
  RoutePath: {Type: String, Default: /products}
Globals:
  Function:
    Timeout: 3
    Environment:
      Variables:
        TRIBUTARY_CONFIG: ""
Resources:
  GatewayFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Root: {Type: HttpApi, Properties: {Path: /, Method: ANY}}
        Proxy: {Type: HttpApi, Properties: {Path: "/{proxy+}", Method: ANY}}
  EpOne:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          TRIBUTARY_ENDPOINT: !Ref Endpoint
      Events:
        Http: {Type: HttpApi, Properties: {Path: !Ref RoutePath, Method: GET}}
`

// oneFunctionTemplate has a single function, which sam invoke picks
// without being told.
const oneFunctionTemplate = `Resources:
  GatewayFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment: {Variables: {TRIBUTARY_CONFIG: ""}}
`

// envVars writes an --env-vars file.
func envVars(t *testing.T, vars map[string]map[string]string) string {
	t.Helper()
	data, err := json.Marshal(vars)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "env.json", string(data))
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
// flag parsing as the CLI, extra flags appended) and returns its base URL,
// its log and a stop function that cancels it like SIGINT and checks that
// it exits cleanly. Unless extra sets --env-vars, the functions get the
// test config through Options.Env (the emulator does not pass on the
// caller's TRIBUTARY_* variables).
func (e *samE2E) startAPI(t *testing.T, template string, extra ...string) (string, *lockedBuffer, func()) {
	t.Helper()
	var stdout, stderr lockedBuffer
	args := append([]string{"-t", template, "-p", "0", "--rie", e.rie, "--skip-build", "--bootstrap-dir", e.bootDir}, extra...)
	setup, code, ok := parseStartAPI(args, &stdout, &stderr)
	if !ok {
		t.Fatalf("flags: exit %d: %s", code, stderr.String())
	}
	if !slices.Contains(extra, "--env-vars") {
		setup.options.Env = []string{"TRIBUTARY_CONFIG=" + e.cfgPath}
	}
	addr := make(chan string, 1)
	setup.listening = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- startAPI(ctx, setup, &stdout, &stderr) }()
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
		// The generated REST API's binary media types are */*: API Gateway
		// decodes a base64 reply whatever the first Accept type, and with
		// no Accept header at all.
		for _, accept := range [][]string{{"Accept", "application/octet-stream"}, {"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}, nil} {
			hdr := append([]string{"Content-Type", "application/octet-stream"}, accept...)
			got = e.do(t, "POST", base+"/blob", blob, hdr...)
			e.same(t, fmt.Sprintf("REST binary round trip with %q", accept), got, "POST", "/blob", blob, hdr, "Content-Type")
			if got.status != 200 || !bytes.Equal(got.body, blob) {
				t.Errorf("REST binary round trip with %q: %d %q", accept, got.status, got.body)
			}
		}
		got = e.do(t, "GET", base+"/cookie", nil, cookieHdr...)
		e.same(t, "GET /cookie", got, "GET", "/cookie", nil, cookieHdr, "Set-Cookie")
		stop()
	})

	t.Run("parameter overrides and env vars", func(t *testing.T) {
		// RoutePath moves EpOne to /frontpage/{id_user}. Its endpoint comes
		// from --env-vars: its own entry beats "Parameters" and the
		// template's value (Endpoint, overridden or not), and "Parameters"
		// gives both functions the config.
		env := envVars(t, map[string]map[string]string{
			"Parameters": {"TRIBUTARY_CONFIG": e.cfgPath, "TRIBUTARY_ENDPOINT": "GET /users/{id_user}"},
			"EpOne":      {"TRIBUTARY_ENDPOINT": "GET /frontpage/{id_user}"},
		})
		tpl := writeFile(t, "template.yaml", localTemplate)
		base, logs, stop := e.startAPI(t, tpl, "--env-vars", env,
			"--parameter-overrides", "RoutePath=/frontpage/{id_user}", "ParameterKey=Endpoint,ParameterValue='GET /products'")
		got := e.do(t, "GET", base+"/frontpage/42", nil)
		e.same(t, "GET /frontpage/42", got, "GET", "/frontpage/42", nil, nil, "Content-Type")
		if got.status != 200 || !servedBy(logs, "/frontpage/42", "EpOne") {
			t.Errorf("GET /frontpage/42 = %d, not served by EpOne:\n%s", got.status, logs.String())
		}
		got = e.do(t, "GET", base+"/users/42", nil)
		e.same(t, "GET /users/42", got, "GET", "/users/42", nil, nil, "Content-Type")
		if got.status != 200 || !servedBy(logs, "/users/42", "GatewayFunction") {
			t.Errorf("GET /users/42 = %d, not served by GatewayFunction:\n%s", got.status, logs.String())
		}
		if !strings.Contains(logs.String(), "warning: "+env+": Parameters.TRIBUTARY_ENDPOINT: no function declares TRIBUTARY_ENDPOINT") {
			t.Errorf("no warning about the unused Parameters entry:\n%s", logs.String())
		}
		stop()
	})

	t.Run("--host", func(t *testing.T) {
		// 127.0.0.2 is loopback too, but not the default address.
		base, _, stop := e.startAPI(t, e.generate(t, infra.Options{}), "--host", "127.0.0.2")
		if !strings.HasPrefix(base, "http://127.0.0.2:") {
			t.Fatalf("start-api listens at %s", base)
		}
		got := e.do(t, "GET", base+"/frontpage/42", nil)
		e.same(t, "GET /frontpage/42 on 127.0.0.2", got, "GET", "/frontpage/42", nil, nil, "Content-Type")
		stop()
	})
}

// TestSamInvokeEndToEnd runs `tributary sam invoke` in-process (through
// runCLI, or samInvoke where standard input matters) under the real
// emulator.
func TestSamInvokeEndToEnd(t *testing.T) {
	baseline := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, baseline) })
	e := newSamE2E(t)
	env := envVars(t, map[string]map[string]string{"Parameters": {"TRIBUTARY_CONFIG": e.cfgPath}})
	tpl := writeFile(t, "template.yaml", localTemplate)
	flags := []string{"-t", tpl, "--env-vars", env, "--rie", e.rie, "--skip-build", "--bootstrap-dir", e.bootDir}
	invoke := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := samInvoke(append(args, flags...), strings.NewReader(stdin), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	want := e.do(t, "GET", e.ref.URL+"/frontpage/42?locale=es", nil, "Authorization", "Bearer demo-token")
	var reply struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	v2Get := string(mustRead(t, filepath.Join("..", "events", "v2-get.json")))
	direct := filepath.Join("..", "events", "direct.json")

	t.Run("direct invoke, endpoint from --parameter-overrides", func(t *testing.T) {
		code, stdout, stderr := cli(t, nil, append([]string{"sam", "invoke", "EpOne", "-e", direct,
			"--parameter-overrides", "Endpoint='GET /frontpage/{id_user}'"}, flags...)...)
		if code != 0 || stdout != string(want.body)+"\n" {
			t.Errorf("exit %d\nstdout %s\nwant   %s\nstderr %s", code, stdout, want.body, stderr)
		}
	})
	t.Run("function error: printed, exit 0", func(t *testing.T) {
		// The template's endpoint, GET /products, takes no id_user.
		code, stdout, stderr := cli(t, nil, append([]string{"sam", "invoke", "EpOne", "-e", direct}, flags...)...)
		if code != 0 || !strings.Contains(stdout, `"errorType":"Tributary.bad_request"`) || strings.Contains(stderr, "tributary sam invoke:") {
			t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
		}
	})
	t.Run("function error with --fail-on-error: exit 1", func(t *testing.T) {
		code, stdout, stderr := cli(t, nil, append([]string{"sam", "invoke", "EpOne", "--fail-on-error", "--event", direct}, flags...)...)
		if code != 1 || !strings.Contains(stdout, `"errorType":"Tributary.bad_request"`) || !strings.Contains(stderr, "EpOne returned a function error") {
			t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
		}
	})
	t.Run("-e - reads standard input", func(t *testing.T) {
		code, stdout, stderr := invoke(v2Get, "GatewayFunction", "-e", "-")
		if err := json.Unmarshal([]byte(stdout), &reply); code != 0 || err != nil || reply.StatusCode != 200 || reply.Body != string(want.body) {
			t.Errorf("exit %d, %v, stdout %.300s, stderr %s", code, err, stdout, stderr)
		}
	})
	for _, noEvent := range [][]string{nil, {"--no-event"}} {
		t.Run(fmt.Sprintf("event {} with %q", noEvent), func(t *testing.T) {
			// The gateway function answers {} with its invalid_event error.
			code, stdout, stderr := invoke(v2Get, append([]string{"GatewayFunction"}, noEvent...)...)
			if code != 0 || !strings.Contains(stdout, `"errorType":"Tributary.invalid_event"`) {
				t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
		})
	}
	t.Run("a relative TRIBUTARY_CONFIG is found in the function's package", func(t *testing.T) {
		// As in /var/task: the emulator runs in the bootstrap's directory.
		if err := os.WriteFile(filepath.Join(e.bootDir, "GatewayFunction", "gateway.json"), mustRead(t, e.cfgPath), 0o600); err != nil {
			t.Fatal(err)
		}
		rel := envVars(t, map[string]map[string]string{"GatewayFunction": {"TRIBUTARY_CONFIG": "gateway.json"}})
		var stdout, stderr bytes.Buffer
		code := samInvoke([]string{"GatewayFunction", "-t", tpl, "-e", "-", "--env-vars", rel, "--rie", e.rie, "--skip-build", "--bootstrap-dir", e.bootDir},
			strings.NewReader(v2Get), &stdout, &stderr)
		if err := json.Unmarshal(stdout.Bytes(), &reply); code != 0 || err != nil || reply.StatusCode != 200 || reply.Body != string(want.body) {
			t.Errorf("exit %d, %v, stdout %.300s, stderr %s", code, err, stdout.String(), stderr.String())
		}
	})
	t.Run("the only function needs no name", func(t *testing.T) {
		one := writeFile(t, "one.yaml", oneFunctionTemplate)
		var stdout, stderr bytes.Buffer
		code := samInvoke([]string{"-t", one, "-e", "-", "--env-vars", env, "--rie", e.rie, "--skip-build", "--bootstrap-dir", e.bootDir},
			strings.NewReader(v2Get), &stdout, &stderr)
		if err := json.Unmarshal(stdout.Bytes(), &reply); code != 0 || err != nil || reply.StatusCode != 200 || reply.Body != string(want.body) {
			t.Errorf("exit %d, %v, stdout %.300s, stderr %s", code, err, stdout.String(), stderr.String())
		}
	})
}

func TestSamLocalCommandErrors(t *testing.T) {
	dir := t.TempDir()
	fakeRIE := filepath.Join(dir, "rie")
	if err := os.WriteFile(fakeRIE, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tpl := filepath.Join("..", "..", "template.yaml")
	noEvents := writeFile(t, "t.yaml", "Resources:\n  Fn: {Type: AWS::Serverless::Function}\n")
	noFunctions := writeFile(t, "none.yaml", "Resources: {}\n")
	notJSON := writeFile(t, "ev.txt", "GET / HTTP/1.1")
	badEnv := writeFile(t, "env.json", `{"Parameters": ["A=1"]}`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"start-api: no emulator", []string{"sam", "start-api", "-t", tpl, "--rie", filepath.Join(dir, "nope")}, 1,
			"run `make bin/aws-lambda-rie` (or pass --rie PATH)"},
		{"start-api: no template", []string{"sam", "start-api", "-t", filepath.Join(dir, "missing.yaml")}, 1, "missing.yaml"},
		{"start-api: empty --host", []string{"sam", "start-api", "--host", ""}, 2, "--host is empty"},
		{"start-api: --host that is not an address", []string{"sam", "start-api", "-t", tpl, "--rie", fakeRIE, "--skip-build",
			"--bootstrap-dir", dir, "--host", "no such host.invalid", "-p", "0"}, 1, "no such host.invalid"},
		{"start-api: port out of range", []string{"sam", "start-api", "-p", "70000"}, 2, "out of range"},
		{"start-api: stray argument", []string{"sam", "start-api", "x"}, 2, `unexpected argument "x"`},
		{"start-api: unknown flag", []string{"sam", "start-api", "--warm-containers", "EAGER"}, 2, `unknown flag: --warm-containers`},
		{"start-api: missing bootstraps", []string{"sam", "start-api", "-t", tpl, "--rie", fakeRIE, "--skip-build", "--bootstrap-dir", dir, "-p", "0"}, 1,
			"bootstrap"},
		{"start-api: no API events", []string{"sam", "start-api", "-t", noEvents, "--rie", fakeRIE, "--skip-build", "-p", "0"}, 1,
			"no Api or HttpApi events"},
		{"start-api: bad --parameter-overrides", []string{"sam", "start-api", "--parameter-overrides", "Stage"}, 2,
			`--parameter-overrides "Stage": want Name=Value`},
		{"invoke: several functions, none named", []string{"sam", "invoke", "-t", tpl, "--rie", fakeRIE}, 2,
			tpl + " has 4 functions; name the one to invoke: GatewayFunction, EpGetFrontpageIdUser, EpGetUsersIdUser, EpGetProducts"},
		{"invoke: no functions", []string{"sam", "invoke", "-t", noFunctions, "--rie", fakeRIE}, 1, "has no AWS::Serverless::Function"},
		{"invoke: two functions named", []string{"sam", "invoke", "GatewayFunction", "EpGetProducts", "-t", tpl}, 2,
			`unexpected argument "EpGetProducts": give at most one FUNCTION`},
		{"invoke: unknown function", []string{"sam", "invoke", "Nope", "-t", tpl, "--rie", fakeRIE}, 1,
			tpl + ` has no function "Nope"; its functions: GatewayFunction, EpGetFrontpageIdUser`},
		{"invoke: --no-event with --event", []string{"sam", "invoke", "GatewayFunction", "--no-event", "-e", "-"}, 2,
			"--no-event and --event cannot be used together"},
		{"invoke: missing event file", []string{"sam", "invoke", "GatewayFunction", "-t", tpl, "--rie", fakeRIE, "-e", filepath.Join(dir, "ev.json")}, 1,
			"ev.json"},
		{"invoke: event not JSON", []string{"sam", "invoke", "GatewayFunction", "-t", tpl, "--rie", fakeRIE, "-e", notJSON}, 1,
			notJSON + " is not valid JSON"},
		{"invoke: no emulator", []string{"sam", "invoke", "GatewayFunction", "-t", tpl, "--rie", filepath.Join(dir, "nope")}, 1,
			"make bin/aws-lambda-rie"},
		{"invoke: bad --env-vars", []string{"sam", "invoke", "GatewayFunction", "-t", tpl, "--rie", fakeRIE, "--env-vars", badEnv}, 1,
			`"Parameters": want an object of variables`},
		{"invoke: missing --env-vars", []string{"sam", "invoke", "GatewayFunction", "-t", tpl, "--env-vars", filepath.Join(dir, "none.json")}, 1,
			"none.json"},
		{"invoke: unterminated quote in --parameter-overrides", []string{"sam", "invoke", "--parameter-overrides", `A="x y`}, 2,
			"unterminated \" quote"},
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

// TestSamLocalHelp: --help and -h print a usage line and every flag on
// stdout and exit 0.
func TestSamLocalHelp(t *testing.T) {
	common := []string{"-h, --help", "-t, --template FILE", "--env-vars FILE", "--parameter-overrides VALUES",
		"--rie PATH", "--skip-build", "--bootstrap-dir DIR"}
	for _, tc := range []struct {
		cmd   string
		usage string
		flags []string
	}{
		{"start-api", "Usage: tributary sam start-api [flags]\n", []string{"--host ADDRESS", `(default "127.0.0.1")`, "-p, --port PORT", "(default 3000)"}},
		{"invoke", "Usage: tributary sam invoke [FUNCTION] [flags]\n", []string{"-e, --event FILE", "--no-event", "--fail-on-error"}},
	} {
		for _, help := range []string{"--help", "-h"} {
			code, stdout, stderr := cli(t, nil, "sam", tc.cmd, help)
			if code != 0 || stderr != "" || !strings.HasPrefix(stdout, tc.usage) {
				t.Errorf("%s %s: exit %d, stderr %q, stdout:\n%s", tc.cmd, help, code, stderr, stdout)
			}
			for _, f := range append(tc.flags, common...) {
				if !strings.Contains(stdout, f) {
					t.Errorf("%s %s: the help lacks %q:\n%s", tc.cmd, help, f, stdout)
				}
			}
		}
	}
}

// TestSamLocalDefaultTemplate: without -t, the template `sam build` wrote
// is read first, with the bootstraps it built beside it; then the
// project's template.yaml.
func TestSamLocalDefaultTemplate(t *testing.T) {
	dir := t.TempDir()
	fakeRIE := filepath.Join(dir, "rie")
	if err := os.WriteFile(fakeRIE, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	built := filepath.Join(dir, ".aws-sam", "build")
	if err := os.MkdirAll(built, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, fn := range map[string]string{filepath.Join(built, "template.yaml"): "BuiltFn", filepath.Join(dir, "template.yaml"): "SourceFn"} {
		if err := os.WriteFile(path, []byte("Resources:\n  "+fn+": {Type: AWS::Serverless::Function}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	code, _, stderr := cli(t, nil, "sam", "invoke", "Nope", "--rie", fakeRIE)
	if want := filepath.Join(".aws-sam", "build", "template.yaml") + ` has no function "Nope"; its functions: BuiltFn`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
	// The built template's bootstraps are taken from beside it; make is
	// not run (there is no Makefile there).
	code, _, stderr = cli(t, nil, "sam", "invoke", "--rie", fakeRIE)
	if want := filepath.Join(built, "BuiltFn", "bootstrap"); code != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "make") {
		t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
	if err := os.RemoveAll(filepath.Join(dir, ".aws-sam")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = cli(t, nil, "sam", "invoke", "Nope", "--rie", fakeRIE)
	if want := `template.yaml has no function "Nope"; its functions: SourceFn`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
	if err := os.Remove(filepath.Join(dir, "template.yaml")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = cli(t, nil, "sam", "start-api", "--rie", fakeRIE)
	if want := "no template in .: looked for .aws-sam/build/template.yaml, template.yaml, template.yml, template.json (or pass -t FILE)"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
	}
}

// TestSamStartAPIHostWarning: a --host other than loopback is accepted
// with a warning (checked without listening).
func TestSamStartAPIHostWarning(t *testing.T) {
	dir := t.TempDir()
	fakeRIE := filepath.Join(dir, "rie")
	if err := os.WriteFile(fakeRIE, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for host, warned := range map[string]bool{"0.0.0.0": true, "192.0.2.1": true, "example.com": true, "::": true,
		"127.0.0.1": false, "127.9.9.9": false, "::1": false, "localhost": false, "LOCALHOST": false} {
		var stdout, stderr bytes.Buffer
		setup, code, ok := parseStartAPI([]string{"-t", filepath.Join("..", "..", "template.yaml"), "--rie", fakeRIE, "--host", host, "-p", "3001"}, &stdout, &stderr)
		if !ok {
			t.Errorf("--host %s: exit %d: %s", host, code, stderr.String())
			continue
		}
		if got := strings.Contains(stderr.String(), "warning: --host "+host+": the API is reachable from other machines"); got != warned {
			t.Errorf("--host %s: warned %v, want %v: %q", host, got, warned, stderr.String())
		}
		if want := net.JoinHostPort(host, "3001"); setup.addr != want {
			t.Errorf("--host %s: address %q, want %q", host, setup.addr, want)
		}
	}
}

func TestSpreadOverrides(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"Fn", "-e", "x"}, []string{"Fn", "-e", "x"}},
		{[]string{"--parameter-overrides", "A=1", "B=2", "Fn", "C=3"}, []string{"--parameter-overrides", "A=1", "--parameter-overrides", "B=2", "Fn", "C=3"}},
		{[]string{"--parameter-overrides=A=1", "B=2", "-e", "x"}, []string{"--parameter-overrides=A=1", "--parameter-overrides", "B=2", "-e", "x"}},
		{[]string{"--parameter-overrides", "A=1 B=2", "--skip-build"}, []string{"--parameter-overrides", "A=1 B=2", "--skip-build"}},
		{[]string{"--", "--parameter-overrides", "A=1", "B=2"}, []string{"--", "--parameter-overrides", "A=1", "B=2"}},
		{[]string{"--parameter-overrides"}, []string{"--parameter-overrides"}},
	} {
		if got := spreadOverrides(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("spreadOverrides(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadEvent(t *testing.T) {
	if got, err := readEvent("", strings.NewReader("ignored")); err != nil || string(got) != "{}" {
		t.Errorf("no file: %q, %v", got, err)
	}
	if got, err := readEvent("-", strings.NewReader(` {"a": 1} `)); err != nil || string(got) != ` {"a": 1} ` {
		t.Errorf("stdin: %q, %v", got, err)
	}
	for in, want := range map[string]string{
		"":                               "the event on standard input is not valid JSON",
		"{":                              "the event on standard input is not valid JSON",
		`"` + strings.Repeat("x", 6<<20): "larger than Lambda's 6291456-byte invoke payload",
	} {
		if _, err := readEvent("-", strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("stdin %.20q: err = %v, want %q", in, err, want)
		}
	}
	if _, err := readEvent("-", iotest.ErrReader(errors.New("broken pipe"))); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("read error: %v", err)
	}
}

// TestSamStartAPISignal runs the real binary and stops it with SIGTERM:
// it exits 0 and leaves no emulator or function process behind.
func TestSamStartAPISignal(t *testing.T) {
	e := newSamE2E(t)
	bin := buildBinary(t)
	port := freePort(t)
	var logs lockedBuffer
	env := envVars(t, map[string]map[string]string{"Parameters": {"TRIBUTARY_CONFIG": e.cfgPath}})
	cmd := exec.Command(bin, "sam", "start-api", "-t", writeFile(t, "template.yaml", localTemplate), "-p", strconv.Itoa(port),
		"--env-vars", env, "--rie", e.rie, "--skip-build", "--bootstrap-dir", e.bootDir)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exited := false
	t.Cleanup(func() {
		if exited {
			return
		}
		// SIGTERM first: start-api then stops its emulators, which a
		// SIGKILL would leave running.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
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
		exited = true
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
