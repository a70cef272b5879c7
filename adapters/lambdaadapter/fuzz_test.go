package lambdaadapter

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// panicFlag is a slog handler that records any logged panic: the adapter
// recovers panics, so a fuzz run must look at the log to see one.
type panicFlag struct{ hit atomic.Bool }

func (p *panicFlag) Enabled(context.Context, slog.Level) bool  { return true }
func (p *panicFlag) Handle(context.Context, slog.Record) error { p.hit.Store(true); return nil }
func (p *panicFlag) WithAttrs([]slog.Attr) slog.Handler        { return p }
func (p *panicFlag) WithGroup(string) slog.Handler             { return p }

// fuzzSeeds adds our fixtures, the user samples and a few hostile events.
func fuzzSeeds(f *testing.F) {
	for _, dir := range []string{filepath.Join("testdata", "events"), filepath.Join("..", "..", "local", "events")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, ev := range triggerEvents() {
		f.Add(mustJSON(f, ev))
	}
	for _, s := range []string{
		`{"version":"2.0","rawPath":"/a","requestContext":{"http":{"method":"GET"}},"body":"!!","isBase64Encoded":true}`,
		`{"httpMethod":"GET","path":"/a%zz","requestContext":{}}`,
		`{"httpMethod":"GET","path":"/a","requestContext":{},"multiValueHeaders":{"x":"y"}}`,
		`{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/","queryStringParameters":{"q":"%"}}`,
		`{"version":"2.0","rawPath":"/a","requestContext":{"http":{"method":"GET"}},"headers":{"x":"a\r\nb"},"cookies":["a=1","a=1"]}`,
		`{"params":{"id_user":"a/b"},"query":{"x":["1","2"]},"body":[1,{"a":null}]}`,
		`{"params":{"id_user":1}}`, `[]`, `null`, `"x"`, `{}`, `{"requestContext":null}`,
	} {
		f.Add([]byte(s))
	}
}

// checkRequest asserts r would pass net/http's own request parsing.
func checkRequest(r *http.Request, maxHeaderBytes int) string {
	if !isToken(r.Method) {
		return "method is not a token"
	}
	if !strings.HasPrefix(r.RequestURI, "/") || !strings.HasPrefix(r.URL.EscapedPath(), "/") {
		return "request target is not origin-form"
	}
	if _, err := url.ParseRequestURI(r.RequestURI); err != nil {
		return "RequestURI does not parse: " + err.Error()
	}
	if !validHost(r.Host) {
		return "invalid host"
	}
	if r.RemoteAddr != "" {
		if _, err := netip.ParseAddrPort(r.RemoteAddr); err != nil {
			return "invalid RemoteAddr"
		}
	}
	fields, size := 0, 0
	var wire strings.Builder
	wire.WriteString(r.Method + " " + r.RequestURI + " HTTP/1.1\r\nHost: " + r.Host + "\r\n")
	for k, vs := range r.Header {
		if k == "Host" {
			return "Host left in the header map"
		}
		for _, v := range vs {
			if !isToken(k) || !validFieldValue(v) {
				return "invalid header field"
			}
			fields++
			size += len(k) + len(v) + 4
			wire.WriteString(k + ": " + v + "\r\n")
		}
	}
	// Content-Length is recomputed by the adapter, outside the caps.
	if fields > maxHeaderFields+1 || size > maxHeaderBytes+32 {
		return "header caps not enforced"
	}
	wire.WriteString("\r\n")
	parsed, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire.String())))
	if err != nil {
		return "net/http refuses the request: " + err.Error()
	}
	if parsed.Method != r.Method || parsed.RequestURI != r.RequestURI || parsed.Host != r.Host {
		return "net/http reads a different request line or host"
	}
	if body, _ := io.ReadAll(r.Body); int64(len(body)) != r.ContentLength {
		return "ContentLength does not match the body"
	}
	return ""
}

func FuzzLambdaEvent(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, event []byte) {
		if got, want := validJSON(event), json.Valid(event); got != want {
			t.Fatalf("scanner validity %v, encoding/json %v, for %q", got, want, event)
		}
		flag := &panicFlag{}
		var problem string
		var calls int
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls++
			problem = checkRequest(r, defaultMaxHeaderBytes)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true}`))
		})
		for _, o := range []Options{{Logger: slog.New(flag)}, {Logger: slog.New(flag), BasePath: "/v1",
			Direct: &DirectEndpoint{Method: "GET", Template: "/frontpage/{id_user}"}}} {
			calls, problem = 0, ""
			out, err := New(h, o).Handle(context.Background(), event)
			if flag.hit.Load() {
				t.Fatalf("a panic was recovered for %q", event)
			}
			if problem != "" {
				t.Fatalf("%s, for %q", problem, event)
			}
			if err != nil {
				var ie messages.InvokeResponse_Error
				if !errors.As(err, &ie) || !strings.HasPrefix(ie.Type, "Tributary.") || !json.Valid([]byte(ie.Message)) {
					t.Fatalf("bad error result %#v", err)
				}
				continue
			}
			b, _ := io.ReadAll(out)
			if len(b) > maxResponseBytes || !json.Valid(b) {
				t.Fatalf("bad reply %q", b)
			}
			if b[0] != '{' || string(b) == `{"ok":true}` {
				continue // a direct result
			}
			var r struct {
				StatusCode      int    `json:"statusCode"`
				Body            string `json:"body"`
				IsBase64Encoded bool   `json:"isBase64Encoded"`
			}
			if err := json.Unmarshal(b, &r); err != nil || r.StatusCode < 200 {
				t.Fatalf("bad reply %q", b)
			}
			if calls == 0 && r.StatusCode == 200 {
				t.Fatalf("200 without a handler call: %q", b)
			}
			// The handler saw a body only after its base64 decoded.
			if calls > 0 {
				// Keys match exactly, as AWS spells them (encoding/json
				// would also match "BodY").
				var ev map[string]json.RawMessage
				var body string
				if json.Unmarshal(event, &ev) == nil && string(ev["isBase64Encoded"]) == "true" &&
					json.Unmarshal(ev["body"], &body) == nil {
					if _, err := base64.StdEncoding.DecodeString(body); err != nil {
						t.Fatalf("invalid base64 accepted: %q", event)
					}
				}
			}
		}
	})
}

// fuzzHandler writes the fuzzed response: header lines "Name: value".
func fuzzHandler(status int, headers string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for line := range strings.SplitSeq(headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				w.Header().Add(k, strings.TrimSpace(v))
			}
		}
		if status != 0 {
			w.WriteHeader(status)
		}
		_, _ = w.Write(body)
	}
}

func FuzzLambdaResponse(f *testing.F) {
	f.Add(uint8(0), 200, "Content-Type: application/json", []byte(`{"a":1}`))
	f.Add(uint8(1), 201, "Content-Type: text/plain\nSet-Cookie: a=1\nSet-Cookie: b=2", []byte("hi"))
	f.Add(uint8(2), 404, "Content-Type: application/octet-stream", []byte("ascii"))
	f.Add(uint8(3), 302, "Location: /x\nVary: A\nVary: B", []byte{0xff, 0xfe})
	f.Add(uint8(4), 204, "Connection: X-A\nX-A: 1\nContent-Length: 9", []byte("no body"))
	f.Add(uint8(5), 0, "Content-Encoding: gzip", []byte{0x1f, 0x8b})
	f.Add(uint8(6), 99, "X-Ctl: a\x00b\x7f", []byte("x"))
	f.Add(uint8(7), 500, "Content-Type: application/json", []byte(`{"error":"internal_error","message":"m"}`))
	f.Add(uint8(1), 103, "Bad Name: v", []byte(""))
	events := []struct {
		trig string
		ev   []byte
	}{
		{"rest", mustJSON(f, v1Event("GET", "/x"))},
		{"v2", mustJSON(f, v2Event("GET", "/x"))},
		{"url", mustJSON(f, urlEvent("GET", "/x"))},
		{"alb", mustJSON(f, albEvent("GET", "/x", false))},
		{"alb-multi", mustJSON(f, albEvent("GET", "/x", true))},
		{"rest-head", mustJSON(f, v1Event("HEAD", "/x"))},
		{"v2-head", mustJSON(f, v2Event("HEAD", "/x"))},
		{"direct", []byte(`{"params":{"id_user":"1"}}`)},
	}
	f.Fuzz(func(t *testing.T, which uint8, status int, headers string, body []byte) {
		e := events[int(which)%len(events)]
		flag := &panicFlag{}
		a := New(fuzzHandler(status, headers, body), Options{Logger: slog.New(flag),
			Direct: &DirectEndpoint{Method: "GET", Template: "/frontpage/{id_user}"}})
		out, err := a.Handle(context.Background(), e.ev)
		if flag.hit.Load() {
			t.Fatal("a panic was recovered")
		}
		if e.trig == "direct" {
			if err != nil {
				var ie messages.InvokeResponse_Error
				if !errors.As(err, &ie) || !json.Valid([]byte(ie.Message)) {
					t.Fatalf("bad error result %#v", err)
				}
				return
			}
			b, _ := io.ReadAll(out)
			if !json.Valid(b) || len(b) > maxResponseBytes {
				t.Fatalf("bad direct result %q", b)
			}
			return
		}
		if err != nil {
			t.Fatalf("HTTP trigger got an error: %v", err)
		}
		b, _ := io.ReadAll(out)
		if len(b) > maxResponseBytes || !json.Valid(b) {
			t.Fatalf("bad reply %q", b)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(b, &keys); err != nil {
			t.Fatal(err)
		}
		r := decodeReply(t, b)
		multi := e.trig == "rest" || e.trig == "rest-head" || e.trig == "alb-multi"
		if _, ok := keys["multiValueHeaders"]; ok != multi {
			t.Fatalf("multiValueHeaders present=%v in %s reply %q", ok, e.trig, b)
		}
		if _, ok := keys["headers"]; ok == multi {
			t.Fatalf("headers present=%v in %s reply %q", ok, e.trig, b)
		}
		// Status: 1xx is ignored, out-of-range is 500.
		want := status
		switch {
		case status == 0 || status >= 100 && status < 200:
			want = 200
		case status < 100 || status > 999:
			want = 500
		}
		if r.StatusCode != want {
			t.Fatalf("status %d, want %d", r.StatusCode, want)
		}
		for k, v := range r.Headers {
			if !isToken(k) || !validFieldValue(v) {
				t.Fatalf("bad reply header %q: %q", k, v)
			}
		}
		for k, vs := range r.MultiValueHeaders {
			if !isToken(k) || len(vs) == 0 {
				t.Fatalf("bad reply header %q", k)
			}
			for _, v := range vs {
				if !validFieldValue(v) {
					t.Fatalf("bad reply header %q: %q", k, v)
				}
			}
		}
		got := r.body(t)
		if !r.IsBase64Encoded && !utf8.Valid(got) {
			t.Fatal("a non-UTF-8 body is not base64")
		}
		if status < 0 || status > 999 || status > 0 && status < 100 {
			return // our 500 internal_error body
		}
		head := strings.HasSuffix(e.trig, "-head")
		wantBody := body
		if head || !bodyAllowed(want) {
			wantBody = nil
		}
		if !slices.Equal(got, wantBody) && !(len(got) == 0 && len(wantBody) == 0) {
			t.Fatalf("body %q, want %q", got, wantBody)
		}
		if ct := r.header("Content-Type"); ct != "" && len(got) > 0 && !isTextual(ct) && !r.IsBase64Encoded {
			t.Fatalf("%q body not base64", ct)
		}
	})
}
