package exec_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/backend/awslambda"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// fakeInvoker answers every invocation with res (or err) and records the
// requests.
type fakeInvoker struct {
	mu   sync.Mutex
	reqs []awslambda.Request
	res  awslambda.Result
	err  error
}

func (f *fakeInvoker) Invoke(_ context.Context, _ awslambda.Doer, r *awslambda.Request) (*awslambda.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, *r)
	if f.err != nil {
		return nil, f.err
	}
	res := f.res
	return &res, nil
}

// lambdaGateway compiles cfg and gives every Lambda backend f.
func lambdaGateway(t testing.TB, cfg string, f *fakeInvoker) *exec.Gateway {
	t.Helper()
	c, err := config.Load("test.json", []byte(cfg), nil)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	p, err := plan.Compile(c)
	if err != nil {
		t.Fatalf("plan.Compile: %v", err)
	}
	for _, ep := range p.Endpoints {
		for _, b := range ep.Backends {
			if b.Lambda != nil {
				b.Lambda.Invoker = f
			}
		}
	}
	gw := exec.New(p, exec.Options{})
	t.Cleanup(gw.Client().CloseIdleConnections)
	return gw
}

func lambdaConfig(endpointKeys, backendKeys, tributary string) string {
	return `{"version": 3, "endpoints": [{"endpoint": "/fn/{id}", ` + endpointKeys + ` "backend": [{"url_pattern": "/inner/{id}?src=gw", ` + backendKeys + `
	  "extra_config": {"backend/lambda": {"function_name": "f", "region": "eu-west-1"}, "tributary": {` + tributary + `}}}]}]}`
}

func TestLambdaEventV2(t *testing.T) {
	f := &fakeInvoker{res: awslambda.Result{StatusCode: 200, Payload: []byte(`{"statusCode":200,"body":"{\"ok\":1}"}`)}}
	gw := lambdaGateway(t, lambdaConfig(`"method": "POST", "input_headers": ["X-Trace", "Cookie"], "input_query_strings": ["q"],`, ``, `"lambda_event": "apigateway-v2"`), f)
	got := serve(t, gw, &exec.Request{Method: http.MethodPost, RawPath: "/fn/a%20b", RawQuery: "q=1&q=2&z=9", ClientIP: "198.51.100.4",
		Header: http.Header{"X-Trace": {"t1", "t2"}, "Cookie": {"a=1; b=2"}, "Content-Type": {"application/json"}},
		Body:   strings.NewReader("\xff\x00bin"), ContentLength: -1})
	want(t, got, 200, `{"ok":1}`)
	var ev struct {
		Version, RouteKey, RawPath, RawQueryString string
		Cookies                                    []string
		Headers                                    map[string]string
		QueryStringParameters                      map[string]string
		PathParameters                             map[string]string
		RequestContext                             struct {
			HTTP             struct{ Method, Path, SourceIP string } `json:"http"`
			RequestID, Stage string
		}
		Body            string
		IsBase64Encoded bool
	}
	if err := json.Unmarshal(f.reqs[0].Payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != "2.0" || ev.RouteKey != "$default" || ev.RawPath != "/inner/a b" || ev.RawQueryString != "src=gw&q=1&q=2" ||
		ev.QueryStringParameters["q"] != "1,2" || ev.PathParameters["id"] != "a b" || ev.Headers["x-trace"] != "t1,t2" ||
		strings.Join(ev.Cookies, "|") != "a=1|b=2" || ev.Headers["cookie"] != "" ||
		ev.RequestContext.HTTP.Method != "POST" || ev.RequestContext.HTTP.Path != "/inner/a b" || ev.RequestContext.HTTP.SourceIP != "198.51.100.4" ||
		ev.RequestContext.Stage != "$default" || len(ev.RequestContext.RequestID) != 36 ||
		!ev.IsBase64Encoded || ev.Body != "/wBiaW4=" {
		t.Errorf("event = %s", f.reqs[0].Payload)
	}
	if r := f.reqs[0]; r.FunctionName != "f" || r.Region != "eu-west-1" {
		t.Errorf("request = %+v", r)
	}
}

func TestLambdaEventV1(t *testing.T) {
	f := &fakeInvoker{res: awslambda.Result{StatusCode: 200, Payload: []byte(`{"a":1}`)}}
	gw := lambdaGateway(t, lambdaConfig(`"input_headers": ["X-Trace"],`, ``, `"lambda_event": "apigateway-v1"`), f)
	got := serve(t, gw, &exec.Request{Method: http.MethodGet, RawPath: "/fn/42", ClientIP: "198.51.100.4",
		Header: http.Header{"X-Trace": {"t1", "t2"}}})
	want(t, got, 200, `{"a":1}`)
	var ev struct {
		Resource, Path, HTTPMethod      string
		Headers                         map[string]string
		MultiValueHeaders               map[string][]string
		QueryStringParameters           map[string]string
		MultiValueQueryStringParameters map[string][]string
		PathParameters                  map[string]string
		RequestContext                  struct {
			Stage    string
			Identity struct{ SourceIP string }
		}
		Body *string
	}
	if err := json.Unmarshal(f.reqs[0].Payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Resource != "/inner/{id}" || ev.Path != "/inner/42" || ev.HTTPMethod != "GET" || ev.Headers["X-Trace"] != "t2" ||
		strings.Join(ev.MultiValueHeaders["X-Trace"], ",") != "t1,t2" || ev.QueryStringParameters["src"] != "gw" ||
		ev.PathParameters["id"] != "42" || ev.RequestContext.Stage != "$default" || ev.RequestContext.Identity.SourceIP != "198.51.100.4" || ev.Body != nil {
		t.Errorf("event = %s", f.reqs[0].Payload)
	}
}

func TestLambdaPayloadKrakenD(t *testing.T) {
	f := &fakeInvoker{res: awslambda.Result{StatusCode: 200, Payload: []byte(`{"a":1}`)}}
	gw := lambdaGateway(t, `{"version": 3, "endpoints": [{"endpoint": "/fn/{ID}/{Other}", "method": "POST", "backend": [
	  {"url_pattern": "/x", "method": "GET", "extra_config": {"backend/lambda": {"function_name": "f"}}},
	  {"url_pattern": "/y", "method": "PUT", "extra_config": {"backend/lambda": {"function_name": "f"}}}]}]}`, f)
	got := serve(t, gw, &exec.Request{Method: http.MethodPost, RawPath: "/fn/1/two", Body: strings.NewReader(`[1,2]`), ContentLength: -1})
	want(t, got, 200, `{"a":1}`)
	payloads := []string{string(f.reqs[0].Payload), string(f.reqs[1].Payload)}
	if !(payloads[0] == `{"id":"1","other":"two"}` && payloads[1] == `[1,2]` || payloads[1] == `{"id":"1","other":"two"}` && payloads[0] == `[1,2]`) {
		t.Errorf("payloads = %q", payloads)
	}
}

func TestLambdaUnwrapRules(t *testing.T) {
	cases := []struct {
		name, payload string
		status        int
		body          string // "" → a gateway error with that status
	}{
		{"wrapped", `{"statusCode":200,"headers":{"X":"1"},"body":"{\"a\":1}","cookies":[],"multiValueHeaders":{},"isBase64Encoded":false}`, 200, `{"a":1}`},
		{"no body", `{"statusCode":204}`, 200, `{}`},
		{"extra key", `{"statusCode":200,"body":"x","other":1}`, 200, `{"body":"x","other":1,"statusCode":200}`},
		{"string status", `{"statusCode":"200","body":"{}"}`, 200, `{"body":"{}","statusCode":"200"}`},
		{"fractional status", `{"statusCode":200.5,"body":"{}"}`, 200, `{"body":"{}","statusCode":200.5}`},
		{"body not string", `{"statusCode":200,"body":{"a":1}}`, 200, `{"body":{"a":1},"statusCode":200}`},
		{"status out of range", `{"statusCode":700,"body":"{}"}`, 502, ""},
		{"bad base64", `{"statusCode":200,"isBase64Encoded":true,"body":"%%%"}`, 502, ""},
		{"non-2xx", `{"statusCode":500,"body":"{}"}`, 502, ""},
		{"not an object", `"text"`, 502, ""},
		{"deep nesting", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), 502, ""},
		{"deep wrapped body", `{"statusCode":200,"body":"` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `"}`, 502, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeInvoker{res: awslambda.Result{StatusCode: 200, Payload: []byte(c.payload)}}
			gw := lambdaGateway(t, lambdaConfig(``, ``, ``), f)
			got := get(t, gw, "/fn/1")
			if c.body == "" {
				wantError(t, got, c.status, "bad_gateway")
				return
			}
			if got.Status != c.status {
				t.Fatalf("status %d, body %s", got.Status, got.Body)
			}
			// Key order of a decoded object is kept; compare as JSON.
			var a, b any
			if json.Unmarshal(got.Body, &a) != nil || json.Unmarshal([]byte(c.body), &b) != nil || !jsonEqual(a, b) {
				t.Errorf("body %s, want %s", got.Body, c.body)
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestLambdaNoOpHeadersSanitised(t *testing.T) {
	f := &fakeInvoker{res: awslambda.Result{StatusCode: 200, Payload: []byte(
		`{"statusCode":201,"headers":{"X-Ok":"1","Bad Name":"x","X-Bad":"a\nb","Connection":"close","Content-Length":"999","Transfer-Encoding":"chunked"},"multiValueHeaders":{"X-Multi":["1","2"]},"cookies":["c=1"],"body":"hi"}`)}}
	gw := lambdaGateway(t, `{"version": 3, "endpoints": [{"endpoint": "/f", "output_encoding": "no-op", "backend": [
	  {"url_pattern": "/f", "encoding": "no-op", "extra_config": {"backend/lambda": {"function_name": "f"}}}]}]}`, f)
	got := get(t, gw, "/f")
	if got.Status != 201 || string(got.Body) != "hi" || got.Header.Get("X-Ok") != "1" || strings.Join(got.Header["X-Multi"], ",") != "1,2" ||
		got.Header.Get("Set-Cookie") != "c=1" || got.Header.Get("X-Bad") != "" || got.Header.Get("Connection") != "" ||
		got.Header.Get("Content-Length") != "" || got.Header.Get("Transfer-Encoding") != "" {
		t.Errorf("got %d %v %s", got.Status, got.Header, got.Body)
	}
	for k := range got.Header {
		if strings.Contains(k, " ") {
			t.Errorf("header %q passed", k)
		}
	}
}

func TestLambdaFailures(t *testing.T) {
	for _, c := range []struct {
		name string
		res  awslambda.Result
		cfg  string
		msg  string
	}{
		{"function error", awslambda.Result{StatusCode: 200, FunctionError: "Handled", Payload: []byte(`{"errorMessage":"bad input"}`)}, ``, "lambda function error (Handled): bad input"},
		{"function error without message", awslambda.Result{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`oops`)}, ``, "(no message)"},
		{"async status", awslambda.Result{StatusCode: 202}, ``, "lambda invoke returned status 202"},
		{"too large", awslambda.Result{StatusCode: 200, Payload: []byte(`{"a":"` + strings.Repeat("x", 2000) + `"}`)}, `"max_response_bytes": 1024`, "backend response too large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeInvoker{res: c.res}
			cfg := `{"version": 3, "extra_config": {"router": {"return_error_msg": true}}, "endpoints": [{"endpoint": "/f", "backend": [
			  {"url_pattern": "/f", "extra_config": {"backend/lambda": {"function_name": "f"}, "tributary": {` + c.cfg + `}}}]}]}`
			gw := lambdaGateway(t, cfg, f)
			got := get(t, gw, "/f")
			if msg := wantError(t, got, 502, "bad_gateway"); !strings.Contains(msg, c.msg) {
				t.Errorf("message %q, want %q", msg, c.msg)
			}
		})
	}
}

// BenchmarkServeLambda is one request to a Lambda backend with a fake
// invoker: the gateway's own cost of building the event and unwrapping the
// answer (the invocation itself excluded).
func BenchmarkServeLambda(b *testing.B) {
	for _, event := range []string{"krakend", "apigateway-v2"} {
		b.Run(event, func(b *testing.B) {
			f := &fakeInvoker{res: awslambda.Result{StatusCode: 200, Payload: []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"id\":42,\"name\":\"Ada\",\"tags\":[1,2,3]}"}`)}}
			gw := lambdaGateway(b, lambdaConfig(`"input_headers": ["X-Trace"],`, ``, `"lambda_event": "`+event+`"`), f)
			req := &exec.Request{Method: http.MethodGet, RawPath: "/fn/42", Header: http.Header{"X-Trace": {"t"}}, ClientIP: "198.51.100.4"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				f.mu.Lock()
				f.reqs = f.reqs[:0]
				f.mu.Unlock()
				resp := gw.Serve(ctx, req)
				if resp.Status != 200 {
					b.Fatalf("status %d", resp.Status)
				}
				resp.Release()
			}
		})
	}
}
