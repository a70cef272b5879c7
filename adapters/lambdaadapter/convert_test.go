package lambdaadapter

import (
	"encoding/base64"
	"net/http"
	"slices"
	"testing"
)

// want lists the request parts a conversion case checks ("" = must be
// empty, except where noted).
type want struct {
	method, escapedPath, path, rawQuery, requestURI, host, remoteAddr string
	header                                                            http.Header // fields that must be present, exactly
	absent                                                            []string    // fields that must not be present
	body                                                              string
}

func checkSeen(t *testing.T, got seen, w want) {
	t.Helper()
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("Method", got.Method, w.method)
	check("EscapedPath", got.EscapedPath, w.escapedPath)
	if w.path != "" {
		check("URL.Path", got.Path, w.path)
	}
	check("RawQuery", got.RawQuery, w.rawQuery)
	check("RequestURI", got.RequestURI, w.requestURI)
	check("Host", got.Host, w.host)
	check("RemoteAddr", got.RemoteAddr, w.remoteAddr)
	check("Body", string(got.Body), w.body)
	if got.ContentLength != int64(len(w.body)) {
		t.Errorf("ContentLength = %d, want %d", got.ContentLength, len(w.body))
	}
	for k, vs := range w.header {
		if !slices.Equal(got.Header[k], vs) {
			t.Errorf("Header[%q] = %q, want %q", k, got.Header[k], vs)
		}
	}
	for _, k := range w.absent {
		if vs, ok := got.Header[k]; ok {
			t.Errorf("Header[%q] = %q, want absent", k, vs)
		}
	}
	if !got.HasDeadline {
		t.Error("the request context carries no deadline")
	}
}

func TestConvert(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name string
		opts Options
		ev   func() obj
		want want
	}{
		{
			name: "v2 GET",
			ev: func() obj {
				ev := v2Event("GET", "/frontpage/42")
				ev["rawQueryString"] = "locale=es&tag=b&tag=a"
				setHeader(ev, "authorization", "Bearer x")
				return ev
			},
			want: want{method: "GET", escapedPath: "/frontpage/42", rawQuery: "locale=es&tag=b&tag=a",
				requestURI: "/frontpage/42?locale=es&tag=b&tag=a", host: "abc123.execute-api.us-east-1.amazonaws.com",
				remoteAddr: "203.0.113.7:0", header: http.Header{"Authorization": {"Bearer x"}, "User-Agent": {"test"}},
				absent: []string{"Host"}},
		},
		{
			name: "v2 host falls back to domainName",
			ev: func() obj {
				ev := v2Event("GET", "/x")
				delete(ev["headers"].(obj), "host")
				ev["requestContext"].(obj)["domainName"] = "api.example.com"
				return ev
			},
			want: want{method: "GET", escapedPath: "/x", requestURI: "/x", host: "api.example.com", remoteAddr: "203.0.113.7:0"},
		},
		{
			name: "v2 rawPath is decoded (P3): it is re-escaped, never decoded again",
			ev:   func() obj { return v2Event("GET", "/files/a b%25/ü") },
			want: want{method: "GET", escapedPath: "/files/a%20b%2525/%C3%BC", path: "/files/a b%25/ü",
				requestURI: "/files/a%20b%2525/%C3%BC", host: "abc123.execute-api.us-east-1.amazonaws.com", remoteAddr: "203.0.113.7:0"},
		},
		{
			name: "v2 named stage is stripped, then the base path (P4, P6)",
			opts: Options{BasePath: "/v1"},
			ev: func() obj {
				ev := v2Event("GET", "/prod/v1/frontpage/42")
				ev["requestContext"].(obj)["stage"] = "prod"
				return ev
			},
			want: want{method: "GET", escapedPath: "/frontpage/42", requestURI: "/frontpage/42",
				host: "abc123.execute-api.us-east-1.amazonaws.com", remoteAddr: "203.0.113.7:0"},
		},
		{
			name: "v2 $default stage is never stripped",
			ev:   func() obj { return v2Event("GET", "/$default/x") },
			want: want{method: "GET", escapedPath: "/$default/x", requestURI: "/$default/x",
				host: "abc123.execute-api.us-east-1.amazonaws.com", remoteAddr: "203.0.113.7:0"},
		},
		{
			name: "v2 base64 body, IPv6 source, framing headers replaced",
			ev: func() obj {
				ev := v2Event("POST", "/upload")
				ev["body"] = b64([]byte("\x00\x01binary"))
				ev["isBase64Encoded"] = true
				setHeader(ev, "content-length", "999")
				setHeader(ev, "transfer-encoding", "chunked")
				ev["requestContext"].(obj)["http"].(obj)["sourceIp"] = "2001:db8::1"
				return ev
			},
			want: want{method: "POST", escapedPath: "/upload", requestURI: "/upload",
				host: "abc123.execute-api.us-east-1.amazonaws.com", remoteAddr: "[2001:db8::1]:0",
				body: "\x00\x01binary", header: http.Header{"Content-Length": {"8"}}, absent: []string{"Transfer-Encoding"}},
		},
		{
			name: "v2 invalid sourceIp gives no client address",
			ev: func() obj {
				ev := v2Event("GET", "/")
				ev["requestContext"].(obj)["http"].(obj)["sourceIp"] = "test-invoke-source-ip"
				return ev
			},
			want: want{method: "GET", escapedPath: "/", requestURI: "/", host: "abc123.execute-api.us-east-1.amazonaws.com"},
		},
		{
			name: "Function URL keeps the path encoding",
			ev:   func() obj { return urlEvent("GET", "/a%2Fb/c%20d") },
			want: want{method: "GET", escapedPath: "/a%2Fb/c%20d", path: "/a/b/c d", requestURI: "/a%2Fb/c%20d",
				host: "fn123.lambda-url.us-east-1.on.aws", remoteAddr: "203.0.113.7:0"},
		},
		{
			name: "Function URL merges headers.cookie and cookies[] into one Cookie (P2)",
			ev: func() obj {
				ev := urlEvent("GET", "/")
				setHeader(ev, "cookie", "a=1; b=2")
				ev["cookies"] = []string{"b=2", "c=3", "a=1", "c=3"}
				return ev
			},
			want: want{method: "GET", escapedPath: "/", requestURI: "/", host: "fn123.lambda-url.us-east-1.on.aws",
				remoteAddr: "203.0.113.7:0", header: http.Header{"Cookie": {"a=1; b=2; c=3"}}},
		},
		{
			name: "REST v1: path, sorted escaped query, multi-value headers",
			ev: func() obj {
				ev := v1Event("GET", "/frontpage/42")
				ev["multiValueQueryStringParameters"] = obj{"tag": []string{"b", "a"}, "locale": []string{"es"}, "q": []string{"a b&c"}}
				ev["queryStringParameters"] = obj{"tag": "a", "locale": "es", "q": "a b&c"}
				setHeader(ev, "Accept", "text/html", "application/json")
				return ev
			},
			want: want{method: "GET", escapedPath: "/frontpage/42", rawQuery: "locale=es&q=a+b%26c&tag=b&tag=a",
				requestURI: "/frontpage/42?locale=es&q=a+b%26c&tag=b&tag=a", host: "api.example.com", remoteAddr: "198.51.100.9:0",
				header: http.Header{"Accept": {"text/html", "application/json"}}, absent: []string{"Host"}},
		},
		{
			name: "REST v1 routes on path, not requestContext.path (P5); base path trimmed (P6)",
			opts: Options{BasePath: "api"},
			ev: func() obj {
				ev := v1Event("POST", "/api/users/7")
				ev["requestContext"].(obj)["path"] = "/prod/api/users/7"
				ev["body"] = `{"name":"x"}`
				return ev
			},
			want: want{method: "POST", escapedPath: "/users/7", requestURI: "/users/7", host: "api.example.com",
				remoteAddr: "198.51.100.9:0", body: `{"name":"x"}`},
		},
		{
			name: "REST v1 headers map when multiValueHeaders is null; host from domainName; base64 body",
			ev: func() obj {
				ev := v1Event("PUT", "/x%20y")
				ev["multiValueHeaders"] = nil
				ev["headers"] = obj{"X-One": "1"}
				ev["body"] = b64([]byte("hello"))
				ev["isBase64Encoded"] = true
				return ev
			},
			want: want{method: "PUT", escapedPath: "/x%20y", requestURI: "/x%20y", host: "abc123.execute-api.us-east-1.amazonaws.com",
				remoteAddr: "198.51.100.9:0", body: "hello", header: http.Header{"X-One": {"1"}}},
		},
		{
			name: "REST v1 queryStringParameters when there is no multi-value map",
			ev: func() obj {
				ev := v1Event("GET", "/")
				ev["queryStringParameters"] = obj{"b": "2", "a": "1"}
				return ev
			},
			want: want{method: "GET", escapedPath: "/", rawQuery: "a=1&b=2", requestURI: "/?a=1&b=2", host: "api.example.com", remoteAddr: "198.51.100.9:0"},
		},
		{
			name: "ALB single-value: verbatim sorted query (P7, P11), host from headers, rightmost X-Forwarded-For",
			ev: func() obj {
				ev := albEvent("GET", "/frontpage/42", false)
				ev["queryStringParameters"] = obj{"q": "hello%20there", "a": "%C3%BC"}
				return ev
			},
			want: want{method: "GET", escapedPath: "/frontpage/42", rawQuery: "a=%C3%BC&q=hello%20there",
				requestURI: "/frontpage/42?a=%C3%BC&q=hello%20there", host: "alb.example.com", remoteAddr: "198.51.100.20:0",
				header: http.Header{"X-Forwarded-For": {"192.0.2.1, 198.51.100.20"}}},
		},
		{
			name: "ALB multi-value: host from multiValueHeaders (P8), repeated values kept in order",
			opts: Options{BasePath: "/v1/"},
			ev: func() obj {
				ev := albEvent("DELETE", "/v1/items/%7Bx%7D", true)
				ev["multiValueQueryStringParameters"] = obj{"k": []string{"2", "1"}}
				return ev
			},
			want: want{method: "DELETE", escapedPath: "/items/%7Bx%7D", rawQuery: "k=2&k=1",
				requestURI: "/items/%7Bx%7D?k=2&k=1", host: "alb.example.com", remoteAddr: "198.51.100.20:0"},
		},
		{
			name: "ALB without X-Forwarded-For has no client address",
			ev: func() obj {
				ev := albEvent("GET", "/", false)
				ev["headers"] = obj{"host": "alb.example.com"}
				return ev
			},
			want: want{method: "GET", escapedPath: "/", requestURI: "/", host: "alb.example.com"},
		},
		{
			name: "the root path passes as / (P10)",
			opts: Options{BasePath: "/v1"},
			ev:   func() obj { return v2Event("GET", "/v1") },
			want: want{method: "GET", escapedPath: "/", requestURI: "/", host: "abc123.execute-api.us-east-1.amazonaws.com", remoteAddr: "203.0.113.7:0"},
		},
		{
			name: "the base path is stripped only at a segment boundary",
			opts: Options{BasePath: "/api"},
			ev:   func() obj { return albEvent("GET", "/apiary/x", false) },
			want: want{method: "GET", escapedPath: "/apiary/x", requestURI: "/apiary/x", host: "alb.example.com", remoteAddr: "198.51.100.20:0"},
		},
		{
			name: "lower-case method is passed as sent (the router refuses it, as in server mode)",
			ev:   func() obj { return v1Event("get", "/") },
			want: want{method: "get", escapedPath: "/", requestURI: "/", host: "api.example.com", remoteAddr: "198.51.100.9:0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			a := New(rec, tt.opts)
			r := handleReply(t, a, mustJSON(t, tt.ev()))
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d, body %s", r.StatusCode, r.Body)
			}
			checkSeen(t, rec.last(t), tt.want)
		})
	}
}

func TestConvertHEAD(t *testing.T) {
	for name, ev := range map[string]obj{
		"v2":  v2Event("HEAD", "/x"),
		"v1":  v1Event("HEAD", "/x"),
		"alb": albEvent("HEAD", "/x", false),
		"url": urlEvent("HEAD", "/x"),
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{}
			r := handleReply(t, New(rec, Options{}), mustJSON(t, ev))
			if got := rec.last(t).Method; got != "HEAD" {
				t.Errorf("method %q", got)
			}
			if r.StatusCode != 200 || r.Body != "" {
				t.Errorf("HEAD reply: status %d body %q, want 200 and no body", r.StatusCode, r.Body)
			}
			if ct := r.header("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}
