package backend

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// testTimeout bounds every call a test makes.
const testTimeout = 5 * time.Second

// checkLeaks registers goleak.VerifyNone to run after every other cleanup
// of t (cleanups run last-in first-out), so call it first in a test.
func checkLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// newServer starts a loopback server closed at the end of the test.
func newServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// testNetHTTPOnly makes newClient send every call through net/http: TestMain
// sets it for the suite's second pass.
var testNetHTTPOnly bool

// newClient returns a Client in the suite's mode whose idle connections
// close at the end of the test.
func newClient(t testing.TB, o Options) *Client {
	t.Helper()
	o.netHTTPOnly = o.netHTTPOnly || testNetHTTPOnly
	c := NewClient(o)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// mustURL parses s or fails the test.
func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", s, err)
	}
	return u
}

// testCtx is a context bounded by testTimeout.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// gzipped compresses b.
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// get performs a GET of path on s through c.
func get(t testing.TB, c *Client, s *httptest.Server, path string) (*Response, error) {
	t.Helper()
	return c.Do(testCtx(t), &Request{Method: http.MethodGet, URL: mustURL(t, s.URL+path)})
}
