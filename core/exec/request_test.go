package exec_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/core/exec"
)

// TestBackendURL proves §6.3–6.4: path params are validated, then escaped into the backend URL.
func TestBackendURL(t *testing.T) {
	checkLeaks(t)
	api, rec := recordingBackend(t, 200, `{}`)
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/users/{id}", "input_query_strings": ["lang"], "backend": [{"host": ["{{api}}"], "url_pattern": "/v1/users/{id}/profile?src=gw"}]},
	  {"endpoint": "/orders/{id}", "backend": [{"host": ["{{api}}"], "url_pattern": "/o?user={id}"}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	cases := []struct {
		target string
		uri    string // what the backend receives; "" → 400 invalid_path
	}{
		{"/users/42?lang=en&other=1", "/v1/users/42/profile?src=gw&lang=en"},
		{"/users/a%20b", "/v1/users/a%20b/profile?src=gw"},
		{"/users/%C3%A9", "/v1/users/%C3%A9/profile?src=gw"},
		{"/users/a;b:c@d", "/v1/users/a%3Bb%3Ac%40d/profile?src=gw"},
		{"/users/..;x", "/v1/users/..%3Bx/profile?src=gw"},
		{"/users/%7Bid%7D", "/v1/users/%7Bid%7D/profile?src=gw"},
		{"/orders/a&b=c%20d", "/o?user=a%26b%3Dc+d"},
		{"/users/a%2Fb", ""},
		{"/users/..", ""},
		{"/users/%2e%2e", ""},
		{"/users/a%3Fx=1", ""},
		{"/users/a%23b", ""},
		{"/users/%5C..%5C", ""},
		{"/users/%00", ""},
		{"/users/a%0d%0ab", ""},
		{"/users/a%252Fb", ""},
		{"/users/%zz", ""},
		{"/users/%C0%AE", ""},
		{"/users/" + strings.Repeat("a", 1024), "/v1/users/" + strings.Repeat("a", 1024) + "/profile?src=gw"},
		{"/users/" + strings.Repeat("a", 1025), ""},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			before := len(rec.all())
			got := get(t, gw, tc.target)
			calls := rec.all()[before:]
			if tc.uri == "" {
				wantError(t, got, 400, "invalid_path")
				if len(calls) != 0 {
					t.Errorf("the backend was called with %s", calls[0].URI)
				}
				return
			}
			want(t, got, 200, `{}`)
			if len(calls) != 1 || calls[0].URI != tc.uri {
				t.Errorf("backend saw %+v, want one call of %s", calls, tc.uri)
			}
		})
	}
}

// TestForwardedQuery proves §7.2: input_query_strings allow-lists and re-encodes the query; bad queries are 400.
func TestForwardedQuery(t *testing.T) {
	checkLeaks(t)
	api, rec := recordingBackend(t, 200, `{}`)
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/none", "backend": [{"host": ["{{api}}"], "url_pattern": "/q"}]},
	  {"endpoint": "/list", "input_query_strings": ["b", "a", "sp"], "backend": [{"host": ["{{api}}"], "url_pattern": "/q"}]},
	  {"endpoint": "/star", "input_query_strings": ["*"], "backend": [{"host": ["{{api}}"], "url_pattern": "/q?a=lit"}]},
	  {"endpoint": "/backend-list", "input_query_strings": ["*"], "backend": [
	    {"host": ["{{api}}"], "url_pattern": "/q", "input_query_strings": ["b"]},
	    {"host": ["{{api}}"], "url_pattern": "/r", "input_query_strings": [""]}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	const q = "?b=2&a=1&c=3&a=0&A=9&sp=x%20y"
	cases := []struct {
		target string
		uris   []string
	}{
		{"/none" + q, []string{"/q"}},
		{"/list" + q, []string{"/q?a=1&a=0&b=2&sp=x+y"}},
		{"/star" + q, []string{"/q?a=lit&A=9&a=1&a=0&b=2&c=3&sp=x+y"}},
		{"/backend-list" + q, []string{"/q?b=2", "/r"}},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			before := len(rec.all())
			want(t, get(t, gw, tc.target), 200, `{}`)
			var uris []string
			for _, s := range rec.all()[before:] {
				uris = append(uris, s.URI)
			}
			if strings.Join(sorted(uris), " ") != strings.Join(sorted(tc.uris), " ") {
				t.Errorf("backends saw %q, want %q", uris, tc.uris)
			}
		})
	}
	for _, bad := range []string{"a=1;b=2", "a=%zz", strings.Repeat("a=1&", 256) + "a=1", "a=" + strings.Repeat("x", 8192)} {
		t.Run(fmt.Sprintf("invalid %.20s", bad), func(t *testing.T) {
			before := len(rec.all())
			got := get(t, gw, "/list?"+bad)
			wantError(t, got, 400, "invalid_query")
			if got.Route != "/list" {
				t.Errorf("Route = %q, want /list", got.Route)
			}
			if n := len(rec.all()) - before; n != 0 {
				t.Errorf("%d backend calls, want 0", n)
			}
		})
	}
	want(t, get(t, gw, "/list?"+strings.Repeat("a=1&", 255)+"a=1"), 200, `{}`) // 256 params are fine
}

// TestForwardedHeaders proves §7.1: only allow-listed client headers reach backends, plus the gateway's own.
func TestForwardedHeaders(t *testing.T) {
	checkLeaks(t)
	api, rec := recordingBackend(t, 200, `{}`)
	cfg := `{"version": 3, "endpoints": [
	  {"endpoint": "/default", "backend": [{"host": ["{{api}}"], "url_pattern": "/h"}]},
	  {"endpoint": "/list", "input_headers": ["X-Keep", "Authorization", "X-Named", "Keep-Alive", "User-Agent", "Accept-Encoding"], "backend": [{"host": ["{{api}}"], "url_pattern": "/h"}]},
	  {"endpoint": "/star", "input_headers": ["*"], "backend": [{"host": ["{{api}}"], "url_pattern": "/h"}]},
	  {"endpoint": "/backend-list", "input_headers": ["X-Keep", "X-Drop"], "backend": [{"host": ["{{api}}"], "url_pattern": "/h", "input_headers": ["X-Keep"]}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	client := http.Header{
		"X-Keep":          {"k1", "k2"},
		"X-Drop":          {"d"},
		"Authorization":   {"Bearer t"},
		"Content-Type":    {"application/json"},
		"Connection":      {"X-Named"},
		"X-Named":         {"n"},
		"Keep-Alive":      {"timeout=5"},
		"X-Forwarded-For": {"6.6.6.6"},
		"X-Real-Ip":       {"6.6.6.6"},
		"X_under":         {"u"},
		"User-Agent":      {"client/1"},
		"Accept-Encoding": {"br"},
	}
	// want lists the headers checked on the backend side ("" = absent).
	cases := []struct {
		path string
		want []string
	}{
		{"/default", []string{"Content-Type", "application/json", "X-Keep", "", "Authorization", "", "User-Agent", "Tributary", "X-Forwarded-Via", ""}},
		{"/list", []string{"X-Keep", "k1,k2", "Authorization", "Bearer t", "X-Drop", "", "Content-Type", "", "X-Named", "", "Keep-Alive", "",
			"User-Agent", "client/1", "X-Forwarded-Via", "Tributary", "Accept-Encoding", "gzip"}},
		{"/star", []string{"X-Keep", "k1,k2", "X-Drop", "d", "Authorization", "Bearer t", "Content-Type", "application/json",
			"X-Named", "", "Keep-Alive", "", "X-Real-Ip", "", "X_under", "", "User-Agent", "client/1"}},
		{"/backend-list", []string{"X-Keep", "k1,k2", "X-Drop", "", "X-Forwarded-For", "", "User-Agent", "Tributary"}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			before := len(rec.all())
			want(t, serve(t, gw, &exec.Request{Method: "GET", RawPath: tc.path, Header: client, Host: "gw.example", ClientIP: "203.0.113.7"}), 200, `{}`)
			calls := rec.all()[before:]
			if len(calls) != 1 {
				t.Fatalf("%d backend calls, want 1", len(calls))
			}
			h := calls[0].Header
			checks := tc.want
			if tc.path != "/backend-list" {
				checks = append(checks, "X-Forwarded-For", "203.0.113.7", "X-Forwarded-Host", "gw.example")
			}
			for i := 0; i < len(checks); i += 2 {
				name, v := checks[i], checks[i+1]
				if got := strings.Join(h.Values(name), ","); got != v {
					t.Errorf("backend header %s = %q, want %q", name, got, v)
				}
			}
		})
	}
	if client.Get("X-Forwarded-For") != "6.6.6.6" || len(client) != 12 {
		t.Errorf("the inbound header was modified: %v", client)
	}
}

// TestRequestBody proves [H15]: every backend receives the whole body with an exact Content-Length.
func TestRequestBody(t *testing.T) {
	checkLeaks(t)
	api, rec := recordingBackend(t, 200, `{}`)
	cfg := `{"version": 3, "endpoints": [{"endpoint": "/in", "method": "POST", "input_headers": ["Content-Type"], "backend": [
	  {"host": ["{{api}}"], "url_pattern": "/a"},
	  {"host": ["{{api}}"], "url_pattern": "/b", "method": "PUT"},
	  {"host": ["{{api}}"], "url_pattern": "/c", "method": "GET", "group": "c"}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	body := strings.Repeat(`{"k":"v"}`, 3000) // 27 000 bytes, several reads
	for _, declared := range []int64{-1, int64(len(body))} {
		before := len(rec.all())
		got := serve(t, gw, &exec.Request{Method: "POST", RawPath: "/in", Body: onlyReader{strings.NewReader(body)}, ContentLength: declared,
			Header: http.Header{"Content-Type": {"application/json"}}})
		want(t, got, 200, `{"c":{}}`, exec.HeaderCompleted, "true")
		calls := rec.all()[before:]
		methods := map[string]bool{}
		for _, c := range calls {
			methods[c.Method] = true
			if string(c.Body) != body || c.ContentLength != int64(len(body)) || c.Chunked {
				t.Errorf("declared %d: %s %s got %d bytes, Content-Length %d, chunked %v; want all %d bytes with their length",
					declared, c.Method, c.URI, len(c.Body), c.ContentLength, c.Chunked, len(body))
			}
		}
		if len(calls) != 3 || !methods["POST"] || !methods["PUT"] || !methods["GET"] {
			t.Errorf("declared %d: backend calls %d (%v), want POST, PUT and GET", declared, len(calls), methods)
		}
	}
}

// TestBodyLimits proves §8 stage 2: bodies over the endpoint or plan cap are 413 with no backend call.
func TestBodyLimits(t *testing.T) {
	checkLeaks(t)
	api, rec := recordingBackend(t, 200, `{"ok":true}`)
	cfg := `{"version": 3, "extra_config": {"tributary": {"max_request_body_bytes": 100}}, "endpoints": [
	  {"endpoint": "/in", "method": "POST", "input_headers": ["Content-Type"], "extra_config": {"tributary": {"max_request_body_bytes": 8}},
	   "backend": [{"host": ["{{api}}"], "url_pattern": "/sink"}]},
	  {"endpoint": "/big", "method": "POST", "backend": [{"host": ["{{api}}"], "url_pattern": "/sink"}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	cases := []struct {
		name, path string
		body       io.Reader
		cl         int64
		status     int
		code       string
		route      string
	}{
		{"at the endpoint cap", "/in", strings.NewReader("12345678"), -1, 200, "", "/in"},
		{"over the endpoint cap, streamed", "/in", strings.NewReader("123456789"), -1, 413, "payload_too_large", "/in"},
		{"over the endpoint cap, declared", "/in", untouchable{t}, 9, 413, "payload_too_large", "/in"},
		{"longer than declared", "/in", strings.NewReader("123456789"), 4, 413, "payload_too_large", "/in"},
		{"at the service cap", "/big", strings.NewReader(strings.Repeat("x", 100)), 100, 200, "", "/big"},
		{"over the service cap, streamed", "/big", strings.NewReader(strings.Repeat("x", 101)), -1, 413, "payload_too_large", ""}, // before routing
		{"over the plan cap, routed path", "/big", untouchable{t}, 101, 413, "payload_too_large", ""},
		{"over the plan cap, unknown path", "/nowhere", untouchable{t}, 1 << 40, 413, "payload_too_large", ""},
		{"under the plan cap, unknown path", "/nowhere", strings.NewReader("x"), 1, 404, "not_found", ""},
		{"client fails mid-body", "/big", io.MultiReader(strings.NewReader("abc"), failing{}), -1, 400, "bad_request", ""}, // read before routing
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(rec.all())
			got := serve(t, gw, &exec.Request{Method: "POST", RawPath: tc.path, Body: tc.body, ContentLength: tc.cl})
			calls := len(rec.all()) - before
			if tc.code == "" {
				want(t, got, tc.status, `{"ok":true}`)
				if calls != 1 {
					t.Errorf("%d backend calls, want 1", calls)
				}
			} else {
				wantError(t, got, tc.status, tc.code)
				if calls != 0 {
					t.Errorf("%d backend calls, want 0", calls)
				}
			}
			if got.Route != tc.route {
				t.Errorf("Route = %q, want %q", got.Route, tc.route)
			}
		})
	}
}

// TestBodyCapBeforeRouting proves the §8 stage order: the body cap (stage 2, 413) comes before routing (5) and validation (6).
func TestBodyCapBeforeRouting(t *testing.T) {
	checkLeaks(t)
	api, rec := recordingBackend(t, 200, `{}`)
	cfg := `{"version": 3, "extra_config": {"tributary": {"max_request_body_bytes": 100}}, "endpoints": [
	  {"endpoint": "/in/{id}", "method": "POST", "extra_config": {"tributary": {"max_request_body_bytes": 8}},
	   "backend": [{"host": ["{{api}}"], "url_pattern": "/sink"}]}]}`
	gw := gateway(t, cfg, "{{api}}", api.URL)
	cases := []struct {
		name, path, query, body string
		cl                      int64
	}{
		{"streamed, over the service cap, unknown path", "/nowhere", "", strings.Repeat("x", 101), -1},
		{"declared, over the endpoint cap, invalid query", "/in/1", "a=1;b=2", "123456789", 9},
		{"declared, over the endpoint cap, invalid param", "/in/a%2Fb", "", "123456789", 9},
		{"streamed, over the endpoint cap, invalid query", "/in/1", "a=1;b=2", "123456789", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := serve(t, gw, &exec.Request{Method: "POST", RawPath: tc.path, RawQuery: tc.query,
				Body: strings.NewReader(tc.body), ContentLength: tc.cl})
			wantError(t, got, 413, "payload_too_large")
		})
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d backend calls, want 0", n)
	}
}
