package conformance

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// Traffic-control sequences (krakend-compat §17.4–§17.6): rate limits and
// circuit breakers keep state across requests, so each scenario sends a
// series of requests to one gateway (one server, or one warm Lambda
// execution environment) and checks every answer. The same scenario runs
// through the HTTP server and through the real gateway bootstrap under the
// Runtime Interface Emulator (REST v1 events).

// qosBackend is a loopback backend whose status can be changed between
// requests; it counts the requests of each path.
type qosBackend struct {
	*httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	calls  map[string]int
}

func newQoSBackend(t *testing.T) *qosBackend {
	b := &qosBackend{calls: map[string]int{}}
	b.status.Store(200)
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.calls[r.URL.Path]++
		b.mu.Unlock()
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		status := int(b.status.Load())
		if r.URL.Path == "/ok" {
			status = 200
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"`+strings.TrimPrefix(r.URL.Path, "/")+`":true}`)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *qosBackend) count(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[path]
}

// qosStep is one request of a scenario and what it must get.
type qosStep struct {
	backendStatus int           // set the backend's status first (0: keep)
	sleep         time.Duration // wait first (a breaker timeout)
	req           caseRequest
	status        int
	code          string            // the gateway error code, "" when not an error body
	headers       map[string]string // exact value; "" means absent
	body          string            // exact body, "" not checked
	calls         map[string]int    // backend requests so far, by path
}

type qosScenario struct {
	name   string
	config string // "{{b}}" stands for the backend's URL
	steps  []qosStep
}

var qosScenarios = []qosScenario{
	{
		name: "endpoint_bucket_503",
		config: `{"version": 3, "endpoints": [{"endpoint": "/x", "backend": [{"host": ["{{b}}"], "url_pattern": "/a"}],
  "extra_config": {"qos/ratelimit/router": {"max_rate": 2, "every": "1m", "capacity": 2}}}]}`,
		steps: []qosStep{
			{req: caseRequest{Path: "/x"}, status: 200, headers: map[string]string{"Retry-After": ""}, calls: map[string]int{"/a": 1}},
			{req: caseRequest{Path: "/x"}, status: 200, calls: map[string]int{"/a": 2}},
			{req: caseRequest{Path: "/x"}, status: 503, code: "rate_limited",
				headers: map[string]string{"Retry-After": "30", "X-Tributary-Completed": "false"}, calls: map[string]int{"/a": 2}},
		},
	},
	{
		// The client bucket is checked first: refusals by it take no
		// endpoint token (three refusals, then a second client still
		// finds the endpoint's second token).
		name: "client_bucket_429_before_endpoint",
		config: `{"version": 3, "endpoints": [{"endpoint": "/x", "backend": [{"host": ["{{b}}"], "url_pattern": "/a"}],
  "extra_config": {"qos/ratelimit/router": {"max_rate": 2, "every": "1h", "capacity": 2, "client_max_rate": 1, "strategy": "header", "key": "X-Api-Key"}}}]}`,
		steps: []qosStep{
			{req: qosReq("/x", "X-Api-Key", "one"), status: 200, calls: map[string]int{"/a": 1}},
			{req: qosReq("/x", "X-Api-Key", "one"), status: 429, code: "rate_limited", headers: map[string]string{"Retry-After": "3600"}},
			{req: qosReq("/x", "X-Api-Key", "one"), status: 429, code: "rate_limited"},
			{req: qosReq("/x", "X-Api-Key", "one"), status: 429, code: "rate_limited"},
			{req: caseRequest{Path: "/x"}, status: 429, code: "rate_limited", headers: map[string]string{"Retry-After": "3600"}},
			{req: qosReq("/x", "X-Api-Key", "two"), status: 200, calls: map[string]int{"/a": 2}},
			{req: qosReq("/x", "X-Api-Key", "three"), status: 503, code: "rate_limited", calls: map[string]int{"/a": 2}},
		},
	},
	{
		// A limited backend is a failed backend: partial data when another
		// one answered, 502 when none did; and the call is not made.
		name: "proxy_limit_partial_and_502",
		config: `{"version": 3, "endpoints": [
  {"endpoint": "/two", "backend": [
    {"host": ["{{b}}"], "url_pattern": "/a", "extra_config": {"qos/ratelimit/proxy": {"max_rate": 1, "capacity": 1, "every": "1h"}}},
    {"host": ["{{b}}"], "url_pattern": "/ok"}]},
  {"endpoint": "/one", "backend": [
    {"host": ["{{b}}"], "url_pattern": "/c", "extra_config": {"qos/ratelimit/proxy": {"max_rate": 1, "capacity": 1, "every": "1h"}}}]}]}`,
		steps: []qosStep{
			{req: caseRequest{Path: "/two"}, status: 200, headers: map[string]string{"X-Tributary-Completed": "true"}, body: `{"a":true,"ok":true}`},
			{req: caseRequest{Path: "/two"}, status: 200, headers: map[string]string{"X-Tributary-Completed": "false", "Retry-After": ""},
				body: `{"ok":true}`, calls: map[string]int{"/a": 1, "/ok": 2}},
			{req: caseRequest{Path: "/one"}, status: 200, calls: map[string]int{"/c": 1}},
			{req: caseRequest{Path: "/one"}, status: 502, code: "bad_gateway", calls: map[string]int{"/c": 1}},
		},
	},
	{
		// closed → open after more than max_errors consecutive 5xx; open
		// fails the backend without calling it; after the timeout one
		// probe: a failed probe reopens, a good one closes. 4xx never
		// counts.
		name: "breaker_cycle",
		config: `{"version": 3, "endpoints": [{"endpoint": "/x", "backend": [{"host": ["{{b}}"], "url_pattern": "/a",
  "extra_config": {"qos/circuit-breaker": {"interval": 60, "timeout": 1, "max_errors": 1, "name": "a", "log_status_change": true}}}]}]}`,
		steps: []qosStep{
			{backendStatus: 429, req: caseRequest{Path: "/x"}, status: 502, code: "bad_gateway", calls: map[string]int{"/a": 1}},
			{req: caseRequest{Path: "/x"}, status: 502, calls: map[string]int{"/a": 2}},
			{req: caseRequest{Path: "/x"}, status: 502, calls: map[string]int{"/a": 3}},
			{backendStatus: 500, req: caseRequest{Path: "/x"}, status: 502, calls: map[string]int{"/a": 4}},
			{req: caseRequest{Path: "/x"}, status: 502, calls: map[string]int{"/a": 5}},
			// Two consecutive failures > max_errors 1: open.
			{backendStatus: 200, req: caseRequest{Path: "/x"}, status: 502, code: "bad_gateway", calls: map[string]int{"/a": 5}},
			{backendStatus: 503, sleep: 1100 * time.Millisecond, req: caseRequest{Path: "/x"}, status: 502, calls: map[string]int{"/a": 6}},
			{backendStatus: 200, req: caseRequest{Path: "/x"}, status: 502, calls: map[string]int{"/a": 6}},
			{sleep: 1100 * time.Millisecond, req: caseRequest{Path: "/x"}, status: 200, body: `{"a":true}`, calls: map[string]int{"/a": 7}},
			{req: caseRequest{Path: "/x"}, status: 200, calls: map[string]int{"/a": 8}},
		},
	},
}

func qosReq(path, header, value string) caseRequest {
	return caseRequest{Path: path, Headers: map[string]headerValues{header: headerList(value)}}
}

// runQoSScenario sends the steps of sc through send and checks each answer.
func runQoSScenario(t *testing.T, sc qosScenario, b *qosBackend, send sendFunc) {
	t.Helper()
	for i, st := range sc.steps {
		if st.backendStatus != 0 {
			b.status.Store(int32(st.backendStatus))
		}
		time.Sleep(st.sleep)
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		obs, err := send(ctx, &st.req)
		cancel()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if obs.status != st.status {
			t.Fatalf("step %d: status %d, want %d; body %s", i, obs.status, st.status, clip(obs.body))
		}
		if st.code != "" {
			checkErrorBody(t, obs, obs.body, st.code)
		}
		for k, v := range st.headers {
			if got := obs.header.Get(k); got != v {
				t.Errorf("step %d: %s = %q, want %q", i, k, got, v)
			}
		}
		if st.body != "" && string(obs.body) != st.body {
			t.Errorf("step %d: body %s, want %s", i, obs.body, st.body)
		}
		for path, n := range st.calls {
			if got := b.count(path); got != n {
				t.Errorf("step %d: the backend got %d requests on %s, want %d", i, got, path, n)
			}
		}
	}
}

// TestQoSSequencesHTTP runs the scenarios through the HTTP server.
func TestQoSSequencesHTTP(t *testing.T) {
	for _, sc := range qosScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			b := newQoSBackend(t)
			text := strings.ReplaceAll(sc.config, "{{b}}", b.URL)
			cfg, err := config.Load(sc.name+".json", []byte(text), nil)
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.Compile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			logs := &syncBuffer{}
			logger := slog.New(slog.NewTextHandler(logs, nil))
			gw := exec.New(p, exec.Options{Logger: logger})
			t.Cleanup(gw.Client().CloseIdleConnections)
			h := httpadapter.New(gw, httpadapter.Options{Logger: logger, Version: gatewayVersion})
			runQoSScenario(t, sc, b, startHTTP(t, h, cfg))
			if sc.name == "breaker_cycle" {
				out := logs.String()
				for _, want := range []string{"from=closed to=open", "from=open to=half-open", "from=half-open to=open", "from=half-open to=closed"} {
					if !strings.Contains(out, want) {
						t.Errorf("log_status_change: the log lacks %q:\n%s", want, out)
					}
				}
			}
		})
	}
}

// TestQoSSequencesLambda runs the scenarios through one warm Lambda
// execution environment each (REST v1 events): the state lives in it.
func TestQoSSequencesLambda(t *testing.T) {
	rieBin, bootstrap := lamEmulator(t, "GATEWAY_BOOTSTRAP")
	for _, sc := range qosScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			b := newQoSBackend(t)
			cfgPath := filepath.Join(t.TempDir(), "tributary.json")
			if err := os.WriteFile(cfgPath, []byte(strings.ReplaceAll(sc.config, "{{b}}", b.URL)), 0o600); err != nil {
				t.Fatal(err)
			}
			timeout := lamFunctionTimeout(2 * time.Second)
			f, err := lamStart(rieBin, bootstrap, []string{"TRIBUTARY_CONFIG=" + cfgPath}, timeout)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := f.close(); err != nil {
					t.Error(err)
				}
			})
			send := func(ctx context.Context, req *caseRequest) (*observed, error) {
				in, err := lamNewInput(req)
				if err != nil {
					return nil, err
				}
				ev, excluded := lamRESTEvent(in)
				if excluded != "" {
					t.Fatalf("REST v1 cannot carry the request: %s", excluded)
				}
				reply, err := f.invoke(ev, timeout+10*time.Second)
				if err != nil {
					return nil, err
				}
				return lamDecodeREST(reply)
			}
			runQoSScenario(t, sc, b, send)
		})
	}
}
