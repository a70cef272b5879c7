package httpadapter

import (
	"bufio"
	"bytes"
	stdjson "encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/telemetry"
)

// Request ids and access lines, end to end on loopback: the id is taken
// from the client or generated, echoed on every kind of answer, forwarded
// only when configured, and found in the access line and in every
// backend-failure line.

var generatedID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// logBuffer collects JSON log lines from concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns the lines whose msg is msg, decoded.
func (l *logBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, raw := range bytes.Split(bytes.TrimSpace(l.buf.Bytes()), []byte("\n")) {
		if len(raw) == 0 {
			continue
		}
		var m map[string]any
		if err := stdjson.Unmarshal(raw, &m); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// recordingBackend is a loopback backend that keeps the headers of every
// request it gets and answers {"ok":true}.
type recordingBackend struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []http.Header
}

func newRecordingBackend(tb testing.TB) *recordingBackend {
	tb.Helper()
	b := &recordingBackend{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.got = append(b.got, r.Header.Clone())
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	tb.Cleanup(b.srv.Close)
	return b
}

// seen returns the values of name in every request received so far, and
// forgets them.
func (b *recordingBackend) seen(name string) [][]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out [][]string
	for _, h := range b.got {
		out = append(out, h.Values(name))
	}
	b.got = nil
	return out
}

// refusedURL is a loopback address nothing listens on.
func refusedURL(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

// ridGateway serves cfgText (BACKEND and REFUSED replaced) on loopback,
// logging JSON at DEBUG into the returned buffer.
func ridGateway(tb testing.TB, cfgText string, backend *recordingBackend, debug bool) (string, *logBuffer) {
	tb.Helper()
	text := strings.NewReplacer("BACKEND", backend.srv.URL, "REFUSED", refusedURL(tb)).Replace(cfgText)
	cfg, err := config.Load("test.json", []byte(text), nil)
	if err != nil {
		tb.Fatalf("config.Load: %v", err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		tb.Fatalf("plan.Compile: %v", err)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gw := exec.New(p, exec.Options{Logger: log})
	tb.Cleanup(gw.Client().CloseIdleConnections)
	h := New(gw, Options{Logger: log, Debug: debug})
	return serve(tb, h, p.Server), logs
}

// ridConfig has one endpoint of each kind the tests need; TRIB is the
// service "tributary" namespace and INPUT the /one endpoint's
// input_headers.
const ridConfig = `{
  "version": 3,
  "extra_config": {"tributary": TRIB},
  "endpoints": [
    {"endpoint": "/one", "input_headers": INPUT, "backend": [{"host": ["BACKEND"], "url_pattern": "/a"}]},
    {"endpoint": "/two", "input_headers": INPUT,
     "backend": [{"host": ["BACKEND"], "url_pattern": "/a"}, {"host": ["BACKEND"], "url_pattern": "/b", "group": "b"}]},
    {"endpoint": "/filtered", "input_headers": ["*"],
     "backend": [{"host": ["BACKEND"], "url_pattern": "/a", "input_headers": ["Accept"]}]},
    {"endpoint": "/down", "backend": [{"host": ["REFUSED"], "url_pattern": "/a"}]},
    {"endpoint": "/shadowed", "backend": [{"host": ["BACKEND"], "url_pattern": "/a"},
      {"host": ["REFUSED"], "url_pattern": "/m", "extra_config": {"proxy": {"shadow": true}}}]},
    {"endpoint": "/post", "method": "POST", "backend": [{"host": ["BACKEND"], "url_pattern": "/a"}]}
  ]
}`

func ridCfg(trib, input string) string {
	return strings.NewReplacer("TRIB", trib, "INPUT", input).Replace(ridConfig)
}

// do sends one request with the given headers and returns the response
// (body read).
func do(t *testing.T, method, url string, h http.Header, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestRequestIDEchoedOnEveryAnswer(t *testing.T) {
	backend := newRecordingBackend(t)
	addr, _ := ridGateway(t, ridCfg(`{"catch_all_routes": false}`, `[]`), backend, true)
	base := "http://" + addr
	for _, c := range []struct {
		name, method, path string
		header             http.Header
		body               string
		status             int
	}{
		{"proxied", "GET", "/one", nil, "", 200},
		{"two backends", "GET", "/two", nil, "", 200},
		{"backend down", "GET", "/down", nil, "", 502},
		{"no route", "GET", "/nowhere", nil, "", 404},
		{"wrong method", "DELETE", "/one", nil, "", 405},
		{"bad query", "GET", "/one?a=%zz", nil, "", 400},
		{"ambiguous credentials", "GET", "/one", http.Header{"Authorization": {"a", "b"}}, "", 400},
		{"body too large", "POST", "/post", nil, strings.Repeat("x", 2<<20), 413},
		{"uri too long", "GET", "/one?" + strings.Repeat("a", 9000), nil, "", 414},
		{"health", "GET", "/__health", nil, "", 200},
		{"health wrong method", "POST", "/__health", nil, "", 405},
		{"debug", "GET", "/__debug/x", nil, "", 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, c.method, base+c.path, c.header, c.body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if ids := resp.Header.Values("X-Request-Id"); len(ids) != 1 || !generatedID.MatchString(ids[0]) {
				t.Fatalf("X-Request-Id %q, want one generated id", ids)
			}
		})
	}

	// Too many header fields: answered by the handler too.
	h := http.Header{}
	for i := range 140 {
		h.Add("X-Many", string(rune('a'+i%26)))
	}
	resp, _ := do(t, "GET", base+"/one", h, "")
	if resp.StatusCode != 431 || !generatedID.MatchString(resp.Header.Get("X-Request-Id")) {
		t.Errorf("431: status %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
}

func TestRequestIDFromClient(t *testing.T) {
	backend := newRecordingBackend(t)
	for _, c := range []struct {
		name, trib string
		sent       []string
		want       string // "" → a generated id
		header     string
		echo       bool
	}{
		{"valid kept", `{}`, []string{"abc-123:x/y+z=@"}, "abc-123:x/y+z=@", "X-Request-Id", true},
		{"too long replaced", `{}`, []string{strings.Repeat("a", 129)}, "", "X-Request-Id", true},
		{"max length kept", `{}`, []string{strings.Repeat("a", 128)}, strings.Repeat("a", 128), "X-Request-Id", true},
		{"space replaced", `{}`, []string{"a b"}, "", "X-Request-Id", true},
		{"non-ASCII replaced", `{}`, []string{"ñ"}, "", "X-Request-Id", true},
		{"quote replaced", `{}`, []string{`a"b`}, "", "X-Request-Id", true},
		{"two values replaced", `{}`, []string{"a", "b"}, "", "X-Request-Id", true},
		{"untrusted client", `{"request_id": {"trust_client": false}}`, []string{"abc"}, "", "X-Request-Id", true},
		{"custom header", `{"request_id": {"header": "x-correlation-id"}}`, []string{"corr-1"}, "corr-1", "X-Correlation-Id", true},
		{"no echo", `{"request_id": {"echo": false}}`, []string{"abc"}, "abc", "X-Request-Id", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr, logs := ridGateway(t, ridCfg(c.trib, `[]`), backend, false)
			resp, _ := do(t, "GET", "http://"+addr+"/one", http.Header{c.header: c.sent}, "")
			echoed := resp.Header.Values(c.header)
			lines := logs.lines(t, "request")
			if len(lines) != 1 {
				t.Fatalf("%d access lines: %s", len(lines), logs)
			}
			logged, _ := lines[0]["request_id"].(string)
			switch {
			case c.want != "" && logged != c.want:
				t.Errorf("logged id %q, want %q", logged, c.want)
			case c.want == "" && !generatedID.MatchString(logged):
				t.Errorf("logged id %q, want a generated one", logged)
			}
			if c.echo && (len(echoed) != 1 || echoed[0] != logged) {
				t.Errorf("echoed %q, logged %q", echoed, logged)
			}
			if !c.echo && len(echoed) != 0 {
				t.Errorf("echo off, but the answer carries %q", echoed)
			}
			backend.seen(c.header)
		})
	}
}

func TestRequestIDForwarding(t *testing.T) {
	backend := newRecordingBackend(t)
	check := func(t *testing.T, got [][]string, want func(i int, v []string) bool) {
		t.Helper()
		if len(got) == 0 {
			t.Fatal("the backend received nothing")
		}
		for i, v := range got {
			if !want(i, v) {
				t.Errorf("backend call %d saw X-Request-Id %q", i, v)
			}
		}
	}
	none := func(_ int, v []string) bool { return len(v) == 0 }

	t.Run("default: not forwarded", func(t *testing.T) {
		addr, _ := ridGateway(t, ridCfg(`{}`, `["Accept"]`), backend, false)
		do(t, "GET", "http://"+addr+"/two", http.Header{"X-Request-Id": {"client-1"}}, "")
		check(t, backend.seen("X-Request-Id"), none)
	})
	t.Run("default with input_headers: the client's value, as KrakenD", func(t *testing.T) {
		addr, _ := ridGateway(t, ridCfg(`{}`, `["X-Request-Id"]`), backend, false)
		do(t, "GET", "http://"+addr+"/one", http.Header{"X-Request-Id": {"not valid"}}, "")
		check(t, backend.seen("X-Request-Id"), func(_ int, v []string) bool { return len(v) == 1 && v[0] == "not valid" })
	})
	t.Run("forward: every backend gets the echoed id", func(t *testing.T) {
		addr, _ := ridGateway(t, ridCfg(`{"request_id": {"forward": true}}`, `[]`), backend, false)
		resp, _ := do(t, "GET", "http://"+addr+"/two", nil, "")
		id := resp.Header.Get("X-Request-Id")
		got := backend.seen("X-Request-Id")
		if len(got) != 2 {
			t.Fatalf("%d backend calls, want 2", len(got))
		}
		check(t, got, func(_ int, v []string) bool { return len(v) == 1 && v[0] == id && generatedID.MatchString(id) })

		resp, _ = do(t, "GET", "http://"+addr+"/one", http.Header{"X-Request-Id": {"client-7"}}, "")
		check(t, backend.seen("X-Request-Id"), func(_ int, v []string) bool { return len(v) == 1 && v[0] == "client-7" })
		if resp.Header.Get("X-Request-Id") != "client-7" {
			t.Errorf("echoed %q", resp.Header.Get("X-Request-Id"))
		}
	})
	t.Run("forward replaces an invalid or untrusted client value", func(t *testing.T) {
		addr, _ := ridGateway(t, ridCfg(`{"request_id": {"forward": true, "trust_client": false}}`, `["X-Request-Id"]`), backend, false)
		resp, _ := do(t, "GET", "http://"+addr+"/one", http.Header{"X-Request-Id": {"client-7"}}, "")
		id := resp.Header.Get("X-Request-Id")
		check(t, backend.seen("X-Request-Id"), func(_ int, v []string) bool { return len(v) == 1 && v[0] == id && id != "client-7" })
	})
	t.Run("forward under a custom name", func(t *testing.T) {
		addr, _ := ridGateway(t, ridCfg(`{"request_id": {"forward": true, "header": "X-Correlation-Id"}}`, `[]`), backend, false)
		resp, _ := do(t, "GET", "http://"+addr+"/one", nil, "")
		id := resp.Header.Get("X-Correlation-Id")
		check(t, backend.seen("X-Correlation-Id"), func(_ int, v []string) bool { return len(v) == 1 && v[0] == id && id != "" })
	})
	t.Run("a backend-level list filters the forwarded id", func(t *testing.T) {
		addr, _ := ridGateway(t, ridCfg(`{"request_id": {"forward": true}}`, `[]`), backend, false)
		do(t, "GET", "http://"+addr+"/filtered", nil, "")
		check(t, backend.seen("X-Request-Id"), none)
	})
}

func TestAccessLineFields(t *testing.T) {
	backend := newRecordingBackend(t)
	addr, logs := ridGateway(t, ridCfg(`{"access_log": {"query_values": true, "redact_query": ["session"]}}`, `[]`), backend, false)
	resp, body := do(t, "GET", "http://"+addr+"/two?page=2&%74oken=s3cr3t&session=SESSVAL1&SESSION=SESSVAL2&Code", nil, "")
	id := resp.Header.Get("X-Request-Id")
	do(t, "GET", "http://"+addr+"/nowhere?api_key=k3y", nil, "")
	do(t, "GET", "http://"+addr+"/down", http.Header{"X-Request-Id": {"trace-9"}}, "")
	if s := logs.String(); strings.Contains(s, "s3cr3t") || strings.Contains(s, "SESSVAL") || strings.Contains(s, "k3y") {
		t.Fatalf("a redacted value was logged:\n%s", s)
	}
	lines := logs.lines(t, "request")
	if len(lines) != 3 {
		t.Fatalf("%d access lines:\n%s", len(lines), logs)
	}
	R := telemetry.Redacted
	for i, want := range []map[string]any{
		{"method": "GET", "route": "/two", "query": "page=2&%74oken=" + R + "&session=" + R + "&SESSION=" + R + "&Code",
			"client_ip": "127.0.0.1", "request_id": id, "status": 200.0, "bytes": float64(len(body)), "complete": true, "backends": 2.0},
		{"method": "GET", "route": "/nowhere", "query": "api_key=" + R, "status": 404.0, "complete": false, "backends": 0.0},
		{"route": "/down", "request_id": "trace-9", "status": 502.0, "complete": false, "backends": 1.0},
	} {
		for k, v := range want {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %#v, want %#v", i, k, lines[i][k], v)
			}
		}
		if d, ok := lines[i]["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("line %d: duration_ms %v", i, lines[i]["duration_ms"])
		}
	}
	if _, ok := lines[2]["query"]; ok {
		t.Errorf("a request without a query logs one: %v", lines[2])
	}
}

func TestBackendFailureLineCarriesRequestID(t *testing.T) {
	backend := newRecordingBackend(t)
	addr, logs := ridGateway(t, ridCfg(`{}`, `[]`), backend, false)
	resp, _ := do(t, "GET", "http://"+addr+"/down", nil, "")
	id := resp.Header.Get("X-Request-Id")
	failed := logs.lines(t, "backend failed")
	if len(failed) != 1 || failed[0]["request_id"] != id || !generatedID.MatchString(id) {
		t.Fatalf("backend failed lines %v, echoed id %q", failed, id)
	}
	access := logs.lines(t, "request")
	if len(access) != 1 || access[0]["request_id"] != id {
		t.Fatalf("access lines %v, echoed id %q", access, id)
	}
}

// A shadow call's failure line carries the id too. The answer does not
// wait for the shadow call: wait for its line (bounded).
func TestShadowFailureLineCarriesRequestID(t *testing.T) {
	backend := newRecordingBackend(t)
	addr, logs := ridGateway(t, ridCfg(`{}`, `[]`), backend, false)
	resp, _ := do(t, "GET", "http://"+addr+"/shadowed", http.Header{"X-Request-Id": {"shadow-1"}}, "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	deadline := time.Now().Add(connBound)
	for {
		if lines := logs.lines(t, "shadow backend failed"); len(lines) > 0 {
			if len(lines) != 1 || lines[0]["request_id"] != "shadow-1" {
				t.Fatalf("shadow failure lines %v", lines)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no shadow failure line:\n%s", logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// run -d logs each /__debug request with its query: credentials in it are
// redacted.
func TestDebugLineRedactsQuery(t *testing.T) {
	backend := newRecordingBackend(t)
	addr, logs := ridGateway(t, ridCfg(`{}`, `[]`), backend, true)
	do(t, "GET", "http://"+addr+"/__debug/x?token=s3cr3t&a=1&password=hunter2", nil, "")
	if s := logs.String(); strings.Contains(s, "s3cr3t") || strings.Contains(s, "hunter2") {
		t.Fatalf("credentials logged:\n%s", s)
	}
	lines := logs.lines(t, "debug endpoint")
	if len(lines) != 1 || lines[0]["query"] != "token="+telemetry.Redacted+"&a="+telemetry.Redacted+"&password="+telemetry.Redacted {
		t.Fatalf("debug lines %v", lines)
	}
}

// By default the access line shows which parameters a request had and
// none of their values.
func TestAccessLineHidesQueryValuesByDefault(t *testing.T) {
	backend := newRecordingBackend(t)
	addr, logs := ridGateway(t, ridCfg(`{}`, `[]`), backend, false)
	do(t, "GET", "http://"+addr+"/two?page=2&q=private+words&flag", nil, "")
	if s := logs.String(); strings.Contains(s, "private") || strings.Contains(s, "page=2") {
		t.Fatalf("a query value was logged:\n%s", s)
	}
	lines := logs.lines(t, "request")
	R := telemetry.Redacted
	if len(lines) != 1 || lines[0]["query"] != "page="+R+"&q="+R+"&flag" {
		t.Fatalf("access lines %v", lines)
	}
}

// A raw request on the wire gets one id header whatever the client sent
// alongside: an injected line break never reaches the answer.
func TestRequestIDInjectionOnTheWire(t *testing.T) {
	backend := newRecordingBackend(t)
	addr, logs := ridGateway(t, ridCfg(`{}`, `[]`), backend, false)
	conn := dial(t, addr)
	// A header value may carry obs-text and tabs; net/http accepts them.
	_, _ = io.WriteString(conn, "GET /one HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\tb\x80\r\nConnection: close\r\n\r\n")
	resp, err := readResponse(bufio.NewReader(conn))
	if err != nil {
		t.Fatal(err)
	}
	if ids := resp.header.Values("X-Request-Id"); len(ids) != 1 || !generatedID.MatchString(ids[0]) {
		t.Fatalf("X-Request-Id %q", ids)
	}
	if s := logs.String(); strings.Contains(s, "a\\tb") {
		t.Fatalf("the client's id was logged:\n%s", s)
	}
}

// BenchmarkServeHTTPAccessLog is BenchmarkServeHTTP's proxy case with the
// access line written (JSON to io.Discard), as `tributary run` does.
func BenchmarkServeHTTPAccessLog(b *testing.B) {
	backend := newCountingBackend(b)
	text := strings.NewReplacer("BACKEND", backend.srv.URL, "BODYCAP", "1048576").Replace(testConfig)
	cfg, err := config.Load("test.json", []byte(text), nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	gw := exec.New(p, exec.Options{})
	b.Cleanup(gw.Client().CloseIdleConnections)
	h := New(gw, Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	for _, bc := range []struct{ name, id string }{{"generated_id", ""}, {"client_id", "0f8fad5b-d9cb-469f-a165-70867728950e"}} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "/hidden?page=2", nil)
			r.Header = http.Header{"Accept": {"application/json"}, "User-Agent": {"bench"}}
			if bc.id != "" {
				r.Header["X-Request-Id"] = []string{bc.id}
			}
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
