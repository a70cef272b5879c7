package exec_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/exec"
)

// countingBackend answers the n-th request (1-based) it receives with
// h(n, w, r).
func countingBackend(t *testing.T, h func(n int64, w http.ResponseWriter, r *http.Request)) (url string, count *atomic.Int64) {
	t.Helper()
	count = &atomic.Int64{}
	s := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		h(count.Add(1), w, r)
	})
	return s.URL, count
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// TestConcurrentCallsFirstSuccessWins: of three identical calls, the first
// two fail and the third succeeds; the backend succeeds (§12.4).
func TestConcurrentCallsFirstSuccessWins(t *testing.T) {
	checkLeaks(t)
	url, count := countingBackend(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		if n <= 2 {
			writeJSON(w, http.StatusInternalServerError, `{"n":"fail"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"n":"ok"}`)
	})
	gw := gateway(t, fanConfig(`, "concurrent_calls": 3, "cache_ttl": "60s"`, "", url))
	want(t, get(t, gw, "/x"), 200, `{"n":"ok"}`, exec.HeaderCompleted, "true", "Cache-Control", "public, max-age=60")
	if n := count.Load(); n != 3 {
		t.Errorf("the backend received %d calls, want 3", n)
	}
}

// TestConcurrentCallsLosersCancelled: the first answer wins and the other
// copies, still waiting, are cancelled.
func TestConcurrentCallsLosersCancelled(t *testing.T) {
	checkLeaks(t)
	gone := make(chan struct{}, 8)
	arrived := make(chan struct{}, 8)
	url, _ := countingBackend(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			// Answer only once every copy has arrived, so that the other
			// copies are in flight when the winner is known.
			for range 2 {
				select {
				case <-arrived:
				case <-time.After(testTimeout):
				}
			}
			writeJSON(w, http.StatusOK, `{"winner":true}`)
			return
		}
		notify(arrived)
		<-r.Context().Done()
		notify(gone)
	})
	gw := gateway(t, fanConfig(`, "concurrent_calls": 3`, "", url))
	want(t, get(t, gw, "/x"), 200, `{"winner":true}`, exec.HeaderCompleted, "true")
	waitFor(t, gone, 2, "cancelled losers")
}

// TestConcurrentCallsAllFail: when every copy fails the backend fails;
// every copy was sent.
func TestConcurrentCallsAllFail(t *testing.T) {
	checkLeaks(t)
	url, count := countingBackend(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusInternalServerError, `{}`)
	})
	gw := gateway(t, fanConfig(`, "concurrent_calls": 4`, "", url))
	wantError(t, get(t, gw, "/x"), 502, "bad_gateway")
	if n := count.Load(); n != 4 {
		t.Errorf("the backend received %d calls, want 4", n)
	}
}

// TestConcurrentCallsAllTimeOut: copies that hang until the budget ends
// make a timeout (504), and the call ends with the budget.
func TestConcurrentCallsAllTimeOut(t *testing.T) {
	checkLeaks(t)
	h := hangingBackend(t)
	gw := gateway(t, `{"version": 3, "endpoints": [{"endpoint": "/x", "timeout": "300ms", "concurrent_calls": 2,
		"backend": [{"host": ["`+h.URL+`"], "url_pattern": "/a"}]}]}`)
	wantError(t, get(t, gw, "/x"), 504, "gateway_timeout")
	waitFor(t, h.gone, 2, "copies cancelled at the budget")
}

// TestConcurrentCallsErrorDetails: when every copy fails with a status,
// the backend's error data comes from one of them and the response is a
// partial 200, as with a single call.
func TestConcurrentCallsErrorDetails(t *testing.T) {
	checkLeaks(t)
	bad := jsonBackend(t, 404, `{"missing":true}`)
	good := jsonBackend(t, 200, `{"a":1}`)
	gw := gateway(t, `{"version": 3, "endpoints": [{"endpoint": "/x", "concurrent_calls": 3, "backend": [
		{"host": ["`+good.URL+`"], "url_pattern": "/a"},
		{"host": ["`+bad.URL+`"], "url_pattern": "/b", "extra_config": {"backend/http": {"return_error_details": "b"}}}]}]}`)
	got := get(t, gw, "/x")
	want(t, got, 200, `{"a":1,"error_b":{"http_status_code":404,"http_body":"{\"missing\":true}","http_body_encoding":"application/json"}}`,
		exec.HeaderCompleted, "false")
}

// TestConcurrentCallsSeveralBackends: every backend gets its own copies,
// each copy a whole request (body and headers included).
func TestConcurrentCallsSeveralBackends(t *testing.T) {
	checkLeaks(t)
	a, ra := recordingBackend(t, 500, `{}`)
	b, rb := recordingBackend(t, 500, `{}`)
	gw := gateway(t, `{"version": 3, "endpoints": [{"endpoint": "/x", "concurrent_calls": 2, "input_headers": ["X-Trace"],
		"backend": [{"host": ["`+a.URL+`"], "url_pattern": "/a"}, {"host": ["`+b.URL+`"], "url_pattern": "/b"}]}]}`)
	wantError(t, serve(t, gw, &exec.Request{Method: "GET", RawPath: "/x", Header: http.Header{"X-Trace": {"t1"}}}), 502, "bad_gateway")
	for name, rc := range map[string]*recorder{"a": ra, "b": rb} {
		reqs := rc.all()
		if len(reqs) != 2 {
			t.Errorf("backend %s received %d calls, want 2", name, len(reqs))
		}
		for _, r := range reqs {
			if r.Header.Get("X-Trace") != "t1" || !strings.HasPrefix(r.URI, "/"+name) {
				t.Errorf("backend %s got %s with X-Trace %q", name, r.URI, r.Header.Get("X-Trace"))
			}
		}
	}
}

// BenchmarkServeConcurrentCalls is BenchmarkServeProxy's kind of request
// with concurrent_calls 3: three loopback calls, the first answer wins.
func BenchmarkServeConcurrentCalls(b *testing.B) {
	gw := newGateway(b, `{"version": 3, "endpoints": [{"endpoint": "/users/{id}", "concurrent_calls": 3,
		"backend": [{"host": ["{{users}}"], "url_pattern": "/users/{id}"}]}]}`)
	benchServe(b, gw, "/users/42", 100)
}

// BenchmarkServeShadow is one backend plus one shadow of the same
// backend (server mode: the response does not wait for the shadow).
func BenchmarkServeShadow(b *testing.B) {
	gw := newGateway(b, `{"version": 3, "endpoints": [{"endpoint": "/users/{id}", "backend": [
		{"host": ["{{users}}"], "url_pattern": "/users/{id}"},
		{"host": ["{{users}}"], "url_pattern": "/users/{id}", "extra_config": {"proxy": {"shadow": true}}}]}]}`)
	benchServe(b, gw, "/users/42", 100)
	b.StopTimer()
	if err := gw.WaitShadows(context.Background()); err != nil {
		b.Fatal(err)
	}
}
