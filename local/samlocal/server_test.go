package samlocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeFn stands in for a function's emulator.
type fakeFn struct {
	mu     sync.Mutex
	events [][]byte
	closed int
	reply  func(ctx context.Context, event []byte) (int, []byte, error)
}

func (f *fakeFn) Invoke(ctx context.Context, event []byte) (int, []byte, error) {
	f.mu.Lock()
	f.events = append(f.events, event)
	f.mu.Unlock()
	return f.reply(ctx, event)
}

func (f *fakeFn) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
	return nil
}

func (f *fakeFn) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events)
}

func (f *fakeFn) last(t *testing.T) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	var m map[string]any
	if err := json.Unmarshal(f.events[len(f.events)-1], &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func answer(body string) func(context.Context, []byte) (int, []byte, error) {
	return func(context.Context, []byte) (int, []byte, error) { return 200, []byte(body), nil }
}

// fakeServer serves tpl with one fake per function and returns the test
// server's URL.
func fakeServer(t *testing.T, tpl *Template, log *slog.Logger, fakes map[string]*fakeFn) (*Server, string) {
	t.Helper()
	rt, err := NewRouter(tpl)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(rt, log)
	s.margin = 50 * time.Millisecond
	for _, fn := range tpl.Functions {
		f := fakes[fn.LogicalID]
		if f == nil {
			t.Fatalf("no fake for %s", fn.LogicalID)
		}
		s.fns[fn] = f
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		hs.Close()
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		for id, f := range fakes {
			if f.closed != 1 {
				t.Errorf("%s closed %d times, want 1", id, f.closed)
			}
		}
	})
	return s, hs.URL
}

type got struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url string, body []byte, headers ...string) got {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return got{resp.StatusCode, resp.Header, string(b)}
}

func TestServerHTTPAPI(t *testing.T) {
	tpl := routeTemplate(EventHTTP, "Users GET /users/{id}", "Files ANY /files/{path+}")
	tpl.Functions[1].Timeout = 20 * time.Millisecond
	var logs syncBuffer
	users := &fakeFn{reply: answer(`{"statusCode":201,"headers":{"x-a":"1"},"cookies":["a=1","b=2; Path=/"],"body":"{\"id\":1}"}`)}
	files := &fakeFn{}
	_, url := fakeServer(t, tpl, slog.New(slog.NewTextHandler(&logs, nil)), map[string]*fakeFn{"Users": users, "Files": files})

	r := do(t, "GET", url+"/users/42?x=1", nil, "Cookie", "k=v")
	if r.status != 201 || r.body != `{"id":1}` || r.header.Get("X-A") != "1" ||
		strings.Join(r.header.Values("Set-Cookie"), "|") != "a=1|b=2; Path=/" ||
		r.header.Get("Content-Type") != "application/json" || r.header.Get("Content-Length") != "8" {
		t.Errorf("GET /users/42 = %+v", r)
	}
	ev := users.last(t)
	port := url[strings.LastIndexByte(url, ':')+1:]
	if ev["rawPath"] != "/users/42" || ev["routeKey"] != "GET /users/{id}" ||
		ev["headers"].(map[string]any)["x-forwarded-port"] != port || ev["cookies"].([]any)[0] != "k=v" {
		t.Errorf("event = %v", ev)
	}
	if !strings.Contains(logs.String(), "function=Users status=201") {
		t.Errorf("no request log line:\n%s", logs.String())
	}

	if r := do(t, "HEAD", url+"/users/42", nil); r.status != 404 || r.body != "" {
		t.Errorf("HEAD has no route: %+v", r)
	}
	if r := do(t, "GET", url+"/nope", nil); r.status != 404 || r.body != httpNotFoundBody {
		t.Errorf("no route: %+v", r)
	}

	files.reply = answer(`{"statusCode":200,"body":"four"}`)
	if r := do(t, "HEAD", url+"/files/a", nil); r.status != 200 || r.body != "" || r.header.Get("Content-Length") != "4" {
		t.Errorf("HEAD on an ANY route: %+v", r)
	}
	files.reply = answer(`{"errorType":"Runtime.ExitError","errorMessage":"exit"}`)
	if r := do(t, "PUT", url+"/files/a", []byte("x")); r.status != 500 || r.body != httpFailureBody {
		t.Errorf("function error: %+v", r)
	}
	files.reply = answer(`{"statusCode":"x"}`)
	if r := do(t, "PUT", url+"/files/a", nil); r.status != 500 || r.body != httpFailureBody {
		t.Errorf("malformed reply: %+v", r)
	}
	files.reply = func(context.Context, []byte) (int, []byte, error) { return 0, nil, errors.New("connection refused") }
	if r := do(t, "PUT", url+"/files/a", nil); r.status != 500 {
		t.Errorf("emulator unreachable: %+v", r)
	}
	files.reply = func(ctx context.Context, _ []byte) (int, []byte, error) {
		<-ctx.Done()
		return 0, nil, ctx.Err()
	}
	if r := do(t, "PUT", url+"/files/a", nil); r.status != 503 || r.body != httpTimeoutBody {
		t.Errorf("integration timeout: %+v", r)
	}
	files.reply = func(context.Context, []byte) (int, []byte, error) { panic("boom") }
	if r := do(t, "PUT", url+"/files/a", nil); r.status != 500 || r.body != httpFailureBody {
		t.Errorf("panic: %+v", r)
	}
	if !strings.Contains(logs.String(), "panic serving a request") {
		t.Error("the panic was not logged")
	}

	// A binary body travels base64-encoded; the reply's base64 is decoded.
	blob := []byte{0, 1, 2, 0xfe, 0xff}
	files.reply = func(_ context.Context, event []byte) (int, []byte, error) {
		var ev struct {
			Body     string `json:"body"`
			IsBase64 bool   `json:"isBase64Encoded"`
		}
		if err := json.Unmarshal(event, &ev); err != nil || !ev.IsBase64 {
			return 200, []byte(`{"statusCode":400}`), nil
		}
		return 200, []byte(`{"statusCode":200,"headers":{"content-type":"application/octet-stream"},"body":"` + ev.Body + `","isBase64Encoded":true}`), nil
	}
	if r := do(t, "POST", url+"/files/up", blob, "Content-Type", "application/octet-stream"); r.status != 200 || r.body != string(blob) {
		t.Errorf("binary round trip: %+v", r)
	}

	// Over API Gateway's 10 MB payload limit: 413, no invoke.
	before := files.calls()
	if r := do(t, "POST", url+"/files/big", make([]byte, MaxRequestBody+1)); r.status != 413 || r.body != tooLargeBody {
		t.Errorf("oversize body: %d %.80s", r.status, r.body)
	}
	// Under it, but over Lambda's 6 MB invoke limit once base64-encoded.
	if r := do(t, "POST", url+"/files/big", make([]byte, 5<<20), "Content-Type", "application/octet-stream"); r.status != 500 {
		t.Errorf("oversize event: %d %.80s", r.status, r.body)
	}
	if files.calls() != before {
		t.Errorf("oversize requests reached the function")
	}
}

func TestServerREST(t *testing.T) {
	tpl := routeTemplate(EventREST, "Img POST /img", "Get GET /x")
	tpl.Functions[0].Events[0].BinaryMediaTypes = []string{"image/png"}
	img := &fakeFn{reply: answer(`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"iVBORw==","isBase64Encoded":true}`)}
	get := &fakeFn{reply: answer(`{"statusCode":200,"body":"x","cookies":["a=1"]}`)}
	_, url := fakeServer(t, tpl, nil, map[string]*fakeFn{"Img": img, "Get": get})

	if r := do(t, "GET", url+"/nope", nil); r.status != 403 || r.body != restNotFoundBody {
		t.Errorf("no route: %+v", r)
	}
	if r := do(t, "GET", url+"/x", nil); r.status != 502 || r.body != restFailureBody {
		t.Errorf("unknown key: %+v", r)
	}
	r := do(t, "POST", url+"/img", []byte{0x89, 'P'}, "Content-Type", "image/png", "Accept", "image/png")
	if r.status != 200 || r.body != "\x89PNG" {
		t.Errorf("binary with Accept: %+v", r)
	}
	if ev := img.last(t); ev["isBase64Encoded"] != true || ev["body"] != "iVA=" || ev["path"] != "/img" {
		t.Errorf("event = %v", ev)
	}
	if r := do(t, "POST", url+"/img", []byte("x"), "Content-Type", "image/png"); r.status != 200 || r.body != "iVBORw==" {
		t.Errorf("binary without Accept stays base64: %+v", r)
	}
	if r := do(t, "POST", url+"/img", []byte("x"), "Content-Type", "image/png", "Accept", "text/html, image/png"); r.status != 200 || r.body != "iVBORw==" {
		t.Errorf("binary when image/png is not the first Accept type stays base64: %+v", r)
	}
	before := img.calls()
	if r := do(t, "POST", url+"/img", []byte{0xff}, "Content-Type", "application/octet-stream"); r.status != 502 {
		t.Errorf("non-UTF-8 text body: %+v", r)
	}
	if img.calls() != before {
		t.Error("an unsendable body reached the function")
	}
	img.reply = func(ctx context.Context, _ []byte) (int, []byte, error) {
		<-ctx.Done()
		return 0, nil, ctx.Err()
	}
	tpl.Functions[0].Timeout = 10 * time.Millisecond
	if r := do(t, "POST", url+"/img", nil); r.status != 504 || r.body != restTimeoutBody {
		t.Errorf("integration timeout: %+v", r)
	}
}

func TestStartErrors(t *testing.T) {
	tpl := routeTemplate(EventHTTP, "A GET /a")
	ok := func(context.Context, *Function) (string, error) { return "/bin/true", nil }
	dir := t.TempDir()
	fakeRIE := filepath.Join(dir, "rie")
	if err := os.WriteFile(fakeRIE, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		tpl  *Template
		o    Options
		err  string
	}{
		{"no bootstrap func", tpl, Options{RIE: fakeRIE}, "Options.Bootstrap is required"},
		{"no emulator", tpl, Options{Bootstrap: ok}, "Options.RIE is required"},
		{"missing emulator", tpl, Options{RIE: filepath.Join(dir, "nope"), Bootstrap: ok}, "nope"},
		{"build fails", tpl, Options{RIE: fakeRIE, Bootstrap: func(context.Context, *Function) (string, error) {
			return "", errors.New("make: *** no rule")
		}}, "no rule"},
		{"emulator exits at once", tpl, Options{RIE: fakeRIE, Bootstrap: ok}, "starting A: rie: the emulator exited before listening"},
		{"route conflict", routeTemplate(EventHTTP, "A GET /a", "B GET /a"), Options{RIE: fakeRIE, Bootstrap: ok}, "repeats route"},
	}
	for _, tc := range tests {
		s, err := Start(context.Background(), tc.tpl, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
		if s != nil {
			t.Errorf("%s: a server came back with the error", tc.name)
		}
	}
}

func TestInvokeErrors(t *testing.T) {
	fn := &Function{LogicalID: "A", Timeout: time.Second}
	ok := func(context.Context, *Function) (string, error) { return "/bin/true", nil }
	for _, tc := range []struct {
		name  string
		event string
		o     Options
		err   string
	}{
		{"not JSON", `{"a":`, Options{RIE: "/bin/true", Bootstrap: ok}, "not valid JSON"},
		{"too large", `"` + strings.Repeat("x", MaxInvokePayload) + `"`, Options{RIE: "/bin/true", Bootstrap: ok}, "Lambda accepts at most"},
		{"missing emulator", `{}`, Options{RIE: "/does/not/exist", Bootstrap: ok}, "does/not/exist"},
		{"build fails", `{}`, Options{RIE: "/bin/true", Bootstrap: func(context.Context, *Function) (string, error) { return "", errors.New("broken build") }}, "broken build"},
	} {
		if _, err := Invoke(context.Background(), fn, []byte(tc.event), tc.o); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
	}
}

func TestNewRequestID(t *testing.T) {
	a, b := newRequestID(), newRequestID()
	if len(a) != 36 || a == b || a[8] != '-' || a[14] != '4' {
		t.Errorf("request ids %q %q", a, b)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
