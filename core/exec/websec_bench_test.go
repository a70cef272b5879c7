package exec_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/tributary-gw/tributary/core/exec"
)

// websecConfig is the demo config with security/cors and security/http
// on at service level.
func websecConfig(tb testing.TB) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(demoConfig()), &m); err != nil {
		tb.Fatal(err)
	}
	extra, _ := m["extra_config"].(map[string]any)
	if extra == nil {
		extra = map[string]any{}
	}
	extra["security/cors"] = map[string]any{
		"allow_origins":  []string{"https://app.example.com", "https://*.example.org"},
		"allow_methods":  []string{"GET", "POST"},
		"expose_headers": []string{"X-Tributary-Completed"},
		"max_age":        "1h",
	}
	extra["security/http"] = map[string]any{
		"allowed_hosts": []string{"gw"}, "frame_deny": true, "content_type_nosniff": true,
		"content_security_policy": "default-src 'none'", "sts_seconds": 31536000, "referrer_policy": "no-referrer",
	}
	m["extra_config"] = extra
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// benchServeOrigin is benchServe for a browser request (with Origin).
func benchServeOrigin(b *testing.B, cfg, path string) {
	gw := newGateway(b, cfg)
	ctx := context.Background()
	h := http.Header{"User-Agent": {"bench"}, "Accept": {"application/json"}, "Origin": {"https://app.example.com"}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp := gw.Serve(ctx, &exec.Request{Method: "GET", RawPath: path, Header: h, Host: "gw", ClientIP: "127.0.0.1", TLS: true})
		if resp.Status != 200 || resp.Len() < 100 {
			b.Fatalf("status %d: %.200s", resp.Status, resp.Bytes())
		}
		b.SetBytes(int64(resp.Len()))
		resp.Release()
	}
}

// BenchmarkServeProxyBrowser is BenchmarkServeProxy for a request that
// carries Origin, without CORS or security headers configured: the
// baseline of BenchmarkServeProxyWebsec.
func BenchmarkServeProxyBrowser(b *testing.B) {
	benchServeOrigin(b, demoConfig(), "/users/42")
}

// BenchmarkServeProxyWebsec is the same request with CORS (an allowed
// origin), the host allow-list and six security headers on.
func BenchmarkServeProxyWebsec(b *testing.B) {
	benchServeOrigin(b, websecConfig(b), "/users/42")
}

// TestServeProxyWebsecHeaders checks what the benchmark measures.
func TestServeProxyWebsecHeaders(t *testing.T) {
	gw := newGateway(t, websecConfig(t))
	h := http.Header{"Origin": {"https://app.example.com"}}
	resp := gw.Serve(context.Background(), &exec.Request{Method: "GET", RawPath: "/users/42", Header: h, Host: "gw", TLS: true})
	defer resp.Release()
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin": "https://app.example.com", "Vary": "Origin",
		"Access-Control-Expose-Headers": "X-Tributary-Completed", "X-Frame-Options": "DENY",
		"Strict-Transport-Security": "max-age=31536000", "X-Tributary-Completed": "true",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	resp2 := gw.Serve(context.Background(), &exec.Request{Method: "GET", RawPath: "/users/42", Header: h, Host: "evil"})
	defer resp2.Release()
	if resp2.Status != 400 || resp2.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("bad host: %d %v", resp2.Status, resp2.Header)
	}
}

// benchServeStatus serves path with an Origin header and expects status:
// without a backend round trip it isolates the gateway's own CPU cost.
func benchServeStatus(b *testing.B, cfg, path string, status int) {
	gw := newGateway(b, cfg)
	ctx := context.Background()
	h := http.Header{"User-Agent": {"bench"}, "Accept": {"application/json"}, "Origin": {"https://app.example.com"}}
	b.ReportAllocs()
	for b.Loop() {
		resp := gw.Serve(ctx, &exec.Request{Method: "GET", RawPath: path, Header: h, Host: "gw", ClientIP: "127.0.0.1", TLS: true})
		if resp.Status != status {
			b.Fatalf("status %d", resp.Status)
		}
		resp.Release()
	}
}

// BenchmarkServeNotFoundBrowser and BenchmarkServeNotFoundWebsec measure
// the in-process cost of the CORS and security/http stages (the
// difference between the two) without backend noise.
func BenchmarkServeNotFoundBrowser(b *testing.B) {
	benchServeStatus(b, demoConfig(), "/no/such/path", http.StatusNotFound)
}

func BenchmarkServeNotFoundWebsec(b *testing.B) {
	benchServeStatus(b, websecConfig(b), "/no/such/path", http.StatusNotFound)
}
