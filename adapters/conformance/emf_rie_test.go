package conformance

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/emf"
)

// emfRIEConfig turns tributary.lambda_metrics on for three endpoints: one
// behind the HTTP cache, one behind a router rate limit of one request,
// one whose second backend fails.
const emfRIEConfig = `{"version": 3, "timeout": "2s",
  "extra_config": {"tributary": {"lambda_metrics": {"namespace": "RIE/Test", "dimensions": ["route", "method"]}}},
  "endpoints": [
    {"endpoint": "/cached/{id}", "backend": [{"host": ["{{b}}"], "url_pattern": "/item/{id}",
      "extra_config": {"qos/http-cache": {}}}]},
    {"endpoint": "/limited", "extra_config": {"qos/ratelimit/router": {"max_rate": 1, "capacity": 1, "every": "1h"}},
     "backend": [{"host": ["{{b}}"], "url_pattern": "/item/9"}]},
    {"endpoint": "/broken", "backend": [{"host": ["{{b}}"], "url_pattern": "/item/1", "group": "ok"},
                                        {"host": ["{{b}}"], "url_pattern": "/fail", "group": "bad"}]}
  ]}`

// TestLambdaMetricsUnderRIE invokes the real gateway function under the
// Runtime Interface Emulator with tributary.lambda_metrics on and parses
// the EMF lines it wrote to stdout: one per invocation, each valid, with
// a cache hit, a rate-limit refusal and an incomplete response counted
// where they happened.
func TestLambdaMetricsUnderRIE(t *testing.T) {
	rieBin, bootstrap := lamEmulator(t, "GATEWAY_BOOTSTRAP")
	var calls atomic.Int32
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`"}`)
	}))
	defer b.Close()
	cfgPath := filepath.Join(t.TempDir(), "tributary.json")
	if err := os.WriteFile(cfgPath, []byte(strings.ReplaceAll(emfRIEConfig, "{{b}}", b.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := lamStart(rieBin, bootstrap, []string{"TRIBUTARY_CONFIG=" + cfgPath}, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			_ = f.close()
		}
	}()

	steps := []struct {
		path   string
		status int
	}{
		{"/cached/7", 200}, // miss: the backend is called
		{"/cached/7", 200}, // hit: answered from the cache
		{"/limited", 200},
		{"/limited", 503}, // the bucket is empty
		{"/broken", 200},  // one backend fails: incomplete
	}
	for i, st := range steps {
		in, err := lamNewInput(&caseRequest{Method: "GET", Path: st.path})
		if err != nil {
			t.Fatal(err)
		}
		ev, excluded := lamRESTEvent(in)
		if excluded != "" {
			t.Fatal(excluded)
		}
		reply, err := f.invoke(ev, 10*time.Second)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got, err := lamDecodeREST(reply)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got.status != st.status {
			t.Fatalf("step %d %s: status %d, want %d: %s", i, st.path, got.status, st.status, got.body)
		}
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("the backend got %d calls, want 4 (cache miss, limited, broken ×2)", n)
	}
	// The emulator copies the function's stdout asynchronously: stop it,
	// which waits for the copy, then read the lines.
	closed = true
	if err := f.close(); err != nil {
		t.Error(err)
	}
	var lines []*emf.Line
	for _, raw := range strings.Split(f.logs.String(), "\n") {
		if !strings.Contains(raw, `"_aws"`) {
			continue
		}
		l, err := emf.Parse([]byte(raw))
		if err != nil {
			t.Fatalf("%v\n%s", err, raw)
		}
		lines = append(lines, l)
	}
	if len(lines) != len(steps) {
		t.Fatalf("%d EMF lines for %d invocations:\n%s", len(lines), len(steps), f.logs.String())
	}
	check := func(i int, want map[string]any) {
		t.Helper()
		l := lines[i]
		for _, d := range l.Directives {
			if d.Namespace != "RIE/Test" {
				t.Errorf("line %d: namespace %q", i, d.Namespace)
			}
		}
		for k, v := range want {
			got, ok := l.Members[k]
			if v == nil {
				if ok {
					t.Errorf("line %d (%s): %s = %v, want absent", i, steps[i].path, k, got)
				}
				continue
			}
			if fmt.Sprint(got) != fmt.Sprint(v) {
				t.Errorf("line %d (%s): %s = %v, want %v", i, steps[i].path, k, got, v)
			}
		}
		if lat, ok := l.Metric("Latency"); !ok || lat < 0 {
			t.Errorf("line %d: Latency %v", i, lat)
		}
	}
	check(0, map[string]any{"Route": "/cached/{id}", "Method": "GET", "StatusCode": 200, "Status2xx": 1,
		"Complete": 1, "CacheHits": 0, "RateLimited": 0, "Backend0": "/item/{id}", "Backend0.CacheHits": 0, "Backend0.Errors": 0})
	check(1, map[string]any{"Route": "/cached/{id}", "Complete": 1, "CacheHits": 1, "Backend0.CacheHits": 1, "Backend0.Errors": 0})
	check(2, map[string]any{"Route": "/limited", "RateLimited": 0, "Complete": 1})
	check(3, map[string]any{"Route": "/limited", "StatusCode": 503, "Status5xx": 1, "Status2xx": 0, "RateLimited": 1,
		"Complete": nil, "CacheHits": nil, "Backend0": nil})
	check(4, map[string]any{"Route": "/broken", "Status2xx": 1, "Complete": 0, "CacheHits": 0,
		"Backend0": "/item/1", "Backend0.Errors": 0, "Backend1": "/fail", "Backend1.Errors": 1})
	// Metric lines go to stdout beside the log lines: each must be a line
	// of its own, as CloudWatch needs.
	for _, raw := range strings.Split(f.logs.String(), "\n") {
		if i := strings.Index(raw, `"_aws"`); i >= 0 && !strings.HasPrefix(raw, `{"_aws"`) {
			t.Errorf("an EMF line does not start the log line: %q", raw)
		}
	}
}
