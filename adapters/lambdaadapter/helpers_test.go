package lambdaadapter

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// obj is a JSON object under construction in a test.
type obj = map[string]any

// seen is what the handler observed of one request.
type seen struct {
	Method        string
	Path          string // r.URL.Path
	EscapedPath   string
	RawQuery      string
	RequestURI    string
	Host          string
	RemoteAddr    string
	Header        http.Header
	Body          []byte
	ContentLength int64
	Deadline      time.Time
	HasDeadline   bool
}

func observe(r *http.Request) seen {
	body, _ := io.ReadAll(r.Body)
	dl, ok := r.Context().Deadline()
	return seen{
		Method:        r.Method,
		Path:          r.URL.Path,
		EscapedPath:   r.URL.EscapedPath(),
		RawQuery:      r.URL.RawQuery,
		RequestURI:    r.RequestURI,
		Host:          r.Host,
		RemoteAddr:    r.RemoteAddr,
		Header:        r.Header.Clone(),
		Body:          body,
		ContentLength: r.ContentLength,
		Deadline:      dl,
		HasDeadline:   ok,
	}
}

// recorder is the test's http.Handler: it records every request and
// answers with respond (default: 200 {"ok":true}).
type recorder struct {
	mu      sync.Mutex
	reqs    []seen
	respond func(w http.ResponseWriter, r *http.Request)
}

func (h *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := observe(r)
	h.mu.Lock()
	h.reqs = append(h.reqs, s)
	h.mu.Unlock()
	if h.respond != nil {
		h.respond(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}

// last returns the last request, failing the test if none arrived.
func (h *recorder) last(t *testing.T) seen {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.reqs) == 0 {
		t.Fatal("the handler was not called")
	}
	return h.reqs[len(h.reqs)-1]
}

func (h *recorder) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Event builders: minimal, well-formed events of each trigger.

func v2Event(method, rawPath string) obj {
	return obj{
		"version":        "2.0",
		"routeKey":       "$default",
		"rawPath":        rawPath,
		"rawQueryString": "",
		"headers":        obj{"host": "abc123.execute-api.us-east-1.amazonaws.com", "user-agent": "test"},
		"requestContext": obj{
			"domainName": "abc123.execute-api.us-east-1.amazonaws.com",
			"stage":      "$default",
			"http":       obj{"method": method, "path": rawPath, "sourceIp": "203.0.113.7"},
		},
		"isBase64Encoded": false,
	}
}

func urlEvent(method, rawPath string) obj {
	ev := v2Event(method, rawPath)
	ev["headers"] = obj{"host": "fn123.lambda-url.us-east-1.on.aws"}
	rc := ev["requestContext"].(obj)
	rc["domainName"] = "fn123.lambda-url.us-east-1.on.aws"
	delete(rc, "stage")
	return ev
}

func v1Event(method, path string) obj {
	return obj{
		"resource":          "/{proxy+}",
		"path":              path,
		"httpMethod":        method,
		"headers":           obj{"Host": "api.example.com", "User-Agent": "test"},
		"multiValueHeaders": obj{"Host": []string{"api.example.com"}, "User-Agent": []string{"test"}},
		"requestContext": obj{
			"stage":      "prod",
			"path":       "/prod" + path,
			"domainName": "abc123.execute-api.us-east-1.amazonaws.com",
			"identity":   obj{"sourceIp": "198.51.100.9"},
		},
		"body":            nil,
		"isBase64Encoded": false,
	}
}

func albEvent(method, path string, multi bool) obj {
	ev := obj{
		"requestContext":  obj{"elb": obj{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/abc"}},
		"httpMethod":      method,
		"path":            path,
		"body":            "",
		"isBase64Encoded": false,
	}
	if multi {
		ev["multiValueHeaders"] = obj{"host": []string{"alb.example.com"}, "x-forwarded-for": []string{"192.0.2.1, 198.51.100.20"}}
		ev["multiValueQueryStringParameters"] = obj{}
	} else {
		ev["headers"] = obj{"host": "alb.example.com", "x-forwarded-for": "192.0.2.1, 198.51.100.20"}
		ev["queryStringParameters"] = obj{}
	}
	return ev
}

// setHeader sets one request header in an event of any trigger (both maps
// for v1).
func setHeader(ev obj, name string, values ...string) {
	if mv, ok := ev["multiValueHeaders"].(obj); ok {
		mv[name] = values
	}
	if h, ok := ev["headers"].(obj); ok {
		h[name] = values[len(values)-1]
	}
}

// wireReply is any trigger's reply, decoded.
type wireReply struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	keys              map[string]json.RawMessage
}

func (w wireReply) body(t testing.TB) []byte {
	t.Helper()
	if !w.IsBase64Encoded {
		return []byte(w.Body)
	}
	b, err := base64.StdEncoding.DecodeString(w.Body)
	if err != nil {
		t.Fatalf("reply body is not base64: %v", err)
	}
	return b
}

// header returns a reply header from whichever map the format uses.
func (w wireReply) header(name string) string {
	if v, ok := w.Headers[name]; ok {
		return v
	}
	if vs := w.MultiValueHeaders[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// errCode returns the "error" field of a gateway JSON error body.
func (w wireReply) errCode(t testing.TB) string {
	t.Helper()
	var e struct{ Error, Message string }
	if err := json.Unmarshal(w.body(t), &e); err != nil {
		t.Fatalf("reply body is not a JSON error: %v: %q", err, w.Body)
	}
	return e.Error
}

func decodeReply(t testing.TB, b []byte) wireReply {
	t.Helper()
	var w wireReply
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatalf("reply is not JSON: %v: %s", err, b)
	}
	if err := json.Unmarshal(b, &w.keys); err != nil {
		t.Fatal(err)
	}
	return w
}

// handle runs one invoke and returns the reply bytes; it fails the test on
// a Go error.
func handle(t testing.TB, a *Adapter, event []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := a.Handle(ctx, event)
	if err != nil {
		t.Fatalf("Handle returned an error for an HTTP event: %v", err)
	}
	b, err := io.ReadAll(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// handleReply runs one invoke and decodes the reply.
func handleReply(t testing.TB, a *Adapter, event []byte) wireReply {
	t.Helper()
	return decodeReply(t, handle(t, a, event))
}

// invokeErr runs one invoke that must end in an error result and returns
// its type and decoded message.
func invokeErr(t testing.TB, a *Adapter, event []byte) (string, directMsg) {
	t.Helper()
	out, err := a.Handle(context.Background(), event)
	if err == nil {
		b, _ := io.ReadAll(out)
		t.Fatalf("want an error result, got %s", b)
	}
	var ie messages.InvokeResponse_Error
	if !errors.As(err, &ie) {
		t.Fatalf("error %T is not a messages.InvokeResponse_Error", err)
	}
	var m directMsg
	if err := json.Unmarshal([]byte(ie.Message), &m); err != nil {
		t.Fatalf("error message is not JSON: %v: %q", err, ie.Message)
	}
	return ie.Type, m
}

// directMsg is the JSON message of an error result.
type directMsg struct {
	Status  int    `json:"status"`
	Error   string `json:"error"`
	Message string `json:"message"`
}
