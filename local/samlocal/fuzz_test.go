package samlocal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseTemplate: any input parses or fails cleanly; what parses has
// bounded settings and compiles into a router or fails cleanly.
func FuzzParseTemplate(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "..", "template.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        A: {Type: Api, Properties: {Path: \"/{p+}\", Method: ANY, RestApiId: !Ref R}}\n  R: {Type: AWS::Serverless::Api, Properties: {StageName: !Ref S, BinaryMediaTypes: ['*~1*']}}\nParameters: {S: {Default: prod}}\n"))
	f.Add([]byte("Globals: {Function: {Timeout: 5, Environment: {Variables: &v {A: !Ref AWS::Region}}}}\nResources: {F: {Type: AWS::Serverless::Function, Properties: {Environment: {Variables: *v}, Events: {D: {Type: HttpApi}}}}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("Resources: {F: {Type: AWS::Serverless::Function, Properties: {Timeout: !Ref T}}}\nParameters: {T: {Default: !Sub x}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := ParseTemplate("f.yaml", data, TemplateOptions{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, fn := range tpl.Functions {
			if fn.Timeout < time.Second || fn.Timeout > 900*time.Second || fn.MemorySize < 128 || !logicalID(fn.LogicalID) {
				t.Fatalf("out of bounds: %+v", fn)
			}
			for _, ev := range fn.Events {
				if !ev.IsDefaultRoute() {
					if err := validPath(ev.Path); err != nil {
						t.Fatalf("invalid path kept: %q", ev.Path)
					}
				}
				if !token(ev.Method) {
					t.Fatalf("invalid method kept: %q", ev.Method)
				}
			}
		}
		rt, err := NewRouter(tpl)
		if err == nil {
			rt.Match("GET", "/a/b")
		}
	})
}

// FuzzRouterMatch: matching never panics; a match has the request's
// method (or ANY), the route's segment count (or more, for a greedy
// route), and a non-empty value for every parameter.
func FuzzRouterMatch(f *testing.F) {
	rt, err := NewRouter(routeTemplate(EventHTTP, "Root ANY /", "Proxy ANY /{proxy+}", "U GET /users/{id}",
		"O GET /users/{id}/orders", "M GET /users/me", "F GET /files/{p+}", "X POST /{a}/{b}/x"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"/", "", "/users/1", "/users/%6De", "/files/a/b%2F", "//", "/a/b/x", "/users//orders", "*", "/%zz/%"} {
		f.Add("GET", s)
		f.Add("POST", s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		r, params := rt.Match(method, path)
		if r == nil {
			return
		}
		if r.Event.Method != "ANY" && r.Event.Method != method {
			t.Fatalf("%s %s matched %s", method, path, r.Key())
		}
		segs := 0
		if path != "" && path != "/" {
			segs = strings.Count(path, "/")
		}
		greedy := len(r.segs) > 0 && r.segs[len(r.segs)-1].kind == segGreedy
		if segs != len(r.segs) && !(greedy && segs > len(r.segs)) {
			t.Fatalf("%s %s (%d segments) matched %s", method, path, segs, r.Key())
		}
		for _, p := range params {
			if p.Value == "" {
				t.Fatalf("%s %s: empty parameter %s", method, path, p.Name)
			}
		}
	})
}

// FuzzConvert: any emulator answer becomes a well-formed response or an
// error, for every API kind.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200,"headers":{"a":"b"},"multiValueHeaders":{"c":["d",1,true,null]},"body":"x","isBase64Encoded":false}`,
		`{"statusCode":200,"cookies":["a=1"],"body":"aGk=","isBase64Encoded":true}`,
		`{"errorType":"x","errorMessage":"y"}`, `"str"`, `[1,{"a":2}]`, `null`, `Task timed out`, `{"statusCode":1e3}`,
		`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"iVBORw==","isBase64Encoded":true}`,
	} {
		f.Add(200, []byte(s), "image/png")
	}
	f.Fuzz(func(t *testing.T, status int, out []byte, accept string) {
		for _, ev := range []*Event{restProxy, restPNG, v2Proxy, v1HTTP} {
			resp, err := convert(ev, accept, status, out)
			if err != nil {
				continue
			}
			if resp.status < 100 || resp.status > 599 || resp.header.Get("Content-Type") == "" {
				t.Fatalf("%s: bad response %+v", ev.Name, resp)
			}
			for name, vs := range resp.header {
				if !token(name) {
					t.Fatalf("bad header name %q", name)
				}
				for _, v := range vs {
					if strings.ContainsAny(v, "\r\n\x00") {
						t.Fatalf("bad header value %q", v)
					}
				}
			}
		}
	})
}

// FuzzBuildEvent: every event is valid JSON whose body decodes back to the
// request body.
func FuzzBuildEvent(f *testing.F) {
	f.Add("GET", "/a/b?x=1&x=2&y", "text/plain", "v", []byte("hello"))
	f.Add("POST", "/%zz?%zz=%", "application/octet-stream", "a=1; b", []byte{0, 0xff})
	f.Add("PUT", "/é?\u2028", "application/json", "\x7f", []byte(`{"a":"\u0000"}`))
	f.Fuzz(func(t *testing.T, method, target, contentType, cookie string, body []byte) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !utf8.ValidString(method) {
			return
		}
		req := &http.Request{Method: method, URL: u, Proto: "HTTP/1.1", Host: "127.0.0.1:3000", RemoteAddr: "127.0.0.1:1",
			Header: http.Header{"Content-Type": {contentType}, "Cookie": {cookie}, "X-Raw": {target}}}
		info := requestInfo{port: "3000", requestID: "id", now: eventTime}
		for _, ev := range []*Event{v2Proxy, restProxy, restPNG, v1HTTP} {
			out, err := buildEvent(req, body, ev, routeKey(ev), []Param{{"proxy", target}}, info)
			if err != nil {
				if ev.Type == EventREST && !utf8.Valid(body) {
					continue
				}
				t.Fatalf("%s: %v", ev.Name, err)
			}
			if !json.Valid(out) {
				t.Fatalf("%s: not JSON: %s", ev.Name, out)
			}
			var got struct {
				Body     *string `json:"body"`
				IsBase64 bool    `json:"isBase64Encoded"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			var back []byte
			if got.Body != nil {
				back = []byte(*got.Body)
				if got.IsBase64 {
					if back, err = base64.StdEncoding.DecodeString(*got.Body); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !bytes.Equal(back, body) {
				t.Fatalf("%s: body %q came back as %q", ev.Name, body, back)
			}
		}
	})
}
