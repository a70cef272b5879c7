package boot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/tributary-gw/tributary/adapters/lambdaadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/functions/boot"
)

// usersBackend answers GET /u/{id} with {"id":"<id>"} and counts nothing
// else; it stops with the test.
func usersBackend(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/u/")
		if !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"secret":"s"}`, id)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// usersConfig serves /users/{id} and /products/{id} from backend.
func usersConfig(backend string) string {
	return `{
  "version": 3,
  "timeout": "2s",
  "endpoints": [
    {"endpoint": "/users/{id}", "backend": [{"host": ["` + backend + `"], "url_pattern": "/u/{id}", "deny": ["secret"]}]},
    {"endpoint": "/products/{id}", "backend": [{"host": ["` + backend + `"], "url_pattern": "/u/p-{id}"}]}
  ]
}`
}

// writeFile writes data to a new file in a temporary directory.
func writeFile(t testing.TB, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// invoke runs payload through the exact runtime JSON path aws-lambda-go
// uses (lambda.md §3 test layer 2).
func invoke(t testing.TB, a *lambdaadapter.Adapter, payload string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return lambda.NewHandler(a.Handle).Invoke(ctx, []byte(payload))
}

// v2Event is an HTTP API payload 2.0 event.
func v2Event(method, rawPath, rawQuery string) string {
	return fmt.Sprintf(`{"version":"2.0","routeKey":"$default","rawPath":%q,"rawQueryString":%q,`+
		`"headers":{"host":"api.example.com"},"requestContext":{"http":{"method":%q,"path":%q,"sourceIp":"198.51.100.7"},`+
		`"domainName":"api.example.com","stage":"$default"},"isBase64Encoded":false}`, rawPath, rawQuery, method, rawPath)
}

// restEvent is an API Gateway REST payload 1.0 event.
func restEvent(method, path string) string {
	return fmt.Sprintf(`{"resource":"/{proxy+}","path":%q,"httpMethod":%q,"multiValueHeaders":{"Host":["api.example.com"]},`+
		`"requestContext":{"stage":"prod","identity":{"sourceIp":"198.51.100.7"},"domainName":"api.example.com"},"body":null,"isBase64Encoded":false}`, path, method)
}

// albEvent is a single-value ALB event.
func albEvent(method, path string) string {
	return fmt.Sprintf(`{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1"}},`+
		`"httpMethod":%q,"path":%q,"queryStringParameters":{},"headers":{"host":"alb.example.com","x-forwarded-for":"198.51.100.7"},"body":"","isBase64Encoded":false}`, method, path)
}

// reply is an HTTP-shaped reply: v2 headers, or REST multiValueHeaders.
type reply struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
}

// call invokes an HTTP-shaped event and decodes the reply.
func call(t testing.TB, a *lambdaadapter.Adapter, event string) reply {
	t.Helper()
	out, err := invoke(t, a, event)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var r reply
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("reply %s: %v", out, err)
	}
	return r
}

func TestNewBundledConfig(t *testing.T) {
	// No TRIBUTARY_CONFIG: the embedded demo config (config/gateway.json).
	a, err := boot.New(nil, io.Discard, boot.Options{})
	if err != nil {
		t.Fatal(boot.Describe(err))
	}
	tests := []struct {
		name, event string
		status      int
		bodyHas     string
	}{
		{"health", v2Event("GET", "/__health", ""), 200, `"status":"ok"`},
		{"a route the demo config does not have", v2Event("GET", "/nope", ""), 404, `"error":"not_found"`},
		{"a demo route whose method is not configured", v2Event("DELETE", "/products", ""), 405, `"error":"method_not_allowed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, a, tt.event)
			if r.StatusCode != tt.status || !strings.Contains(r.Body, tt.bodyHas) {
				t.Errorf("reply %d %s, want %d with %s", r.StatusCode, r.Body, tt.status, tt.bodyHas)
			}
		})
	}
}

func TestNewConfigFile(t *testing.T) {
	cfg := writeFile(t, "tributary.json", usersConfig(usersBackend(t)))
	a, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg}, io.Discard, boot.Options{})
	if err != nil {
		t.Fatal(boot.Describe(err))
	}
	tests := []struct {
		name, event string
		status      int
		body        string
	}{
		{"HTTP API", v2Event("GET", "/users/42", ""), 200, `{"id":"42"}`},
		{"REST API", restEvent("GET", "/users/7"), 200, `{"id":"7"}`},
		{"ALB", albEvent("GET", "/products/9"), 200, `{"id":"p-9","secret":"s"}`},
		{"the demo routes are not there", v2Event("GET", "/frontpage/1", ""), 404, `{"error":"not_found","message":"no endpoint matches GET /frontpage/1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, a, tt.event)
			if r.StatusCode != tt.status || r.Body != tt.body {
				t.Errorf("reply %d %s, want %d %s", r.StatusCode, r.Body, tt.status, tt.body)
			}
		})
	}
	// The file is read at init only: removing it changes nothing.
	if err := os.Remove(cfg); err != nil {
		t.Fatal(err)
	}
	if r := call(t, a, v2Event("GET", "/users/1", "")); r.StatusCode != 200 {
		t.Errorf("after the file is gone: %d %s", r.StatusCode, r.Body)
	}
}

func TestNewRejectsConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	broken := write("broken.json", `{
  "version": 3,
  "endpoints": [
    {"endpoint": "/u/{id}", "querystring_params": ["q"],
     "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/v1/{uid}"}]}
  ]
}
`)
	syntax := write("syntax.json", "{\n  \"version\": 3,\n  \"endpoints\": [\n    {\"endpoint\": \"/x\",}\n  ]\n}\n")
	tests := []struct {
		name  string
		env   []string
		lines []string // exactly what `tributary check -c FILE` prints, before its "N error(s)" line
	}{
		{"two problems, both reported", []string{"TRIBUTARY_CONFIG=" + broken}, []string{
			broken + `:4:29: $.endpoints[0].querystring_params: key renamed in config v3; use "input_query_strings"`,
			broken + `:5:66: $.endpoints[0].backend[0].url_pattern: undefined placeholder "uid" in backend 0 of GET /u/{id}; did you mean {id}?`,
		}},
		{"a syntax error", []string{"TRIBUTARY_CONFIG=" + syntax}, []string{
			syntax + `:4:22: $.endpoints[0]: syntax error: trailing comma before '}'; JSON does not allow trailing commas; remove it`,
		}},
		{"the first TRIBUTARY_CONFIG wins, like os.Getenv", []string{"TRIBUTARY_CONFIG=" + syntax, "TRIBUTARY_CONFIG=/nonexistent"}, []string{
			syntax + `:4:22: $.endpoints[0]: syntax error: trailing comma before '}'; JSON does not allow trailing commas; remove it`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := boot.New(tt.env, io.Discard, boot.Options{})
			if err == nil || a != nil {
				t.Fatalf("New accepted the config (adapter %v)", a)
			}
			var errs config.Errors
			if !errors.As(err, &errs) {
				t.Errorf("error %T is not config.Errors", err)
			}
			if got, want := boot.Describe(err), strings.Join(tt.lines, "\n"); got != want {
				t.Errorf("Describe:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	t.Run("a missing file", func(t *testing.T) {
		missing := filepath.Join(dir, "missing.json")
		_, err := boot.New([]string{"TRIBUTARY_CONFIG=" + missing}, io.Discard, boot.Options{})
		if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(boot.Describe(err), missing) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestNewPerEndpoint(t *testing.T) {
	backend := usersBackend(t)
	cfg := writeFile(t, "tributary.json", usersConfig(backend))
	const valid = `valid values: "GET /users/{id}", "GET /products/{id}"`
	tests := []struct {
		name     string
		endpoint []string
		err      string // the whole Describe text; "" = accepted
	}{
		{"missing", nil, `TRIBUTARY_ENDPOINT is not set; ` + valid},
		{"empty", []string{"TRIBUTARY_ENDPOINT="}, `TRIBUTARY_ENDPOINT is not set; ` + valid},
		{"no template", []string{"TRIBUTARY_ENDPOINT=GET"}, `TRIBUTARY_ENDPOINT: endpoint "GET": want "METHOD /path/template"; ` + valid},
		{"unknown", []string{"TRIBUTARY_ENDPOINT=GET /orders/{id}"}, `TRIBUTARY_ENDPOINT: endpoint "GET /orders/{id}" is not in ` + cfg + `; ` + valid},
		{"another method", []string{"TRIBUTARY_ENDPOINT=POST /users/{id}"}, `TRIBUTARY_ENDPOINT: endpoint "POST /users/{id}" is not in ` + cfg + `; ` + valid},
		{"another placeholder name", []string{"TRIBUTARY_ENDPOINT=GET /users/{uid}"}, `TRIBUTARY_ENDPOINT: endpoint "GET /users/{uid}" is not in ` + cfg + `; ` + valid},
		{"known", []string{"TRIBUTARY_ENDPOINT=GET /users/{id}"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := boot.New(append([]string{"TRIBUTARY_CONFIG=" + cfg}, tt.endpoint...), io.Discard, boot.Options{PerEndpoint: true})
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("rejected: %s", boot.Describe(err))
			case tt.err != "":
				if err == nil {
					t.Fatal("accepted")
				}
				if got := boot.Describe(err); got != tt.err {
					t.Errorf("Describe:\n%s\nwant:\n%s", got, tt.err)
				}
				return
			}
			// Its own route, by event and by direct invocation; any other
			// route is not compiled.
			if r := call(t, a, v2Event("GET", "/users/5", "")); r.StatusCode != 200 || r.Body != `{"id":"5"}` {
				t.Errorf("own route: %d %s", r.StatusCode, r.Body)
			}
			if out, err := invoke(t, a, `{"params":{"id":"6"}}`); err != nil || string(out) != `{"id":"6"}` {
				t.Errorf("direct: %s, %v", out, err)
			}
			if r := call(t, a, v2Event("GET", "/products/5", "")); r.StatusCode != 404 {
				t.Errorf("another route: %d %s", r.StatusCode, r.Body)
			}
		})
	}
	t.Run("the gateway function refuses direct payloads", func(t *testing.T) {
		a, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg, "TRIBUTARY_ENDPOINT=GET /users/{id}"}, io.Discard, boot.Options{})
		if err != nil {
			t.Fatal(boot.Describe(err))
		}
		_, err = invoke(t, a, `{"params":{"id":"6"}}`)
		var fe messages.InvokeResponse_Error
		if !errors.As(err, &fe) || fe.Type != "Tributary.invalid_event" {
			t.Errorf("err = %#v, want the Tributary.invalid_event error result", err)
		}
	})
}

func TestNewIntegrationTimeout(t *testing.T) {
	dir := t.TempDir()
	cfgWith := func(name, service, endpoint string) string {
		ep := ""
		if endpoint != "" {
			ep = `, "timeout": "` + endpoint + `"`
		}
		path := filepath.Join(dir, name)
		data := `{"version": 3, "timeout": "` + service + `", "endpoints": [` + "\n" +
			`  {"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/a"}]},` + "\n" +
			`  {"endpoint": "/b"` + ep + `, "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/b"}]}` + "\n]}\n"
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	at29 := cfgWith("at29.json", "1s", "29s")
	below := cfgWith("below.json", "1s", "28999ms")
	service30 := cfgWith("service30.json", "30s", "")
	at60 := cfgWith("at60.json", "1s", "60s")
	hint := "; lower it, or declare a raised REST quota with TRIBUTARY_INTEGRATION_TIMEOUT"
	tests := []struct {
		name  string
		cfg   string
		limit string // TRIBUTARY_INTEGRATION_TIMEOUT; "" = unset
		err   string // the whole Describe text; "" = accepted
	}{
		{"29s is not below the default 29s", at29, "", at29 + `:3:16: $.endpoints[1].timeout: timeout 29s is not below the API Gateway integration timeout 29s` + hint},
		{"just below 29s", below, "", ""},
		{"an inherited service timeout counts for every endpoint", service30, "", strings.Join([]string{
			service30 + `:2:16: $.endpoints[0].timeout: timeout 30s is not below the API Gateway integration timeout 29s` + hint,
			service30 + `:3:16: $.endpoints[1].timeout: timeout 30s is not below the API Gateway integration timeout 29s` + hint,
		}, "\n")},
		{"a raised quota of 60s accepts 29s", at29, "60s", ""},
		{"a raised quota of 60s accepts 30s", service30, "60s", ""},
		{"60s is not below a raised 60s", at60, "60s", at60 + `:3:16: $.endpoints[1].timeout: timeout 1m0s is not below the API Gateway integration timeout 1m0s` + hint},
		{"a quota that is not a duration", at29, "sixty", `TRIBUTARY_INTEGRATION_TIMEOUT="sixty": want a positive Go duration such as 60s`},
		{"a zero quota", below, "0s", `TRIBUTARY_INTEGRATION_TIMEOUT="0s": want a positive Go duration such as 60s`},
		{"a negative quota", below, "-5s", `TRIBUTARY_INTEGRATION_TIMEOUT="-5s": want a positive Go duration such as 60s`},
	}
	for _, tt := range tests {
		for _, perEndpoint := range []bool{false, true} {
			name := tt.name + map[bool]string{false: "/gateway", true: "/endpoint"}[perEndpoint]
			t.Run(name, func(t *testing.T) {
				env := []string{"TRIBUTARY_CONFIG=" + tt.cfg, "TRIBUTARY_ENDPOINT=GET /b"}
				if tt.limit != "" {
					env = append(env, "TRIBUTARY_INTEGRATION_TIMEOUT="+tt.limit)
				}
				_, err := boot.New(env, io.Discard, boot.Options{PerEndpoint: perEndpoint})
				want := tt.err
				if perEndpoint && tt.cfg == service30 && want != "" && tt.limit == "" {
					// Only the endpoint the function serves is compiled.
					want = strings.Split(want, "\n")[1]
				}
				switch {
				case want == "" && err != nil:
					t.Errorf("rejected: %s", boot.Describe(err))
				case want != "" && err == nil:
					t.Errorf("accepted, want: %s", want)
				case want != "" && boot.Describe(err) != want:
					t.Errorf("Describe:\n%s\nwant:\n%s", boot.Describe(err), want)
				}
			})
		}
	}
}

func TestNewBasePath(t *testing.T) {
	cfg := writeFile(t, "tributary.json", usersConfig(usersBackend(t)))
	tests := []struct {
		name   string
		base   string
		event  string
		status int
	}{
		{"HTTP API through a custom domain", "/api", v2Event("GET", "/api/users/1", ""), 200},
		{"REST through a custom domain", "/api", restEvent("GET", "/api/users/1"), 200},
		{"ALB", "/api", albEvent("GET", "/api/users/1"), 200},
		{"slashes around the setting do not matter", "api/", v2Event("GET", "/api/users/1", ""), 200},
		{"through execute-api there is no base path to strip", "/api", v2Event("GET", "/users/1", ""), 200},
		{"only at a segment boundary (B9)", "/api", v2Event("GET", "/apiary/users/1", ""), 404},
		{"only at a segment boundary on REST too", "/api", restEvent("GET", "/apiary/users/1"), 404},
		{"a base path of several segments", "/v1/api", v2Event("GET", "/v1/api/users/1", ""), 200},
		{"unset, nothing is stripped", "", v2Event("GET", "/api/users/1", ""), 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg, "TRIBUTARY_BASE_PATH=" + tt.base}, io.Discard, boot.Options{})
			if err != nil {
				t.Fatal(boot.Describe(err))
			}
			if r := call(t, a, tt.event); r.StatusCode != tt.status {
				t.Errorf("status %d (%s), want %d", r.StatusCode, r.Body, tt.status)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	errs := config.Errors{
		{File: "a.json", Pos: config.Position{Line: 1, Col: 2}, Path: "$.x", Problem: "bad", Hint: "fix it"},
		{File: "a.json", Pos: config.Position{Line: 3, Col: 4}, Problem: "worse"},
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"config errors, one per line", errs, "a.json:1:2: $.x: bad; fix it\na.json:3:4: worse"},
		{"wrapped config errors", fmt.Errorf("init: %w", errs), "a.json:1:2: $.x: bad; fix it\na.json:3:4: worse"},
		{"any other error", errors.New("boom"), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := boot.Describe(tt.err); got != tt.want {
				t.Errorf("Describe = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNewSaysWhichConfigItServes checks the two ways a deployment can serve
// the wrong config: built from the bundled demo (a warning at init), or told
// to load a packaged config that the build did not copy (an init error that
// says how the config gets there).
func TestNewSaysWhichConfigItServes(t *testing.T) {
	var logs bytes.Buffer
	if _, err := boot.New(nil, &logs, boot.Options{}); err != nil {
		t.Fatal(boot.Describe(err))
	}
	if !strings.Contains(logs.String(), "serving the bundled demo config") || !strings.Contains(logs.String(), `"level":"WARNING"`) {
		t.Errorf("no demo warning at init:\n%s", logs.String())
	}
	logs.Reset()
	cfg := writeFile(t, "tributary.json", usersConfig(usersBackend(t)))
	if _, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg}, &logs, boot.Options{}); err != nil {
		t.Fatal(boot.Describe(err))
	}
	if strings.Contains(logs.String(), "demo") {
		t.Errorf("a deployment of its own config warned about the demo:\n%s", logs.String())
	}
	_, err := boot.New([]string{"TRIBUTARY_CONFIG=gateway.json"}, io.Discard, boot.Options{})
	if err == nil || !strings.Contains(err.Error(), "gateway.json") || !strings.Contains(err.Error(), ".tributary/gateway.json") {
		t.Errorf("a config missing from the package: %v", err)
	}
}

// TestNewStrict checks TRIBUTARY_STRICT=1: a config that loads with
// warnings fails init, each warning reported as an error.
func TestNewStrict(t *testing.T) {
	cfg := writeFile(t, "warn.json", `{"version": 3, "owner": "me", "endpoints": [
  {"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/"}]}]}`)
	if _, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg}, io.Discard, boot.Options{}); err != nil {
		t.Fatalf("without TRIBUTARY_STRICT: %v", boot.Describe(err))
	}
	_, err := boot.New([]string{"TRIBUTARY_CONFIG=" + cfg, "TRIBUTARY_STRICT=1"}, io.Discard, boot.Options{})
	if err == nil || !strings.Contains(boot.Describe(err), `"owner"`) || strings.Contains(boot.Describe(err), "warning:") {
		t.Fatalf("with TRIBUTARY_STRICT=1: %v", err)
	}
}
