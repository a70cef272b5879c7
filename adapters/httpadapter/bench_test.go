package httpadapter

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkServeHTTP measures the Handler alone (no connection, a
// recorder per request) on requests without a body, the hot path the
// adapter's body handling must not slow down, and on one with a small body
// for comparison.
func BenchmarkServeHTTP(b *testing.B) {
	backend := newCountingBackend(b)
	h, _ := newTestHandler(b, backend, "1048576")
	for _, bc := range []struct {
		name, method, target, body string
		status                     int
	}{
		{"no_body/proxy", http.MethodGet, "/hidden", "", http.StatusOK},
		{"no_body/not_found", http.MethodGet, "/nowhere", "", http.StatusNotFound},
		{"no_body/health", http.MethodGet, "/__health", "", http.StatusOK},
		{"body/proxy", http.MethodPost, "/in", `{"a":1}`, http.StatusOK},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(bc.method, bc.target, nil)
			r.Header = http.Header{"Accept": {"application/json"}, "User-Agent": {"bench"}}
			b.ReportAllocs()
			for b.Loop() {
				if bc.body != "" {
					// Counted in every figure of this case: one reader.
					r.Body = io.NopCloser(strings.NewReader(bc.body))
					r.ContentLength = int64(len(bc.body))
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != bc.status {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
