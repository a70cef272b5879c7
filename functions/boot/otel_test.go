package boot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tributary-gw/tributary/functions/boot"
	"github.com/tributary-gw/tributary/local/rie"
)

// spanCounter is an OTLP/HTTP trace receiver that counts the spans it
// decodes.
type spanCounter struct{ spans atomic.Int64 }

func (c *spanCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/v1/traces" {
		var m coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &m); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for _, rs := range m.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				c.spans.Add(int64(len(ss.GetSpans())))
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// otelFunctionConfig writes a config with an OTLP/HTTP exporter to
// collector and one endpoint /p calling backend, and returns its path.
func otelFunctionConfig(t *testing.T, collector, backend string, extra string) string {
	t.Helper()
	host, port, _ := strings.Cut(strings.TrimPrefix(collector, "http://"), ":")
	src := fmt.Sprintf(`{"version": 3, "name": "fn", "extra_config": {"telemetry/opentelemetry": {
  "metric_reporting_period": 3600,
  "exporters": {"otlp": [{"name": "c", "host": %q, "port": %s, "use_http": true}]%s}}},
 "endpoints": [{"endpoint": "/p", "backend": [{"host": [%q], "url_pattern": "/x"}]}]}`, host, port, extra, backend)
	path := filepath.Join(t.TempDir(), "gateway.json")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLambdaRefusesPrometheus: a function cannot serve a second listener,
// so a Prometheus exporter fails init with a message saying so.
func TestLambdaRefusesPrometheus(t *testing.T) {
	cfg := otelFunctionConfig(t, "http://127.0.0.1:9", "http://127.0.0.1:9",
		`, "prometheus": [{"name": "scrape", "port": 9091}]`)
	_, err := boot.New([]string{boot.EnvConfig + "=" + cfg}, io.Discard, boot.Options{})
	if err == nil || !strings.Contains(err.Error(), `Prometheus exporter "scrape"`) || !strings.Contains(err.Error(), "Lambda function") {
		t.Fatalf("err = %v, want the Prometheus refusal", err)
	}
}

// TestLambdaFlushesSpans: in process, each invoke sends its spans before
// returning, without any background export interval elapsing.
func TestLambdaFlushesSpans(t *testing.T) {
	var spans spanCounter
	collector := httptest.NewServer(&spans)
	defer collector.Close()
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer be.Close()
	a, err := boot.New([]string{boot.EnvConfig + "=" + otelFunctionConfig(t, collector.URL, be.URL, "")}, io.Discard, boot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := invoke(t, a, v2Event("GET", "/p", ""))
	if err != nil || !strings.Contains(string(out), `"statusCode":200`) {
		t.Fatalf("invoke: %s, %v", out, err)
	}
	if n := spans.spans.Load(); n != 3 {
		t.Fatalf("the collector had %d spans when the invoke returned, want 3 (global, proxy, backend)", n)
	}
}

// TestLambdaFlushUnderEmulator runs the gateway function under the
// Runtime Interface Emulator: the spans of an invocation reach the
// collector before the invocation's reply does.
func TestLambdaFlushUnderEmulator(t *testing.T) {
	// make test sets both; its host bootstrap is built without lean tags,
	// so it includes OpenTelemetry.
	rieBin, bootstrap := os.Getenv("RIE_BIN"), os.Getenv("GATEWAY_BOOTSTRAP")
	if rieBin == "" || bootstrap == "" {
		t.Skip("RIE_BIN and GATEWAY_BOOTSTRAP unset (make test sets them)")
	}
	var spans spanCounter
	collector := httptest.NewServer(&spans)
	defer collector.Close()
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer be.Close()
	cfg := otelFunctionConfig(t, collector.URL, be.URL, "")
	logs := &syncWriter{b: &strings.Builder{}}
	e, err := rie.Start(rie.Options{RIE: rieBin, Bootstrap: bootstrap, Env: []string{boot.EnvConfig + "=" + cfg},
		Timeout: 5 * time.Second, Output: logs})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i := 1; i <= 2; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		status, reply, err := e.Invoke(ctx, []byte(v2Event("GET", "/p", "")))
		cancel()
		if err != nil || status != 200 {
			t.Fatalf("invoke %d: %d %s %v\n%s", i, status, reply, err, logs.String())
		}
		var r struct {
			StatusCode int `json:"statusCode"`
		}
		if err := json.Unmarshal(reply, &r); err != nil || r.StatusCode != 200 {
			t.Fatalf("invoke %d: reply %s", i, reply)
		}
		if n := spans.spans.Load(); n != int64(3*i) {
			t.Fatalf("after invoke %d the collector had %d spans, want %d: spans must be sent before the reply", i, n, 3*i)
		}
	}
}

// syncWriter serialises writes to b: the emulator's and the function's
// output arrive from two goroutines.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
