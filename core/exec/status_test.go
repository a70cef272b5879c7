package exec_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/core/exec"
)

// TestStatusPolicy proves §14.2: all ok → 200 complete (+ cache_ttl), some fail → 200 partial, none → 502, or 504 on a timeout.
func TestStatusPolicy(t *testing.T) {
	cases := []struct {
		name      string
		backends  []upstream
		status    int
		body      string // for 200
		code      string // for gateway errors
		completed string
	}{
		{"one ok", []upstream{answer(200, `{"a":1}`)}, 200, `{"a":1}`, "", "true"},
		{"all ok", []upstream{answer(200, `{"a":1}`), answer(200, `{"b":2}`)}, 200, `{"a":1,"b":2}`, "", "true"},
		{"any 2xx, 204 is {}", []upstream{answer(201, `{"a":1}`), answer(204, ``)}, 200, `{"a":1}`, "", "true"},
		{"empty body and null are {}", []upstream{answer(200, ``), answer(200, `null`)}, 200, `{}`, "", "true"},
		{"one 500", []upstream{answer(200, `{"a":1}`), answer(500, `{"b":2}`)}, 200, `{"a":1}`, "", "false"},
		{"one redirect", []upstream{answer(302, `{"a":1}`), answer(200, `{"b":2}`)}, 200, `{"b":2}`, "", "false"},
		{"one refused", []upstream{refused, answer(200, `{"b":2}`)}, 200, `{"b":2}`, "", "false"},
		{"one hangs", []upstream{answer(200, `{"a":1}`), hang}, 200, `{"a":1}`, "", "false"},
		{"single 404", []upstream{answer(404, `{"a":1}`)}, 502, "", "bad_gateway", "false"},
		{"all non-2xx", []upstream{answer(500, `{}`), answer(404, `{}`)}, 502, "", "bad_gateway", "false"},
		{"all refused", []upstream{refused, refused}, 502, "", "bad_gateway", "false"},
		{"refused and 500", []upstream{refused, answer(500, `{}`)}, 502, "", "bad_gateway", "false"},
		{"single hangs", []upstream{hang}, 504, "", "gateway_timeout", "false"},
		{"all hang", []upstream{hang, hang}, 504, "", "gateway_timeout", "false"},
		{"one hangs, one 500", []upstream{hang, answer(500, `{}`)}, 504, "", "gateway_timeout", "false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			var urls []string
			for _, b := range tc.backends {
				urls = append(urls, b(t))
			}
			gw := gateway(t, fanConfig(`, "timeout": "300ms", "cache_ttl": "30s"`, "", urls...))
			got := get(t, gw, "/x")
			if tc.code != "" {
				wantError(t, got, tc.status, tc.code)
				return
			}
			cc := ""
			if tc.completed == "true" {
				cc = "public, max-age=30"
			}
			want(t, got, tc.status, tc.body, "Content-Type", exec.ContentTypeJSON,
				exec.HeaderCompleted, tc.completed, "Cache-Control", cc)
			if got.Route != "/x" {
				t.Errorf("Route = %q, want /x", got.Route)
			}
		})
	}
}

// TestCacheTTLOffByDefault proves a complete response gets no Cache-Control without cache_ttl.
func TestCacheTTLOffByDefault(t *testing.T) {
	checkLeaks(t)
	gw := gateway(t, fanConfig("", "", jsonBackend(t, 200, `{"a":1}`).URL))
	want(t, get(t, gw, "/x"), 200, `{"a":1}`, exec.HeaderCompleted, "true", "Cache-Control", "")
}

// TestReturnErrorCode proves §14.3 return_error_code: a lone backend's non-2xx status, body only with return_error_msg.
func TestReturnErrorCode(t *testing.T) {
	const rec = `, "extra_config": {"backend/http": {"return_error_code": true}}`
	const msg = `"extra_config": {"router": {"return_error_msg": true}}, `
	teapot := func(t *testing.T) string {
		return newBackend(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("X-Backend-Secret", "s")
			w.WriteHeader(http.StatusTeapot)
			w.Write([]byte("teapot"))
		}).URL
	}
	cases := []struct {
		name     string
		msg      bool
		backends []upstream
		status   int
		body     string
		ctype    string
		code     string // gateway error instead
	}{
		{"status only", false, []upstream{teapot}, 418, "", "", ""},
		{"status and body", true, []upstream{teapot}, 418, "teapot", "text/plain", ""},
		{"empty error body", true, []upstream{answer(503, "")}, 503, "", "application/json", ""},
		{"several backends", false, []upstream{teapot, teapot}, 0, "", "", "bad_gateway"},
		{"decode failure is not a status", false, []upstream{answer(200, `{`)}, 0, "", "", "bad_gateway"},
		{"timeout", false, []upstream{hang}, 0, "", "", "gateway_timeout"},
		{"refused", false, []upstream{refused}, 0, "", "", "bad_gateway"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			var urls []string
			for _, b := range tc.backends {
				urls = append(urls, b(t))
			}
			cfg := fanConfig(`, "timeout": "300ms", "cache_ttl": "30s"`, rec, urls...)
			if tc.msg {
				cfg = strings.Replace(cfg, `{"version": 3, `, `{"version": 3, `+msg, 1)
			}
			got := get(t, gateway(t, cfg), "/x")
			switch tc.code {
			case "":
				want(t, got, tc.status, tc.body, "Content-Type", tc.ctype, exec.HeaderCompleted, "false",
					"Cache-Control", "", "X-Backend-Secret", "")
			case "bad_gateway":
				wantError(t, got, 502, tc.code)
			default:
				wantError(t, got, 504, tc.code)
			}
		})
	}
}

// TestReturnErrorDetails proves §14.3 return_error_details: error data at declaration position, 200 incomplete.
func TestReturnErrorDetails(t *testing.T) {
	checkLeaks(t)
	failed := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`boom "quoted"`))
	})
	ok := jsonBackend(t, 200, `{"a":1}`)
	cfg := `{"version": 3, "endpoints": [{"endpoint": "/x", "cache_ttl": "30s", "backend": [
	  {"host": ["{{failed}}"], "url_pattern": "/f", "target": "data", "group": "g",
	   "extra_config": {"backend/http": {"return_error_details": "svc"}}},
	  {"host": ["{{ok}}"], "url_pattern": "/ok"}]},
	 {"endpoint": "/down", "backend": [
	  {"host": ["{{refused}}"], "url_pattern": "/f", "extra_config": {"backend/http": {"return_error_details": "svc"}}},
	  {"host": ["{{ok}}"], "url_pattern": "/ok"}]},
	 {"endpoint": "/alone", "backend": [
	  {"host": ["{{failed}}"], "url_pattern": "/f", "extra_config": {"backend/http": {"return_error_details": "svc"}}}]}]}`
	gw := gateway(t, cfg, "{{failed}}", failed.URL, "{{ok}}", ok.URL, "{{refused}}", refused(t))

	want(t, get(t, gw, "/x"), 200,
		`{"error_svc":{"http_status_code":500,"http_body":"boom \"quoted\"","http_body_encoding":"text/plain; charset=utf-8"},"a":1}`,
		exec.HeaderCompleted, "false", "Cache-Control", "")
	want(t, get(t, gw, "/down"), 200, `{"a":1}`, exec.HeaderCompleted, "false")
	want(t, get(t, gw, "/alone"), 200,
		`{"error_svc":{"http_status_code":500,"http_body":"boom \"quoted\"","http_body_encoding":"text/plain; charset=utf-8"}}`,
		exec.HeaderCompleted, "false")
}

// TestReturnErrorMsg proves router.return_error_msg switches 502/504 messages between generic and backend errors.
func TestReturnErrorMsg(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprint("return_error_msg=", on), func(t *testing.T) {
			checkLeaks(t)
			cfg := `{"version": 3, "extra_config": {"router": {"return_error_msg": ` + fmt.Sprint(on) + `}}, "endpoints": [
			  {"endpoint": "/502", "backend": [{"host": ["{{err}}"], "url_pattern": "/e"}]},
			  {"endpoint": "/504", "timeout": "300ms", "backend": [{"host": ["{{hang}}"], "url_pattern": "/h"}]}]}`
			gw := gateway(t, cfg, "{{err}}", jsonBackend(t, 500, `{"secret":"internal"}`).URL, "{{hang}}", hang(t))

			m502 := wantError(t, get(t, gw, "/502"), 502, "bad_gateway")
			m504 := wantError(t, get(t, gw, "/504"), 504, "gateway_timeout")
			if got := strings.Contains(m502, "invalid status code 500"); got != on {
				t.Errorf("502 message %q: mentions the status = %v, want %v", m502, got, on)
			}
			if got := strings.Contains(m504, "deadline exceeded"); got != on {
				t.Errorf("504 message %q: mentions the deadline = %v, want %v", m504, got, on)
			}
			if strings.Contains(m502, "internal") {
				t.Errorf("502 message %q leaks the backend body", m502)
			}
		})
	}
}

// TestRouterAnswers proves the router's own answers (404/405/400/301/307, error_body, auto_options) call no backend.
func TestRouterAnswers(t *testing.T) {
	const eps = `"endpoints": [
	  {"endpoint": "/users/{id}", "backend": [{"host": ["{{api}}"], "url_pattern": "/u/{id}"}]},
	  {"endpoint": "/users/{id}", "method": "POST", "backend": [{"host": ["{{api}}"], "url_pattern": "/u/{id}"}]},
	  {"endpoint": "/items", "backend": [{"host": ["{{api}}"], "url_pattern": "/items"}]}]}`
	configs := map[string]string{
		"plain":        `{"version": 3, ` + eps,
		"error_body":   `{"version": 3, "extra_config": {"router": {"error_body": {"404": {"code": 404, "msg": "nope"}, "405": {"allowed": "elsewhere"}}}}, ` + eps,
		"auto_options": `{"version": 3, "extra_config": {"router": {"auto_options": true}}, ` + eps,
	}
	cases := []struct {
		config, method, target string
		status                 int
		code                   string // gateway JSON error, or "" to compare body
		body                   string
		headers                []string
	}{
		{"plain", "GET", "/nothing/here", 404, "not_found", "", []string{"Allow", ""}},
		{"plain", "DELETE", "/users/42", 405, "method_not_allowed", "", []string{"Allow", "GET, POST"}},
		{"plain", "HEAD", "/items", 405, "method_not_allowed", "", []string{"Allow", "GET"}},
		{"plain", "OPTIONS", "/items", 405, "method_not_allowed", "", []string{"Allow", "GET"}},
		{"plain", "get", "/items", 405, "method_not_allowed", "", nil},
		{"plain", "GET", "/Items", 404, "not_found", "", nil},
		{"plain", "GET", "/items//x", 400, "invalid_path", "", nil},
		{"plain", "GET", "/items/?q=1", 301, "", "", []string{"Location", "/items?q=1"}},
		{"plain", "POST", "/users/7/?a=1", 307, "", "", []string{"Location", "/users/7?a=1"}},
		{"error_body", "GET", "/nothing", 404, "", `{"code":404,"msg":"nope"}`,
			[]string{"Content-Type", exec.ContentTypeJSON, exec.HeaderCompleted, "false"}},
		{"error_body", "PUT", "/items", 405, "", `{"allowed":"elsewhere"}`,
			[]string{"Allow", "GET", "Content-Type", exec.ContentTypeJSON, exec.HeaderCompleted, "false"}},
		{"auto_options", "OPTIONS", "/users/7", 200, "", "", []string{"Allow", "GET, POST, OPTIONS"}},
		{"auto_options", "OPTIONS", "/items", 200, "", "", []string{"Allow", "GET, OPTIONS"}},
		{"auto_options", "OPTIONS", "/nowhere", 404, "not_found", "", nil},
		{"auto_options", "DELETE", "/items", 405, "method_not_allowed", "", []string{"Allow", "GET"}},
	}
	checkLeaks(t)
	api, calls := recordingBackend(t, 200, `{"routed":true}`)
	gws := map[string]*exec.Gateway{}
	for name, cfg := range configs {
		gws[name] = gateway(t, cfg, "{{api}}", api.URL)
	}
	for _, tc := range cases {
		t.Run(tc.config+" "+tc.method+" "+tc.target, func(t *testing.T) {
			path, query, _ := strings.Cut(tc.target, "?")
			got := serve(t, gws[tc.config], &exec.Request{Method: tc.method, RawPath: path, RawQuery: query})
			if tc.code != "" {
				wantError(t, got, tc.status, tc.code)
			} else {
				want(t, got, tc.status, tc.body)
			}
			wantHeaders(t, got, tc.headers...)
			if got.Route != "" {
				t.Errorf("Route = %q, want none", got.Route)
			}
		})
	}
	if n := len(calls.all()); n != 0 {
		t.Errorf("the backend was called %d times, want 0", n)
	}
	// The same gateways do route: the backend is reachable.
	want(t, get(t, gws["auto_options"], "/users/7"), 200, `{"routed":true}`)
}
