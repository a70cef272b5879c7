package conformance

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/adapters/lambdaadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// The security/http and security/cors behaviours that differ by transport
// on purpose, or that the golden-case invariants cannot express: every
// Lambda request counts as HTTPS (no redirect, HSTS sent) while a plain
// HTTP request is redirected; a real TLS connection counts as HTTPS; the
// default preflight status 204 carries no Content-Length; the adapter's
// own early rejections carry the security headers.

// websecHandler compiles cfg (with {{api}} standing for a loopback
// backend that counts its calls) into the handler every transport serves.
func websecHandler(t *testing.T, cfg string) (http.Handler, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(api.Close)
	c, err := config.Load("websec.json", []byte(strings.ReplaceAll(cfg, "{{api}}", api.URL)), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	gw := exec.New(p, exec.Options{})
	t.Cleanup(gw.Client().CloseIdleConnections)
	return httpadapter.New(gw, httpadapter.Options{Logger: slog.New(slog.DiscardHandler)}), &calls
}

const websecRedirectConfig = `{"version": 3,
  "extra_config": {"security/http": {"ssl_redirect": true, "sts_seconds": 600, "frame_deny": true}},
  "endpoints": [{"endpoint": "/items", "backend": [{"host": ["{{api}}"], "url_pattern": "/items"}]}]}`

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func TestWebsecSSLRedirectHTTP(t *testing.T) {
	h, calls := websecHandler(t, websecRedirectConfig)
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{CheckRedirect: noRedirect}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest("POST", srv.URL+"/items/a%20b?q=1&r=%2F", strings.NewReader("{}"))
	req.Host = "api.example.com:8080"
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "https://api.example.com:8080/items/a%20b?q=1&r=%2F" {
		t.Errorf("plain HTTP: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if len(body) != 0 || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("redirect body %q, headers %v", body, resp.Header)
	}
	// The health endpoint is redirected too: the redirect precedes the
	// built-in paths (§8).
	resp, err = client.Get(srv.URL + "/__health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 301 {
		t.Errorf("health over plain HTTP: %d", resp.StatusCode)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("backend called %d times", n)
	}
}

func TestWebsecTLSServerCountsAsHTTPS(t *testing.T) {
	h, calls := websecHandler(t, websecRedirectConfig)
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	resp, err := client.Get(srv.URL + "/items")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") != "max-age=600" {
		t.Errorf("TLS: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if calls.Load() != 1 {
		t.Errorf("backend calls %d, want 1", calls.Load())
	}
}

// lambdaV2Event is a minimal HTTP API v2 event.
func lambdaV2Event(method, path, query string, headers map[string]string) []byte {
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
		"headers": headers, "isBase64Encoded": false,
		"requestContext": map[string]any{
			"accountId": "123456789012", "apiId": "api", "domainName": "gateway.test", "stage": "$default",
			"requestId": "id", "routeKey": "$default", "time": "02/Jan/2025:03:04:05 +0000", "timeEpoch": 1735787045000,
			"http": map[string]any{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
		},
	}
	b, _ := json.Marshal(ev)
	return b
}

func TestWebsecLambdaCountsAsHTTPS(t *testing.T) {
	h, calls := websecHandler(t, websecRedirectConfig)
	a := lambdaadapter.New(h, lambdaadapter.Options{})
	out, err := a.Invoke(context.Background(), lambdaV2Event("GET", "/items", "", map[string]string{"host": "gateway.test"}))
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(out, &reply); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if reply.StatusCode != 200 || reply.Headers["Strict-Transport-Security"] != "max-age=600" {
		t.Errorf("Lambda: %d %v", reply.StatusCode, reply.Headers)
	}
	if calls.Load() != 1 {
		t.Errorf("backend calls %d, want 1", calls.Load())
	}
}

func TestWebsecDefaultPreflightStatus(t *testing.T) {
	h, calls := websecHandler(t, `{"version": 3, "extra_config": {"security/cors": {}, "security/http": {"frame_deny": true}},
  "endpoints": [{"endpoint": "/items", "backend": [{"host": ["{{api}}"], "url_pattern": "/items"}]}]}`)
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("OPTIONS", srv.URL+"/items", nil)
	req.Header.Set("Origin", "https://x.test")
	req.Header.Set("Access-Control-Request-Method", "GET")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 204 || len(body) != 0 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		resp.Header.Get("X-Frame-Options") != "DENY" || len(resp.Header.Values("Vary")) != 3 {
		t.Errorf("preflight: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if calls.Load() != 0 {
		t.Errorf("a preflight reached the backend")
	}
	// The Lambda transport answers the same.
	a := lambdaadapter.New(h, lambdaadapter.Options{})
	out, err := a.Invoke(context.Background(), lambdaV2Event("OPTIONS", "/items", "",
		map[string]string{"host": "gateway.test", "origin": "https://x.test", "access-control-request-method": "GET"}))
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if err := json.Unmarshal(out, &reply); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if reply.StatusCode != 204 || reply.Body != "" || reply.Headers["Access-Control-Allow-Origin"] != "*" {
		t.Errorf("Lambda preflight: %s", out)
	}
}

func TestWebsecEarlyRejectionsCarryHeaders(t *testing.T) {
	h, calls := websecHandler(t, `{"version": 3, "extra_config": {"security/http": {"frame_deny": true, "content_type_nosniff": true},
    "tributary": {"max_request_body_bytes": 10}},
  "endpoints": [{"endpoint": "/items", "backend": [{"host": ["{{api}}"], "url_pattern": "/items"}]}]}`)
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/items", nil)
	req.Header.Add("Authorization", "Bearer a")
	req.Header.Add("Authorization", "Bearer b")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("ambiguous credentials: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = srv.Client().Get(srv.URL + "/" + strings.Repeat("a", 9000))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 414 || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("URI too long: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = srv.Client().Post(srv.URL+"/items", "application/json", strings.NewReader(strings.Repeat("x", 100)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("body too large: %d %v", resp.StatusCode, resp.Header)
	}
	if calls.Load() != 0 {
		t.Errorf("backend called")
	}
}
