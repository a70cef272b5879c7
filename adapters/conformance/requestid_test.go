package conformance

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/telemetry"
)

// requestIDPlaceholder stands for a generated request id when two answers
// are compared: each answer carries its own fresh id.
const requestIDPlaceholder = "<request-id>"

// lamNormalizeRequestID replaces the echoed request id of both answers
// with a placeholder when each carries one valid id and the two differ, so
// that two runs of the same case compare equal. An id the client sent
// comes back unchanged in both and is compared as is; any other
// difference (an id on one answer only) is left for the comparison.
func lamNormalizeRequestID(t *testing.T, want, got http.Header) {
	t.Helper()
	const name = "X-Request-Id"
	w, g := want[name], got[name]
	if len(w) != 1 || len(g) != 1 || w[0] == g[0] {
		return
	}
	if !telemetry.ValidRequestID(w[0]) || !telemetry.ValidRequestID(g[0]) {
		t.Errorf("%s: %q and %q, want valid request ids", name, w[0], g[0])
		return
	}
	want[name], got[name] = []string{requestIDPlaceholder}, []string{requestIDPlaceholder}
}

// ridRIEConfig forwards request ids and has one endpoint whose backend
// answers and one whose backend refuses connections.
const ridRIEConfig = `{"version": 3, "timeout": "2s",
  "extra_config": {"tributary": {"request_id": {"forward": true}}},
  "endpoints": [
    {"endpoint": "/ok", "backend": [{"host": ["{{b}}"], "url_pattern": "/item"}]},
    {"endpoint": "/down", "backend": [{"host": ["{{refused}}"], "url_pattern": "/item"}]}
  ]}`

// TestRequestIDUnderRIE invokes the real gateway function under the
// Runtime Interface Emulator: a client id comes back and reaches the
// backend, a generated one comes back too, and the function's log lines
// (access and backend failure) carry the same id, the query redacted.
func TestRequestIDUnderRIE(t *testing.T) {
	rieBin, bootstrap := lamEmulator(t, "GATEWAY_BOOTSTRAP")
	var mu sync.Mutex
	var seen []string
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Values("X-Request-Id")...)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	_ = ln.Close()
	cfg := strings.NewReplacer("{{b}}", b.URL, "{{refused}}", refused).Replace(ridRIEConfig)
	cfgPath := filepath.Join(t.TempDir(), "tributary.json")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
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

	invoke := func(req *caseRequest, event func(*lamInput) ([]byte, string), decode func([]byte) (*observed, error)) *observed {
		t.Helper()
		in, err := lamNewInput(req)
		if err != nil {
			t.Fatal(err)
		}
		ev, excluded := event(in)
		if excluded != "" {
			t.Fatal(excluded)
		}
		reply, err := f.invoke(ev, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decode(reply)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// REST v1 (through the API proxy library) with the client's id.
	got := invoke(&caseRequest{Method: "GET", Path: "/ok?token=s3cr3t", // REST re-encodes a query: one parameter keeps it stable
		Headers: map[string]headerValues{"X-Request-Id": {values: []string{"rie-client-1"}}}}, lamRESTEvent, lamDecodeREST)
	if got.status != 200 || got.header.Get("X-Request-Id") != "rie-client-1" {
		t.Fatalf("REST: status %d, X-Request-Id %q", got.status, got.header.Get("X-Request-Id"))
	}
	// HTTP API v2 without an id: a generated one, in the failure line too.
	got = invoke(&caseRequest{Method: "GET", Path: "/down"}, lamV2Event, lamDecodeV2)
	generated := got.header.Get("X-Request-Id")
	if got.status != 502 || !telemetry.ValidRequestID(generated) || len(generated) != 36 {
		t.Fatalf("HTTP API: status %d, X-Request-Id %q", got.status, generated)
	}
	mu.Lock()
	if len(seen) != 1 || seen[0] != "rie-client-1" {
		t.Errorf("the backend saw X-Request-Id %q, want [rie-client-1]", seen)
	}
	mu.Unlock()

	closed = true
	if err := f.close(); err != nil {
		t.Error(err)
	}
	out := f.logs.String()
	if strings.Contains(out, "s3cr3t") {
		t.Fatalf("the token was logged:\n%s", out)
	}
	var access, failed []map[string]any
	for _, raw := range strings.Split(out, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(strings.TrimSpace(raw)), &m) != nil {
			continue
		}
		switch m["msg"] {
		case "request":
			access = append(access, m)
		case "backend failed":
			failed = append(failed, m)
		}
	}
	if len(access) != 2 || len(failed) != 1 {
		t.Fatalf("%d access lines, %d failure lines:\n%s", len(access), len(failed), out)
	}
	want := []map[string]any{
		{"route": "/ok", "request_id": "rie-client-1", "query": "token=" + telemetry.Redacted, "status": 200.0,
			"complete": true, "backends": 1.0},
		{"route": "/down", "request_id": generated, "status": 502.0, "complete": false, "backends": 1.0},
	}
	for i, w := range want {
		for k, v := range w {
			if access[i][k] != v {
				t.Errorf("access line %d: %s = %#v, want %#v", i, k, access[i][k], v)
			}
		}
		if id, _ := access[i]["requestId"].(string); id == "" {
			t.Errorf("access line %d has no Lambda requestId: %v", i, access[i])
		}
	}
	if failed[0]["request_id"] != generated {
		t.Errorf("backend failed line: request_id %v, want %q", failed[0]["request_id"], generated)
	}
}
