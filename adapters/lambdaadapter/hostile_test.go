package lambdaadapter

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Class F (security.md §5): hostile Lambda events. An inconsistent event
// of a recognised trigger gets a 400 in that trigger's format; an
// unrecognisable one gets the error result; the handler never sees either.

// mutate returns a copy-on-build event of trigger trig with fn applied.
func eventFor(trig string, fn func(ev obj)) obj {
	var ev obj
	switch trig {
	case "rest":
		ev = v1Event("GET", "/x")
	case "v2":
		ev = v2Event("GET", "/x")
	case "url":
		ev = urlEvent("GET", "/x")
	case "alb":
		ev = albEvent("GET", "/x", false)
	case "alb-multi":
		ev = albEvent("GET", "/x", true)
	}
	if fn != nil {
		fn(ev)
	}
	return ev
}

var allTriggers = []string{"rest", "v2", "url", "alb", "alb-multi"}

// checkFormat asserts the reply is in trig's format.
func checkFormat(t *testing.T, trig string, r wireReply) {
	t.Helper()
	_, single := r.keys["headers"]
	_, multi := r.keys["multiValueHeaders"]
	_, desc := r.keys["statusDescription"]
	switch trig {
	case "rest":
		if !multi || single || desc {
			t.Errorf("not a REST reply: keys %v", keysOf(r))
		}
	case "v2", "url":
		if !single || multi || desc {
			t.Errorf("not a v2 reply: keys %v", keysOf(r))
		}
	case "alb":
		if !single || multi || !desc {
			t.Errorf("not a single-value ALB reply: keys %v", keysOf(r))
		}
	case "alb-multi":
		if single || !multi || !desc {
			t.Errorf("not a multi-value ALB reply: keys %v", keysOf(r))
		}
	}
	if ct := r.header("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("error Content-Type %q", ct)
	}
}

func keysOf(r wireReply) []string {
	var ks []string
	for k := range r.keys {
		ks = append(ks, k)
	}
	return ks
}

func TestHostileEvents(t *testing.T) {
	bigHeaders := func(n, size int) func(ev obj) {
		return func(ev obj) {
			for i := range n {
				setHeader(ev, fmt.Sprintf("x-h%d", i), strings.Repeat("v", size))
			}
		}
	}
	tests := []struct {
		name     string
		triggers []string
		fn       func(ev obj)
		status   int
		code     string
	}{
		{"invalid base64 body", allTriggers, func(ev obj) { ev["body"] = "!!not base64!!"; ev["isBase64Encoded"] = true }, 400, "invalid_body"},
		{"truncated base64 body", allTriggers, func(ev obj) { ev["body"] = "aGVsbG8"; ev["isBase64Encoded"] = true }, 400, "invalid_body"},
		{"CRLF in a header value", allTriggers, func(ev obj) { setHeader(ev, "x-evil", "a\r\nX-Injected: 1") }, 400, "bad_request"},
		{"NUL in a header value", allTriggers, func(ev obj) { setHeader(ev, "x-evil", "a\x00b") }, 400, "bad_request"},
		{"space in a header name", allTriggers, func(ev obj) { setHeader(ev, "x evil", "a") }, 400, "bad_request"},
		{"empty header name", allTriggers, func(ev obj) { setHeader(ev, "", "a") }, 400, "bad_request"},
		{"129 header fields", allTriggers, bigHeaders(129, 1), 431, "headers_too_large"},
		{"header bytes over 64 KiB", allTriggers, bigHeaders(2, 40<<10), 431, "headers_too_large"},
		{"bad Host header", allTriggers, func(ev obj) { setHeader(ev, "host", "evil.com/<script>") }, 400, "bad_request"},
		{"method that is not a token", allTriggers, func(ev obj) {
			if rc, ok := ev["requestContext"].(obj)["http"].(obj); ok {
				rc["method"] = "GET /admin"
			} else {
				ev["httpMethod"] = "GET /admin"
			}
		}, 400, "bad_request"},
		{"empty method", allTriggers, func(ev obj) {
			if rc, ok := ev["requestContext"].(obj)["http"].(obj); ok {
				rc["method"] = ""
			} else {
				ev["httpMethod"] = ""
			}
		}, 400, "invalid_event"},
		{"path without a leading slash", allTriggers, func(ev obj) { ev["path"] = "x"; ev["rawPath"] = "x" }, 400, "invalid_path"},
		{"empty path", allTriggers, func(ev obj) { ev["path"] = ""; ev["rawPath"] = "" }, 400, "invalid_path"},
		{"absolute-form path", []string{"rest", "url", "alb"}, func(ev obj) { ev["path"] = "http://internal/admin"; ev["rawPath"] = "http://internal/admin" }, 400, "invalid_path"},
		{"bad percent-encoding in the path", []string{"rest", "url", "alb", "alb-multi"}, func(ev obj) { ev["path"] = "/a%zz"; ev["rawPath"] = "/a%zz" }, 400, "invalid_path"},
		{"control character in the path", []string{"rest", "url", "alb"}, func(ev obj) { ev["path"] = "/a\x01"; ev["rawPath"] = "/a\x01" }, 400, "invalid_path"},
		{"'?' inside the path", []string{"rest", "url", "alb"}, func(ev obj) { ev["path"] = "/a?b=1"; ev["rawPath"] = "/a?b=1" }, 400, "invalid_path"},
		{"CTL in the raw query", []string{"v2", "url"}, func(ev obj) { ev["rawQueryString"] = "q=a\nb" }, 400, "invalid_query"},
		{"v2 version 9.9", []string{"v2", "url"}, func(ev obj) { ev["version"] = "9.9" }, 400, "invalid_event"},
		{"v2 without version", []string{"v2", "url"}, func(ev obj) { delete(ev, "version") }, 400, "invalid_event"},
		{"multiValueHeaders holding strings", []string{"rest", "alb-multi"}, func(ev obj) { ev["multiValueHeaders"] = obj{"host": "x"} }, 400, "invalid_event"},
		{"headers holding arrays", []string{"v2", "url", "alb"}, func(ev obj) { ev["headers"] = obj{"host": []string{"x"}} }, 400, "invalid_event"},
		{"headers as an array", []string{"v2", "url", "alb"}, func(ev obj) { ev["headers"] = []string{"x"} }, 400, "invalid_event"},
		{"body as an object", allTriggers, func(ev obj) { ev["body"] = obj{"a": 1} }, 400, "invalid_event"},
		{"isBase64Encoded as a string", allTriggers, func(ev obj) { ev["isBase64Encoded"] = "true" }, 400, "invalid_event"},
		{"cookies as a string", []string{"v2", "url"}, func(ev obj) { ev["cookies"] = "a=1" }, 400, "invalid_event"},
		{"path as a number", []string{"rest", "alb"}, func(ev obj) { ev["path"] = 42 }, 400, "invalid_event"},
		{"REST event without requestContext", []string{"rest"}, func(ev obj) { delete(ev, "requestContext") }, 400, "invalid_event"},
		{"REST event with a string requestContext", []string{"rest"}, func(ev obj) { ev["requestContext"] = "x" }, 400, "invalid_event"},
		{"sourceIp as an object", []string{"v2"}, func(ev obj) { ev["requestContext"].(obj)["http"].(obj)["sourceIp"] = obj{} }, 400, "invalid_event"},
		{"two Host headers", []string{"rest", "alb-multi"}, func(ev obj) { setHeader(ev, "host", "a.example", "b.example") }, 400, "bad_request"},
		{"v2 CTL in a cookie", []string{"v2", "url"}, func(ev obj) { ev["cookies"] = []string{"a=1\r\nX: y"} }, 400, "bad_request"},
		{"v2 oversize cookies", []string{"v2", "url"}, func(ev obj) { ev["cookies"] = []string{strings.Repeat("c", 70<<10)} }, 431, "headers_too_large"},
	}
	for _, tt := range tests {
		for _, trig := range tt.triggers {
			t.Run(tt.name+"/"+trig, func(t *testing.T) {
				rec := &recorder{}
				r := handleReply(t, New(rec, Options{}), mustJSON(t, eventFor(trig, tt.fn)))
				if r.StatusCode != tt.status {
					t.Fatalf("status %d, want %d (body %s)", r.StatusCode, tt.status, r.Body)
				}
				if code := r.errCode(t); code != tt.code {
					t.Errorf("error %q, want %q", code, tt.code)
				}
				checkFormat(t, trig, r)
				if rec.count() != 0 {
					t.Error("the handler was called for a rejected event")
				}
			})
		}
	}
}

// TestHostileAccepted lists hostile-looking events that are well-formed:
// they reach the handler unchanged, and the gateway's router decides.
func TestHostileAccepted(t *testing.T) {
	tests := []struct {
		name  string
		ev    obj
		check func(t *testing.T, s seen)
	}{
		{"headers: null means no headers", func() obj {
			ev := v2Event("GET", "/x")
			ev["headers"] = nil
			return ev
		}(), func(t *testing.T, s seen) {
			if len(s.Header) != 0 || s.Host != "abc123.execute-api.us-east-1.amazonaws.com" {
				t.Errorf("header %v host %q", s.Header, s.Host)
			}
		}},
		{"a v2 dot-segment path arrives uncleaned (the router answers 400 invalid_path)", v2Event("GET", "/a/../admin"), func(t *testing.T, s seen) {
			if s.EscapedPath != "/a/../admin" {
				t.Errorf("path %q", s.EscapedPath)
			}
		}},
		{"an encoded slash in a REST path stays encoded", v1Event("GET", "/users/..%2Fadmin"), func(t *testing.T, s seen) {
			if s.EscapedPath != "/users/..%2Fadmin" {
				t.Errorf("path %q", s.EscapedPath)
			}
		}},
		{"a client X-Forwarded-For does not set the client IP", func() obj {
			ev := v2Event("GET", "/x")
			setHeader(ev, "x-forwarded-for", "127.0.0.1")
			return ev
		}(), func(t *testing.T, s seen) {
			if s.RemoteAddr != "203.0.113.7:0" {
				t.Errorf("RemoteAddr %q", s.RemoteAddr)
			}
		}},
		{"a REST X-Forwarded-For does not set the client IP", func() obj {
			ev := v1Event("GET", "/x")
			setHeader(ev, "X-Forwarded-For", "127.0.0.1")
			return ev
		}(), func(t *testing.T, s seen) {
			if s.RemoteAddr != "198.51.100.9:0" {
				t.Errorf("RemoteAddr %q", s.RemoteAddr)
			}
		}},
		{"an ALB client prepending X-Forwarded-For cannot choose the IP", func() obj {
			ev := albEvent("GET", "/x", false)
			setHeader(ev, "x-forwarded-for", "127.0.0.1, 10.0.0.1, 203.0.113.99")
			return ev
		}(), func(t *testing.T, s seen) {
			if s.RemoteAddr != "203.0.113.99:0" {
				t.Errorf("RemoteAddr %q", s.RemoteAddr)
			}
		}},
		{"a placeholder-looking path is literal", v2Event("GET", "/users/{other}"), func(t *testing.T, s seen) {
			if s.Path != "/users/{other}" {
				t.Errorf("path %q", s.Path)
			}
		}},
		{"unknown and exotic keys are ignored", func() obj {
			ev := v1Event("GET", "/x")
			ev["resource"] = []any{1, obj{"deep": []any{[]any{[]any{}}}}}
			ev["extra"] = 1.5e300
			ev["pathParameters"] = nil
			return ev
		}(), func(t *testing.T, s seen) {
			if s.EscapedPath != "/x" {
				t.Errorf("path %q", s.EscapedPath)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			r := handleReply(t, New(rec, Options{}), mustJSON(t, tt.ev))
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d body %s", r.StatusCode, r.Body)
			}
			tt.check(t, rec.last(t))
		})
	}
}

func TestUnrecognisedEvents(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		direct  bool
		typ     string
	}{
		{"array", `[1,2]`, false, "Tributary.invalid_event"},
		{"string", `"GET /"`, false, "Tributary.invalid_event"},
		{"number", `42`, false, "Tributary.invalid_event"},
		{"null", `null`, false, "Tributary.invalid_event"},
		{"empty", ``, false, "Tributary.invalid_event"},
		{"broken JSON", `{"httpMethod":`, false, "Tributary.invalid_event"},
		{"requestContext only", `{"requestContext":{}}`, false, "Tributary.invalid_event"},
		{"null requestContext", `{"requestContext":null}`, true, "Tributary.invalid_event"},
		{"unknown version only", `{"version":"1.0"}`, true, "Tributary.invalid_event"},
		{"S3 notification", `{"Records":[{"eventSource":"aws:s3"}]}`, false, "Tributary.invalid_event"},
		{"S3 notification to an endpoint function", `{"Records":[{"eventSource":"aws:s3"}]}`, true, "Tributary.bad_request"},
		{"direct payload without a direct endpoint", `{"params":{"id_user":"1"}}`, false, "Tributary.invalid_event"},
		{"deeply nested", strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000), false, "Tributary.invalid_event"},
		{"deeply nested arrays in a direct payload", `{"body":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, true, "Tributary.invalid_event"},
		// encoding/json refuses nesting deeper than 10 000 before the
		// handler runs; should such an event arrive anyway, it is refused.
		{"deeply nested v2 event", `{"version":"2.0","rawPath":"/x","requestContext":{"http":{"method":"GET"}},"extra":` +
			strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + `}`, false, "Tributary.invalid_event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			o := Options{}
			if tt.direct {
				o.Direct = &DirectEndpoint{Method: "GET", Template: "/frontpage/{id_user}"}
			}
			typ, msg := invokeErr(t, New(rec, o), []byte(tt.payload))
			if typ != tt.typ {
				t.Errorf("type %q, want %q (%+v)", typ, tt.typ, msg)
			}
			if msg.Status != 400 || "Tributary."+msg.Error != typ || msg.Message == "" {
				t.Errorf("message %+v", msg)
			}
			if rec.count() != 0 {
				t.Error("the handler was called")
			}
		})
	}
}
