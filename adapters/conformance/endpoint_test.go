package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// endpointConfig has two endpoints a per-endpoint function can serve, and
// a third route no such function serves. {{catalog}}, {{users}} and
// {{orders}} are backend base URLs.
const endpointConfig = `{
  "version": 3,
  "timeout": "2s",
  "endpoints": [
    {"endpoint": "/frontpage/{id_user}", "method": "GET",
     "input_headers": ["Authorization"], "input_query_strings": ["locale", "tag"],
     "backend": [
       {"host": ["{{catalog}}"], "url_pattern": "/products", "is_collection": true, "mapping": {"collection": "products"}},
       {"host": ["{{users}}"], "url_pattern": "/users/{id_user}", "allow": ["name", "address.city"]}
     ]},
    {"endpoint": "/orders/{id}", "method": "POST",
     "input_headers": ["Content-Type", "X-Trace"], "input_query_strings": ["*"],
     "backend": [{"host": ["{{orders}}"], "url_pattern": "/orders/{id}", "method": "POST"}]},
    {"endpoint": "/other", "method": "GET",
     "backend": [{"host": ["{{users}}"], "url_pattern": "/users/1"}]}
  ]
}`

// endpointBackends are the canned catalog and users backends.
var endpointBackends = map[string]cannedBackend{
	"catalog": {Routes: map[string]*cannedResponse{"GET /products": {
		Headers: map[string]headerValues{"Content-Type": headerList("application/json")},
		Body:    json.RawMessage(`[{"id":1,"name":"Ball","price":1.50},{"id":2,"name":"Kite","price":12}]`),
	}}},
	"users": {Routes: map[string]*cannedResponse{"*": {
		Headers: map[string]headerValues{"Content-Type": headerList("application/json")},
		Body:    json.RawMessage(`{"name":"Ana","address":{"city":"Lisboa","street":"R. Augusta"},"password_hash":"x"}`),
	}}},
}

// ordersBackend describes every request it receives as JSON: method,
// path, query, Content-Type, X-Trace and the body as a string.
func ordersBackend(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		doc, _ := json.Marshal(map[string]string{
			"method": r.Method, "path": r.URL.EscapedPath(), "query": r.URL.RawQuery,
			"content_type": r.Header.Get("Content-Type"), "trace": r.Header.Get("X-Trace"), "body": string(body),
		})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// writeEndpointConfig renders endpointConfig for the given backends into a
// file and returns its path.
func writeEndpointConfig(t *testing.T, urls map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "endpoints.json")
	if err := os.WriteFile(path, []byte(substitute(endpointConfig, urls)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// functionSpec is a bootstrap and the settings it runs with.
type functionSpec struct {
	bootstrap string
	env       []string
}

// endpointFunctions starts one emulator per function and stops them with
// the test; each is invoked serially.
func endpointFunctions(t *testing.T, rieBin string, specs map[string]functionSpec) map[string]*lamFunction {
	t.Helper()
	fns := map[string]*lamFunction{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(specs))
	for name, spec := range specs {
		wg.Go(func() {
			f, err := lamStart(rieBin, spec.bootstrap, spec.env, 3*time.Second)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			fns[name] = f
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	t.Cleanup(func() {
		for name, f := range fns {
			if err := f.close(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	for err := range errs {
		t.Fatal(err)
	}
	return fns
}

// TestEndpointFunction runs functions/endpoint under the emulator
// (lambda.md §4.1): through its own HTTP API route and by direct
// invocation it answers the endpoint's document byte for byte as the HTTP
// server does, and its failures are function errors typed
// Tributary.<code>. The gateway function serves the same route alike.
func TestEndpointFunction(t *testing.T) {
	rieBin, endpointBoot := lamEmulator(t, "ENDPOINT_BOOTSTRAP")
	_, gatewayBoot := lamEmulator(t, "GATEWAY_BOOTSTRAP")
	urls := maps.Clone(startBackends(t, endpointBackends).urls)
	urls["orders"] = ordersBackend(t)
	cfg := writeEndpointConfig(t, urls)
	down := writeEndpointConfig(t, startBackends(t, map[string]cannedBackend{
		"catalog": {Refuse: true}, "users": {Refuse: true}, "orders": {Refuse: true},
	}).urls)
	fns := endpointFunctions(t, rieBin, map[string]functionSpec{
		"frontpage": {endpointBoot, []string{"TRIBUTARY_CONFIG=" + cfg, "TRIBUTARY_ENDPOINT=GET /frontpage/{id_user}"}},
		"orders":    {endpointBoot, []string{"TRIBUTARY_CONFIG=" + cfg, "TRIBUTARY_ENDPOINT=POST /orders/{id}"}},
		"down":      {endpointBoot, []string{"TRIBUTARY_CONFIG=" + down, "TRIBUTARY_ENDPOINT=GET /frontpage/{id_user}"}},
		"gateway":   {gatewayBoot, []string{"TRIBUTARY_CONFIG=" + cfg}},
	})
	httpAnswer := func(t *testing.T, cfgPath string, req *caseRequest) *observed {
		t.Helper()
		ans, err := lamServeHTTP(cfgPath, req)
		if err != nil {
			t.Fatalf("the HTTP reference run failed: %v", err)
		}
		return ans
	}
	invoke := func(t *testing.T, fn string, payload string) []byte {
		t.Helper()
		reply, err := fns[fn].invoke([]byte(payload), 10*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		return reply
	}
	body := `{"item":"kite","qty":2,"note":"ünïcode \u00e9"}`

	t.Run("direct invocations answer the HTTP body", func(t *testing.T) {
		tests := []struct {
			name    string
			fn      string
			payload string
			req     caseRequest
		}{
			{"params, query and headers", "frontpage",
				`{"params":{"id_user":"42"},"query":{"locale":"es"},"headers":{"Authorization":"Bearer t"}}`,
				caseRequest{Path: "/frontpage/42?locale=es", Headers: map[string]headerValues{"Authorization": headerList("Bearer t")}}},
			{"a repeated query value", "frontpage",
				`{"params":{"id_user":"42"},"query":{"tag":["a","b"],"locale":"en"}}`,
				caseRequest{Path: "/frontpage/42?locale=en&tag=a&tag=b"}},
			{"a param that needs escaping", "frontpage",
				`{"params":{"id_user":"a b+é"}}`,
				caseRequest{Path: "/frontpage/a%20b%2B%C3%A9"}},
			{"a JSON body, sent as application/json", "orders",
				`{"params":{"id":"7"},"query":{"src":"direct"},"headers":{"X-Trace":"t-1"},"body":` + body + `}`,
				caseRequest{Method: "POST", Path: "/orders/7?src=direct", Body: &body,
					Headers: map[string]headerValues{"Content-Type": headerList("application/json"), "X-Trace": headerList("t-1")}}},
			{"no body, no request body", "orders",
				`{"params":{"id":"8"}}`,
				caseRequest{Method: "POST", Path: "/orders/8"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				want := httpAnswer(t, cfg, &tt.req)
				if want.status != http.StatusOK {
					t.Fatalf("the HTTP reference answered %d: %s", want.status, want.body)
				}
				if got := invoke(t, tt.fn, tt.payload); !bytes.Equal(got, want.body) {
					t.Errorf("direct result differs from the HTTP body\n  direct: %s\n  http:   %s", lamClip(got), lamClip(want.body))
				}
			})
		}
	})

	t.Run("its own HTTP API route answers like the HTTP server and the gateway function", func(t *testing.T) {
		// A fixed request id: each answer would otherwise echo its own.
		req := &caseRequest{Path: "/frontpage/42?locale=es", Headers: map[string]headerValues{"Authorization": headerList("Bearer t"),
			"X-Request-Id": headerList("endpoint-fn-1")}}
		in, err := lamNewInput(req)
		if err != nil {
			t.Fatal(err)
		}
		ev, _ := lamV2Event(in)
		reply := invoke(t, "frontpage", string(ev))
		got, err := lamDecodeV2(reply)
		if err != nil {
			t.Fatalf("%v\nreply: %s", err, lamClip(reply))
		}
		delete(got.header, "Date")
		if diffs := lamDiff(lamProjectV2(httpAnswer(t, cfg, req)), got, "lambda", "http"); len(diffs) > 0 {
			t.Errorf("the v2 reply differs from the HTTP answer:\n%s", strings.Join(diffs, "\n"))
		}
		if gw := invoke(t, "gateway", string(ev)); !bytes.Equal(gw, reply) {
			t.Errorf("the gateway function answers the same event differently\n  endpoint: %s\n  gateway:  %s", lamClip(reply), lamClip(gw))
		}
	})

	t.Run("failures are function errors typed Tributary.<code>", func(t *testing.T) {
		downAnswer := httpAnswer(t, down, &caseRequest{Path: "/frontpage/42"})
		var downDoc struct{ Message string }
		if err := json.Unmarshal(downAnswer.body, &downDoc); err != nil || downAnswer.status != http.StatusBadGateway {
			t.Fatalf("the HTTP reference for dead backends answered %d %s", downAnswer.status, downAnswer.body)
		}
		tests := []struct {
			name    string
			fn      string
			payload string
			status  int
			code    string
			message string // exact, when set
		}{
			{"an unknown payload key", "frontpage", `{"params":{"id_user":"42"},"verbose":true}`, 400, "bad_request",
				`unknown key "verbose"; a direct payload has only params, query, headers and body`},
			{"a missing param", "frontpage", `{"query":{"locale":"es"}}`, 400, "bad_request", ""},
			{"a param that is not a string", "frontpage", `{"params":{"id_user":42}}`, 400, "bad_request", ""},
			{"a dot-dot param", "frontpage", `{"params":{"id_user":".."}}`, 400, "invalid_path", ""},
			{"backends down", "down", `{"params":{"id_user":"42"}}`, 502, "bad_gateway", downDoc.Message},
			{"an unrecognisable event (endpoint function)", "frontpage", `["not","an","object"]`, 400, "invalid_event", ""},
			{"an event with no recognisable shape (endpoint function)", "frontpage", `{"requestContext":{"accountId":"1"}}`, 400, "invalid_event", ""},
			{"a direct payload (gateway function)", "gateway", `{"params":{"id_user":"42"}}`, 400, "invalid_event", ""},
			{"an unrecognisable event (gateway function)", "gateway", `"just a string"`, 400, "invalid_event", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				reply := invoke(t, tt.fn, tt.payload)
				fe, ok := lamAsFunctionError(reply)
				if !ok {
					t.Fatalf("not a function error: %s", lamClip(reply))
				}
				if fe.ErrorType != "Tributary."+tt.code {
					t.Errorf("errorType %q, want %q", fe.ErrorType, "Tributary."+tt.code)
				}
				var msg struct {
					Status  int    `json:"status"`
					Error   string `json:"error"`
					Message string `json:"message"`
				}
				dec := json.NewDecoder(strings.NewReader(fe.ErrorMessage))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&msg); err != nil {
					t.Fatalf("errorMessage %q is not {status,error,message}: %v", fe.ErrorMessage, err)
				}
				if msg.Status != tt.status || msg.Error != tt.code || msg.Message == "" {
					t.Errorf("errorMessage %s, want status %d and error %q", fe.ErrorMessage, tt.status, tt.code)
				}
				if tt.message != "" && msg.Message != tt.message {
					t.Errorf("message %q, want %q", msg.Message, tt.message)
				}
			})
		}
	})

	t.Run("another route through an HTTP event is a 404 reply, not a function error", func(t *testing.T) {
		in, err := lamNewInput(&caseRequest{Path: "/other"})
		if err != nil {
			t.Fatal(err)
		}
		ev, _ := lamV2Event(in)
		reply := invoke(t, "frontpage", string(ev))
		got, err := lamDecodeV2(reply)
		if err != nil {
			t.Fatalf("%v\nreply: %s", err, lamClip(reply))
		}
		var doc struct{ Error string }
		if got.status != http.StatusNotFound || json.Unmarshal(got.body, &doc) != nil || doc.Error != "not_found" ||
			got.header.Get("X-Tributary-Completed") != "false" {
			t.Errorf("reply %d %v %s; want 404 not_found, not complete", got.status, got.header, got.body)
		}
		// The gateway function, which serves every route, answers it.
		if got, err := lamDecodeV2(invoke(t, "gateway", string(ev))); err != nil || got.status != http.StatusOK {
			t.Errorf("the gateway function answered /other with %v, %v", got, err)
		}
	})

	t.Run("invalid JSON never reaches the handler", func(t *testing.T) {
		fe, ok := lamAsFunctionError(invoke(t, "frontpage", `{"params":`))
		if !ok || strings.HasPrefix(fe.ErrorType, "Runtime.") || strings.HasPrefix(fe.ErrorType, "Tributary.") {
			t.Errorf("invalid JSON gave %+v; want aws-lambda-go's own decode error (lambda.md §2.1)", fe)
		}
	})
}
