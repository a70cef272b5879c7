package lambdaadapter

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	valid := []struct{ in, method, tmpl string }{
		{"GET /frontpage/{id_user}", "GET", "/frontpage/{id_user}"},
		{"POST /a/{b}/c/{d-e_F9}", "POST", "/a/{b}/c/{d-e_F9}"},
		{"GET /", "GET", "/"},
		{"GET /users/", "GET", "/users/"},
		{"  DELETE /x/{id}\n", "DELETE", "/x/{id}"},
		{"GET /caf%C3%A9/ü", "GET", "/caf%C3%A9/ü"},
	}
	for _, tt := range valid {
		ep, err := ParseEndpoint(tt.in)
		if err != nil || ep.Method != tt.method || ep.Template != tt.tmpl {
			t.Errorf("ParseEndpoint(%q) = %+v, %v", tt.in, ep, err)
		}
	}
	invalid := []string{
		"", "GET", "GET frontpage", "G T /x", "GET /a//b", "GET /a/{b", "GET /a/{}", "GET /a/x{b}",
		"GET /a/{b}x", "GET /a/{b}/{b}", "GET /a/./b", "GET /a/../b", "GET /a b", "GET /a?b", "GET /a#b",
		"GET /a/*", `GET /a\b`, "GET /a/{b c}", "GET /a/{b.c}", "GET\t/x", "GET /a/\x01",
	}
	for _, in := range invalid {
		if ep, err := ParseEndpoint(in); err == nil {
			t.Errorf("ParseEndpoint(%q) = %+v, want an error", in, ep)
		}
	}
}

func directAdapter(h http.Handler) *Adapter {
	return New(h, Options{Direct: &DirectEndpoint{Method: "GET", Template: "/frontpage/{id_user}"}})
}

func TestDirectRequest(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    want
	}{
		{
			name:    "params, query, headers",
			payload: `{"params":{"id_user":"42"},"query":{"tag":["b","a"],"locale":"es","q":"a b&c"},"headers":{"authorization":"Bearer t","X-Multi":["1","2"]}}`,
			want: want{method: "GET", escapedPath: "/frontpage/42", rawQuery: "locale=es&q=a+b%26c&tag=b&tag=a",
				requestURI: "/frontpage/42?locale=es&q=a+b%26c&tag=b&tag=a",
				header:     http.Header{"Authorization": {"Bearer t"}, "X-Multi": {"1", "2"}}, absent: []string{"Content-Type"}},
		},
		{
			name:    "each param is escaped as one segment",
			payload: `{"params":{"id_user":"a/b?c#d%e f;ü..~_-."}}`,
			want: want{method: "GET", escapedPath: "/frontpage/a%2Fb%3Fc%23d%25e%20f%3B%C3%BC..~_-.", path: "/frontpage/a/b?c#d%e f;ü..~_-.",
				requestURI: "/frontpage/a%2Fb%3Fc%23d%25e%20f%3B%C3%BC..~_-."},
		},
		{
			name:    "a dot-segment param is escaped literally; the router decides",
			payload: `{"params":{"id_user":".."}}`,
			want:    want{method: "GET", escapedPath: "/frontpage/..", requestURI: "/frontpage/.."},
		},
		{
			name:    "body: the raw bytes of the JSON value, as application/json",
			payload: `{"body":  {"b": [1, 2.50, "x\u00e9"]} , "params":{"id_user":"1"}}`,
			want: want{method: "GET", escapedPath: "/frontpage/1", requestURI: "/frontpage/1", body: `{"b": [1, 2.50, "x\u00e9"]}`,
				header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"27"}}},
		},
		{
			name:    "a Content-Type in headers wins; Host and client address are never set",
			payload: `{"params":{"id_user":"1"},"body":"text","headers":{"content-type":"text/plain","host":"evil.example","x-forwarded-for":"1.2.3.4"}}`,
			want: want{method: "GET", escapedPath: "/frontpage/1", requestURI: "/frontpage/1", body: `"text"`,
				header: http.Header{"Content-Type": {"text/plain"}, "X-Forwarded-For": {"1.2.3.4"}}, absent: []string{"Host"}},
		},
		{
			name:    "null query and headers",
			payload: `{"params":{"id_user":"1"},"query":null,"headers":null}`,
			want:    want{method: "GET", escapedPath: "/frontpage/1", requestURI: "/frontpage/1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			out, err := directAdapter(rec).Handle(context.Background(), []byte(tt.payload))
			if err != nil {
				t.Fatalf("error result %v", err)
			}
			if b, _ := io.ReadAll(out); string(b) != `{"ok":true}` {
				t.Errorf("result %s", b)
			}
			got := rec.last(t)
			got.HasDeadline = true // no deadline in this context
			checkSeen(t, got, tt.want)
		})
	}
}

func TestDirectPayloadErrors(t *testing.T) {
	tests := []struct {
		name, payload string
		status        int
		code          string
	}{
		{"unknown key", `{"params":{"id_user":"1"},"path":"/admin"}`, 400, "bad_request"},
		{"missing param", `{}`, 400, "bad_request"},
		{"wrong param name", `{"params":{"id":"1"}}`, 400, "bad_request"},
		{"extra param", `{"params":{"id_user":"1","x":"2"}}`, 400, "bad_request"},
		{"duplicate param", `{"params":{"id_user":"1","id_user":"2"}}`, 400, "bad_request"},
		{"empty param", `{"params":{"id_user":""}}`, 400, "bad_request"},
		{"number param", `{"params":{"id_user":42}}`, 400, "bad_request"},
		{"array param", `{"params":{"id_user":["1"]}}`, 400, "bad_request"},
		{"params as an array", `{"params":["1"]}`, 400, "bad_request"},
		{"query value a number", `{"params":{"id_user":"1"},"query":{"a":1}}`, 400, "bad_request"},
		{"query array of numbers", `{"params":{"id_user":"1"},"query":{"a":[1]}}`, 400, "bad_request"},
		{"headers as a string", `{"params":{"id_user":"1"},"headers":"x"}`, 400, "bad_request"},
		{"CRLF in a header", `{"params":{"id_user":"1"},"headers":{"x":"a\r\nb"}}`, 400, "bad_request"},
		{"bad header name", `{"params":{"id_user":"1"},"headers":{"a b":"x"}}`, 400, "bad_request"},
		{"too many headers", `{"params":{"id_user":"1"},"headers":{"x":[` + strings.Repeat(`"v",`, 128) + `"v"]}}`, 431, "headers_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			typ, msg := invokeErr(t, directAdapter(rec), []byte(tt.payload))
			if typ != "Tributary."+tt.code || msg.Error != tt.code || msg.Status != tt.status || msg.Message == "" {
				t.Errorf("got %s %+v, want %d %s", typ, msg, tt.status, tt.code)
			}
			if rec.count() != 0 {
				t.Error("the handler was called")
			}
		})
	}
}

func TestDirectResult(t *testing.T) {
	respond := func(status int, ct, body string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	okTests := []struct {
		name string
		fn   func(w http.ResponseWriter, r *http.Request)
		want string
	}{
		{"2xx JSON is passed unchanged", respond(200, "application/json", `{"a": 1, "b":[true]}`), `{"a": 1, "b":[true]}`},
		{"+json counts as JSON", respond(200, "application/problem+json; charset=utf-8", `[1]`), `[1]`},
		{"text becomes a JSON string", respond(200, "text/plain", "hello \"you\"\n"), `"hello \"you\"\n"`},
		{"sniffed text becomes a JSON string", respond(201, "", "hi"), `"hi"`},
		{"invalid JSON under a JSON type becomes a JSON string", respond(200, "application/json", "not json"), `"not json"`},
		{"204 is an empty JSON string", respond(204, "", ""), `""`},
		{"silence is an empty JSON string", func(w http.ResponseWriter, r *http.Request) {}, `""`},
	}
	for _, tt := range okTests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := directAdapter(&recorder{respond: tt.fn}).Handle(context.Background(), []byte(`{"params":{"id_user":"1"}}`))
			if err != nil {
				t.Fatalf("error result %v", err)
			}
			b, _ := io.ReadAll(out)
			if string(b) != tt.want {
				t.Errorf("result %s, want %s", b, tt.want)
			}
		})
	}
	errTests := []struct {
		name string
		fn   func(w http.ResponseWriter, r *http.Request)
		want directMsg
	}{
		{"a gateway 404 keeps its code and message", respond(404, "application/json; charset=utf-8", `{"error":"not_found","message":"no route for GET /x"}`),
			directMsg{404, "not_found", "no route for GET /x"}},
		{"a gateway 502", respond(502, "application/json; charset=utf-8", `{"error":"bad_gateway","message":"backend failed"}`),
			directMsg{502, "bad_gateway", "backend failed"}},
		{"a 504 without a message", respond(504, "application/json", `{"error":"gateway_timeout"}`),
			directMsg{504, "gateway_timeout", "Gateway Timeout"}},
		{"return_error_code with an empty body", respond(418, "", ""), directMsg{418, "http_418", "I'm a teapot"}},
		{"a redirect", respond(301, "", ""), directMsg{301, "http_301", "Moved Permanently"}},
		{"a backend body is not trusted for the code", respond(500, "application/json", `{"error":"Bad Code!","message":"x"}`),
			directMsg{500, "http_500", "Internal Server Error"}},
		{"a non-JSON error body", respond(400, "text/plain", `{"error":"x"}`), directMsg{400, "http_400", "Bad Request"}},
		{"an unknown status", respond(599, "", ""), directMsg{599, "http_599", "status 599"}},
		{"a non-UTF-8 2xx body", respond(200, "application/octet-stream", "\xff\xfe"), directMsg{502, "bad_gateway", ""}},
		{"a panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") }, directMsg{500, "internal_error", "internal error"}},
		{"an oversize body", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(bytes.Repeat([]byte("a"), maxResponseBytes+10))
		}, directMsg{502, "bad_gateway", ""}},
		{"a body oversize only once quoted", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write(bytes.Repeat([]byte("\n"), maxResponseBytes-10))
		}, directMsg{502, "bad_gateway", ""}},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			typ, msg := invokeErr(t, directAdapter(&recorder{respond: tt.fn}), []byte(`{"params":{"id_user":"1"}}`))
			if typ != "Tributary."+tt.want.Error || msg.Status != tt.want.Status || msg.Error != tt.want.Error {
				t.Errorf("got %s %+v, want %+v", typ, msg, tt.want)
			}
			if tt.want.Message != "" && msg.Message != tt.want.Message {
				t.Errorf("message %q, want %q", msg.Message, tt.want.Message)
			}
		})
	}
}

func TestDirectInvalidTemplate(t *testing.T) {
	a := New(&recorder{}, Options{Direct: &DirectEndpoint{Method: "GET", Template: "frontpage"}})
	typ, msg := invokeErr(t, a, []byte(`{}`))
	if typ != "Tributary.internal_error" || msg.Status != 500 {
		t.Errorf("got %s %+v", typ, msg)
	}
}

// TestDirectAcceptsHTTPEvents: an endpoint function also serves its own
// HttpApi route's events.
func TestDirectAcceptsHTTPEvents(t *testing.T) {
	rec := &recorder{}
	r := handleReply(t, directAdapter(rec), mustJSON(t, v2Event("GET", "/frontpage/42")))
	if r.StatusCode != 200 || rec.last(t).EscapedPath != "/frontpage/42" {
		t.Fatalf("status %d path %q", r.StatusCode, rec.last(t).EscapedPath)
	}
	if !slices.Equal(rec.last(t).Header["User-Agent"], []string{"test"}) {
		t.Errorf("headers %v", rec.last(t).Header)
	}
}
