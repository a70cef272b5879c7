package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// TestLambdaBackendUnderRIE invokes a real function through backend/lambda:
// the gateway bootstrap itself, running under the Runtime Interface
// Emulator with its own config, is the Lambda backend of an in-process
// gateway. The API Gateway events the backend builds (v1 and v2) must
// carry the path, query, forwarded headers and client IP far enough for
// the inner gateway to route them, and its {statusCode, headers, body}
// answers must be unwrapped into data (krakend-compat §17.11). Error paths
// (function errors, throttling, timeouts) need an Invoke API the emulator
// does not reproduce; the golden cases under testdata/cases/lambda cover
// them with a loopback fake.
func TestLambdaBackendUnderRIE(t *testing.T) {
	rieBin, boot := lamEmulator(t, "GATEWAY_BOOTSTRAP")

	// The inner gateway's own backend.
	type seen struct{ path, query, trace, xff string }
	var mu sync.Mutex
	var got []seen
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Trace"), r.Header.Get("X-Forwarded-For")})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"user":"`+strings.TrimPrefix(r.URL.Path, "/inner/")+`","from":"inner","n":1.50}`)
	}))
	defer inner.Close()

	fnConfig := filepath.Join(t.TempDir(), "function.json")
	if err := os.WriteFile(fnConfig, []byte(fmt.Sprintf(`{"version": 3, "endpoints": [
  {"endpoint": "/hello/{id}", "input_headers": ["X-Trace"], "input_query_strings": ["q"],
   "backend": [{"host": [%q], "url_pattern": "/inner/{id}"}]}]}`, inner.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	fn, err := lamStart(rieBin, boot, []string{"TRIBUTARY_CONFIG=" + fnConfig}, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := fn.close(); err != nil {
			t.Error(err)
		}
	}()

	outer := fmt.Sprintf(`{"version": 3, "endpoints": [
  {"endpoint": "/v2/{id}", "input_headers": ["X-Trace"], "input_query_strings": ["q"], "backend": [{"url_pattern": "/hello/{id}",
    "extra_config": {"backend/lambda": {"function_name": "function", "region": "us-east-1", "endpoint": "http://%[1]s"},
                     "tributary": {"lambda_event": "apigateway-v2"}}}]},
  {"endpoint": "/v1/{id}", "input_headers": ["X-Trace"], "input_query_strings": ["q"], "backend": [{"url_pattern": "/hello/{id}",
    "extra_config": {"backend/lambda": {"function_name": "function", "region": "us-east-1", "endpoint": "http://%[1]s"},
                     "tributary": {"lambda_event": "apigateway-v1"}}}]},
  {"endpoint": "/missing", "backend": [{"url_pattern": "/nowhere",
    "extra_config": {"backend/lambda": {"function_name": "function", "region": "us-east-1", "endpoint": "http://%[1]s"},
                     "tributary": {"lambda_event": "apigateway-v2"}}}]}
]}`, fn.e.Addr)
	cfg, err := config.Load("outer.json", []byte(outer), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	gw := exec.New(p, exec.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	defer gw.Client().CloseIdleConnections()
	h := httpadapter.New(gw, httpadapter.Options{Version: gatewayVersion, Now: func() time.Time { return fixedNow }})

	for _, path := range []string{"/v2/4%202?q=1&drop=x", "/v1/4%202?q=1&drop=x"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "192.0.2.7:4321"
		req.Header.Set("X-Trace", "abc")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.String() != `{"user":"4 2","from":"inner","n":1.50}` {
			t.Errorf("%s: %d %s\nlogs:\n%s", path, rec.Code, rec.Body, logs)
			continue
		}
		if c := rec.Header().Get("X-Tributary-Completed"); c != "true" {
			t.Errorf("%s: completed = %q", path, c)
		}
	}
	mu.Lock()
	if len(got) != 2 {
		t.Fatalf("the inner backend saw %d requests: %+v", len(got), got)
	}
	for i, s := range got {
		if s.path != "/inner/4 2" || s.query != "q=1" || s.trace != "abc" || !strings.Contains(s.xff, "192.0.2.7") {
			t.Errorf("request %d through the function: %+v", i, s)
		}
	}
	mu.Unlock()

	// The inner gateway answers 404 (no route) inside a proxy response:
	// unwrapped, that is a non-2xx backend status, so a failure (502).
	req := httptest.NewRequest(http.MethodGet, "/missing", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var doc struct{ Error string }
	if rec.Code != 502 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Error != "bad_gateway" {
		t.Errorf("/missing: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "invalid status code 404") {
		t.Errorf("the failure is not logged as the unwrapped status:\n%s", logs)
	}
}
