package samlocal

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden events in testdata/events")

// eventTime is the fixed request time of the golden events.
var eventTime = time.Date(2026, 11, 25, 10, 0, 0, 123e6, time.UTC)

func goldenRequest(method, target string, body []byte, headers ...string) *http.Request {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.RemoteAddr = "192.0.2.10:51234"
	req.Host = "127.0.0.1:3000"
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	return req
}

var (
	v2Route   = &Event{Name: "Http", Type: EventHTTP, Method: "GET", Path: "/frontpage/{id_user}", PayloadFormatVersion: "2.0", Stage: DefaultHTTPStage}
	v2Proxy   = &Event{Name: "HttpProxy", Type: EventHTTP, Method: "ANY", Path: "/{proxy+}", PayloadFormatVersion: "2.0", Stage: DefaultHTTPStage}
	v1HTTP    = &Event{Name: "Old", Type: EventHTTP, Method: "ANY", Path: "/", PayloadFormatVersion: "1.0", Stage: DefaultHTTPStage}
	restProxy = &Event{Name: "RestProxy", Type: EventREST, Method: "ANY", Path: "/{proxy+}", PayloadFormatVersion: "1.0", Stage: "prod", BinaryMediaTypes: []string{"*/*"}}
	restPNG   = &Event{Name: "Img", Type: EventREST, Method: "POST", Path: "/img", PayloadFormatVersion: "1.0", Stage: "Prod", BinaryMediaTypes: []string{"image/png"}}
)

func routeKey(ev *Event) string { return ev.Method + " " + ev.Path }

// TestBuildEventGolden compares each built event with a golden file in
// testdata/events (go test -run TestBuildEventGolden -update rewrites
// them).
func TestBuildEventGolden(t *testing.T) {
	binary := []byte{0x89, 'P', 'N', 'G', 0, 0xff, '\n'}
	tests := []struct {
		name   string
		req    *http.Request
		ev     *Event
		params []Param
	}{
		{"v2-get", goldenRequest("GET", "/frontpage/42?locale=es&tag=a&tag=b&empty=", nil,
			"Accept", "application/json", "Authorization", "Bearer t", "User-Agent", "curl/8.5.0",
			"X-Multi", "a", "X-Multi", "b", "If-None-Match", `"x,y"`,
			"Cookie", "a=1; b=2", "Cookie", "c=3",
			"X-Forwarded-Port", "1", "X-Forwarded-Proto", "https"),
			v2Route, []Param{{"id_user", "42"}}},
		{"v2-escaped-path", goldenRequest("GET", "/files/a%20b/c%2Fd?q=%zz&x=%41+b", nil),
			v2Proxy, []Param{{"proxy", "files/a b/c/d"}}},
		{"v2-post-json", goldenRequest("POST", "/items", []byte(`{"name":"é <b>"}`), "Content-Type", "application/json; charset=utf-8"),
			v2Proxy, []Param{{"proxy", "items"}}},
		{"v2-post-binary", goldenRequest("POST", "/items", binary, "Content-Type", "application/octet-stream"),
			v2Proxy, []Param{{"proxy", "items"}}},
		{"v2-post-form", goldenRequest("POST", "/items", []byte("a=1&b=2"), "Content-Type", "application/x-www-form-urlencoded"),
			v2Proxy, []Param{{"proxy", "items"}}},
		{"v2-post-text-not-utf8", goldenRequest("POST", "/items", []byte("caf\xe9"), "Content-Type", "text/plain"),
			v2Proxy, []Param{{"proxy", "items"}}},
		{"v2-post-no-type", goldenRequest("POST", "/items", []byte("hello")),
			v2Proxy, []Param{{"proxy", "items"}}},
		{"v1-rest-get", goldenRequest("GET", "/frontpage/42?tag=a&tag=b&locale=es", nil,
			"Accept", "application/json", "X-Multi", "a", "X-Multi", "b", "Cookie", "a=1; b=2", "User-Agent", "curl/8.5.0"),
			restProxy, []Param{{"proxy", "frontpage/42"}}},
		{"v1-rest-escaped-path", goldenRequest("GET", "/users/a%2Fb%20c", nil),
			restProxy, []Param{{"proxy", "users/a/b c"}}},
		{"v1-rest-binary", goldenRequest("POST", "/img", binary, "Content-Type", "image/png"),
			restPNG, nil},
		{"v1-rest-text", goldenRequest("POST", "/img", []byte("plain text"), "Content-Type", "text/plain"),
			restPNG, nil},
		{"v1-http-payload-1.0", goldenRequest("DELETE", "/", nil, "X-A", "1"),
			v1HTTP, nil},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := readAll(t, tc.req)
			got, err := buildEvent(tc.req, body, tc.ev, routeKey(tc.ev), tc.params,
				requestInfo{port: "3000", requestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", now: eventTime})
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(got) {
				t.Fatalf("not JSON: %s", got)
			}
			path := filepath.Join("testdata", "events", tc.name+".json")
			seen[path] = true
			if *update {
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, got, "", "  "); err != nil {
					t.Fatal(err)
				}
				pretty.WriteByte('\n')
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			var want bytes.Buffer
			if err := json.Compact(&want, golden); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("event differs from %s\ngot:  %s\nwant: %s", path, got, want.Bytes())
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	for _, f := range files {
		if !seen[f] {
			t.Errorf("%s is not used by any case", f)
		}
	}
}

func readAll(t *testing.T, r *http.Request) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBuildEventFacts checks the rules the golden files show, one at a
// time, so a wrong golden file cannot hide them.
func TestBuildEventFacts(t *testing.T) {
	info := requestInfo{port: "3000", requestID: "id", now: eventTime}
	build := func(req *http.Request, ev *Event, params ...Param) map[string]any {
		t.Helper()
		out, err := buildEvent(req, readAll(t, req), ev, routeKey(ev), params, info)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	v2 := build(goldenRequest("GET", "/a%2Fb?x=1&x=2", nil, "Cookie", "k=v; j=w", "X-Dup", "1", "X-Dup", "2"), v2Proxy, Param{"proxy", "a/b"})
	rc := v2["requestContext"].(map[string]any)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"v2 rawPath is decoded, without stage", v2["rawPath"], "/a/b"},
		{"v2 rawQueryString is verbatim", v2["rawQueryString"], "x=1&x=2"},
		{"v2 query values are comma-joined", v2["queryStringParameters"].(map[string]any)["x"], "1,2"},
		{"v2 headers are joined", v2["headers"].(map[string]any)["x-dup"], "1,2"},
		{"v2 has no cookie header", v2["headers"].(map[string]any)["cookie"], nil},
		{"v2 cookies[]", strings.Join(toStrings(v2["cookies"]), "|"), "k=v|j=w"},
		{"v2 domainName", rc["domainName"], "localhost"},
		{"v2 accountId", rc["accountId"], accountID},
		{"v2 apiId", rc["apiId"], apiID},
		{"v2 stage", rc["stage"], "$default"},
		{"v2 sourceIp", rc["http"].(map[string]any)["sourceIp"], "192.0.2.10"},
		{"v2 no body key without a body", v2["body"], nil},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	v1 := build(goldenRequest("GET", "/a%2Fb?x=1&x=2", nil, "X-Dup", "1", "X-Dup", "2"), restProxy, Param{"proxy", "a/b"})
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"v1 path keeps its encoding", v1["path"], "/a%2Fb"},
		{"v1 single-value query is the last", v1["queryStringParameters"].(map[string]any)["x"], "2"},
		{"v1 multi-value query", strings.Join(toStrings(v1["multiValueQueryStringParameters"].(map[string]any)["x"]), "|"), "1|2"},
		{"v1 multi-value headers", strings.Join(toStrings(v1["multiValueHeaders"].(map[string]any)["X-Dup"]), "|"), "1|2"},
		{"v1 stage", v1["requestContext"].(map[string]any)["stage"], "prod"},
		{"v1 resource", v1["resource"], "/{proxy+}"},
		{"v1 X-Forwarded-Port", v1["headers"].(map[string]any)["X-Forwarded-Port"], "3000"},
		{"v1 epoch in ms", v1["requestContext"].(map[string]any)["requestTimeEpoch"], float64(eventTime.UnixMilli())},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
}

func toStrings(v any) []string {
	items, _ := v.([]any)
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it.(string)
	}
	return out
}

// TestBuildEventNotText: a REST body that is neither UTF-8 nor of a binary
// media type cannot be put in an event (`sam local` answers 502).
func TestBuildEventNotText(t *testing.T) {
	req := goldenRequest("POST", "/img", []byte{0xff, 0xfe}, "Content-Type", "application/octet-stream")
	_, err := buildEvent(req, readAll(t, req), restPNG, routeKey(restPNG), nil, requestInfo{now: eventTime})
	if !errors.Is(err, errBodyNotText) {
		t.Errorf("err = %v, want errBodyNotText", err)
	}
}

func TestAppendJSONString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            `"plain"`,
		"q\"b\\":           `"q\"b\\"`,
		"\n\r\t\x00\x1f":   `"\n\r\t\u0000\u001f"`,
		"<&>":              `"<&>"`,
		"é\u2028\u2029":    `"é\u2028\u2029"`,
		"bad\xffutf8\xc3":  `"bad\ufffdutf8\ufffd"`,
		"":                 `""`,
		"\U0001F600 emoji": "\"\U0001F600 emoji\"",
	} {
		got := string(appendJSONString(nil, in))
		if got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", in, got, want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("appendJSONString(%q) = %s is not JSON", in, got)
		}
	}
}

func TestBodyClassification(t *testing.T) {
	for _, tc := range []struct {
		ct   string
		body string
		text bool
	}{
		{"application/json", `{}`, true},
		{"Application/JSON; charset=utf-8", `{}`, true},
		{"application/problem+json", `{}`, true},
		{"application/xml", `<a/>`, true},
		{"application/atom+xml", `<a/>`, true},
		{"text/csv", "a,b", true},
		{"text/plain", "caf\xe9", false},
		{"application/x-www-form-urlencoded", "a=1", false},
		{"application/octet-stream", "abc", false},
		{"", "abc", false},
		{"multipart/form-data; boundary=x", "abc", false},
	} {
		if got := textBody(tc.ct, []byte(tc.body)); got != tc.text {
			t.Errorf("textBody(%q, %q) = %v, want %v", tc.ct, tc.body, got, tc.text)
		}
	}
	for _, tc := range []struct {
		types []string
		mt    string
		want  bool
	}{
		{[]string{"*/*"}, "", true},
		{[]string{"*/*"}, "text/plain", true},
		{[]string{"image/*"}, "image/png", true},
		{[]string{"image/*"}, "text/plain", false},
		{[]string{"image/png"}, "IMAGE/PNG", true},
		{[]string{"image/png"}, "", false},
		{nil, "image/png", false},
	} {
		if got := binaryType(tc.types, tc.mt); got != tc.want {
			t.Errorf("binaryType(%v, %q) = %v, want %v", tc.types, tc.mt, got, tc.want)
		}
	}
}

func BenchmarkBuildEventV2(b *testing.B) {
	req := goldenRequest("GET", "/frontpage/42?locale=es", nil, "Accept", "application/json", "User-Agent", "curl/8.5.0", "Cookie", "a=1; b=2")
	info := requestInfo{port: "3000", requestID: "id", now: eventTime}
	params := []Param{{"id_user", "42"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := buildEvent(req, nil, v2Route, "GET /frontpage/{id_user}", params, info); err != nil {
			b.Fatal(err)
		}
	}
}
