package exec_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestNoOpBackendUnderJSON proves [H26] (krakend-compat.md §10): a backend
// with encoding "no-op" under a json endpoint is called, its status,
// headers and body are discarded, and it counts as a success with no data.
func TestNoOpBackendUnderJSON(t *testing.T) {
	checkLeaks(t)
	failing := jsonBackend(t, 500, `{"secret":"x"}`)
	data := jsonBackend(t, 200, `{"a":1}`)

	gw := gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/x",
  "backend": [{"host": [%q], "url_pattern": "/", "encoding": "no-op", "target": "secret"}]}]}`, failing.URL))
	want(t, get(t, gw, "/x"), 200, `{}`, "X-Tributary-Completed", "true", "Content-Type", "application/json; charset=utf-8")

	gw = gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/x",
  "backend": [{"host": [%q], "url_pattern": "/", "encoding": "no-op"}, {"host": [%q], "url_pattern": "/"}]}]}`,
		failing.URL, data.URL))
	want(t, get(t, gw, "/x"), 200, `{"a":1}`, "X-Tributary-Completed", "true")

	// The body is discarded, so one over max_response_bytes does not fail
	// the call.
	big := jsonBackend(t, 200, `{"pad":"`+strings.Repeat("x", 4096)+`"}`)
	gw = gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/x",
  "backend": [{"host": [%q], "url_pattern": "/", "encoding": "no-op",
    "extra_config": {"tributary": {"max_response_bytes": 100}}}]}]}`, big.URL))
	want(t, get(t, gw, "/x"), 200, `{}`, "X-Tributary-Completed", "true")

	// Only a transport error or a timeout fails it.
	gw = gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/x",
  "backend": [{"host": [%q], "url_pattern": "/", "encoding": "no-op"}]}]}`, refused(t)))
	wantError(t, get(t, gw, "/x"), 502, "bad_gateway")
}

// TestExplicitEncodingUnderNoOp proves §13: an explicit encoding under
// output_encoding "no-op" is ignored and the response passes through.
func TestExplicitEncodingUnderNoOp(t *testing.T) {
	checkLeaks(t)
	b := jsonBackend(t, 418, `not json at all`)
	gw := gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/x", "output_encoding": "no-op",
  "backend": [{"host": [%q], "url_pattern": "/", "encoding": "json", "allow": ["a"]}]}]}`, b.URL))
	want(t, get(t, gw, "/x"), 418, `not json at all`, "X-Tributary-Completed", "false")
}

// TestBackendTimeout proves the backend timeout (krakend-compat §5, §15): a
// backend's call ends at min(call start + its timeout, the budget), as a
// timeout failure, while the other backends keep the endpoint's budget.
func TestBackendTimeout(t *testing.T) {
	checkLeaks(t)
	h := hangingBackend(t)
	data := jsonBackend(t, 200, `{"a":1}`)
	const bt = 200 * time.Millisecond
	gw := gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/x", "timeout": "5s",
  "backend": [{"host": [%q], "url_pattern": "/", "timeout": "200ms"}, {"host": [%q], "url_pattern": "/"}]}]}`,
		h.URL, data.URL))
	start := time.Now()
	got := get(t, gw, "/x")
	elapsed := time.Since(start)
	want(t, got, 200, `{"a":1}`, "X-Tributary-Completed", "false")
	if elapsed < bt || elapsed > 10*bt {
		t.Errorf("answered after %s, want about the %s backend timeout", elapsed, bt)
	}
	waitFor(t, h.gone, 1, "backend saw the cancellation")

	// Alone, the timed-out backend is a 504, long before the endpoint timeout.
	gw = gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/x", "timeout": "5s",
  "backend": [{"host": [%q], "url_pattern": "/", "timeout": "200ms"}]}]}`, h.URL))
	start = time.Now()
	wantError(t, get(t, gw, "/x"), 504, "gateway_timeout")
	if elapsed := time.Since(start); elapsed > 10*bt {
		t.Errorf("504 after %s, want about %s", elapsed, bt)
	}
	waitFor(t, h.gone, 1, "backend saw the cancellation")

	// The endpoint budget still wins when it ends first.
	gw = gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/x", "timeout": "300ms",
  "backend": [{"host": [%q], "url_pattern": "/", "timeout": "250ms"}, {"host": [%q], "url_pattern": "/"}]}]}`,
		h.URL, h.URL))
	start = time.Now()
	wantError(t, get(t, gw, "/x"), 504, "gateway_timeout")
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("504 after %s, want about 300ms", elapsed)
	}
	waitFor(t, h.gone, 2, "backends saw the cancellation")
}

// TestDisableHostSanitizeBasePath proves §5: with disable_host_sanitize a
// host's base path is kept, and the backend URL is the host followed by the
// rendered url_pattern; hosts without a path still build as usual.
func TestDisableHostSanitizeBasePath(t *testing.T) {
	checkLeaks(t)
	s, rc := recordingBackend(t, 200, `{}`)
	gw := gateway(t, fmt.Sprintf(`{"version": 3, "endpoints": [{"endpoint": "/u/{id}",
  "backend": [{"host": [%q, %q], "url_pattern": "/users/{id}?x=1", "disable_host_sanitize": true}]}]}`,
		s.URL+"/base/v1", s.URL))
	for range 2 {
		want(t, get(t, gw, "/u/a%20b"), 200, `{}`)
	}
	got := map[string]bool{}
	for _, r := range rc.all() {
		got[r.URI] = true
	}
	if len(got) != 2 || !got["/base/v1/users/a%20b?x=1"] || !got["/users/a%20b?x=1"] {
		t.Errorf("backend request URIs %v, want /base/v1/users/a%%20b?x=1 and /users/a%%20b?x=1", got)
	}
}
