package exec_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/core/exec"
)

// seqConfig is one sequential endpoint /s/{id} (method m) whose backends
// are the given JSON objects; endpointProxy is spliced into its proxy
// namespace.
func seqConfig(m, endpointProxy string, backends ...string) string {
	return `{"version": 3, "endpoints": [{"endpoint": "/s/{id}", "method": "` + m + `", "input_headers": ["Content-Type"],
	  "extra_config": {"proxy": {"sequential": true` + endpointProxy + `}},
	  "backend": [` + strings.Join(backends, ",") + `]}]}`
}

// TestSequentialChain: each backend runs after the previous one and reads
// its shaped response; values are escaped like client input, numbers keep
// their digits, and the data is merged in order (§12.2, §6.2–6.4).
func TestSequentialChain(t *testing.T) {
	checkLeaks(t)
	b0, r0 := recordingBackend(t, 200, `{"user":{"id":12345678901234567890,"name":"a b/../c?#","tags":["x",1,true]},"drop":1}`)
	b1, r1 := recordingBackend(t, 200, `{"order":{"total":1.50e3}}`)
	b2, r2 := recordingBackend(t, 200, `{"done":true}`)
	gw := gateway(t, seqConfig("GET", "",
		`{"host": ["{{b0}}"], "url_pattern": "/users/{id}", "group": "g", "deny": ["drop"]}`,
		`{"host": ["{{b1}}"], "url_pattern": "/orders/{resp0_g.user.id}/{resp0_g.user.name}?tags={resp0_g.user.tags}"}`,
		`{"host": ["{{b2}}"], "url_pattern": "/x/{resp1_order.total}/{resp0_g.user.id}.json"}`),
		"{{b0}}", b0.URL, "{{b1}}", b1.URL, "{{b2}}", b2.URL)
	got := get(t, gw, "/s/42")
	want(t, got, 200, `{"g":{"user":{"id":12345678901234567890,"name":"a b/../c?#","tags":["x",1,true]}},"order":{"total":1.50e3},"done":true}`,
		exec.HeaderCompleted, "true")
	if s := r0.all(); len(s) != 1 || s[0].URI != "/users/42" {
		t.Errorf("backend 0 saw %+v", s)
	}
	if s := r1.all(); len(s) != 1 || s[0].URI != "/orders/12345678901234567890/a%20b%2F..%2Fc%3F%23?tags=x%2C1%2Ctrue" {
		t.Errorf("backend 1 saw %+v", s)
	}
	if s := r2.all(); len(s) != 1 || s[0].URI != "/x/1.50e3/12345678901234567890.json" {
		t.Errorf("backend 2 saw %+v", s)
	}
}

// TestSequentialBody: the client body reaches every backend whole, with
// an exact Content-Length, whatever the methods (§12.2).
func TestSequentialBody(t *testing.T) {
	checkLeaks(t)
	b0, r0 := recordingBackend(t, 200, `{"id":"7"}`)
	b1, r1 := recordingBackend(t, 200, `{"ok":1}`)
	gw := gateway(t, seqConfig("POST", "",
		`{"host": ["{{b0}}"], "url_pattern": "/a"}`,
		`{"host": ["{{b1}}"], "url_pattern": "/b/{resp0_id}", "method": "PUT"}`),
		"{{b0}}", b0.URL, "{{b1}}", b1.URL)
	body := `{"payload":"` + strings.Repeat("z", 3000) + `"}`
	got := serve(t, gw, &exec.Request{Method: http.MethodPost, RawPath: "/s/1", Body: strings.NewReader(body),
		ContentLength: int64(len(body)), Header: http.Header{"Content-Type": {"application/json"}}})
	want(t, got, 200, `{"id":"7","ok":1}`, exec.HeaderCompleted, "true")
	for i, rc := range []*recorder{r0, r1} {
		s := rc.all()
		if len(s) != 1 || string(s[0].Body) != body || s[0].ContentLength != int64(len(body)) || s[0].Chunked {
			t.Fatalf("backend %d saw %d requests (len %d, CL %d)", i, len(s), len(s[0].Body), s[0].ContentLength)
		}
	}
	if m := r1.all()[0].Method; m != "PUT" || r1.all()[0].URI != "/b/7" {
		t.Errorf("backend 1: %s %s", m, r1.all()[0].URI)
	}
}

// TestSequentialStops: a value that cannot be rendered fails that backend
// without a call, a failure or error data stops the chain, and backend 0
// failing leaves no data (§6.2, §12.2, §14.2).
func TestSequentialStops(t *testing.T) {
	checkLeaks(t)
	cases := []struct {
		name     string
		first    string // backend 0's body
		status   int    // backend 0's status
		second   int    // backend 1's status
		extra1   string
		wantCode int
		wantBody string
		calls    [3]int
	}{
		{name: "null value", first: `{"id":null}`, status: 200, second: 200, wantCode: 200, wantBody: `{"id":null}`, calls: [3]int{1, 0, 0}},
		{name: "object value", first: `{"id":{"a":1}}`, status: 200, second: 200, wantCode: 200, wantBody: `{"id":{"a":1}}`, calls: [3]int{1, 0, 0}},
		{name: "missing value", first: `{"x":1}`, status: 200, second: 200, wantCode: 200, wantBody: `{"x":1}`, calls: [3]int{1, 0, 0}},
		{name: "array of objects", first: `{"id":[{"a":1}]}`, status: 200, second: 200, wantCode: 200, wantBody: `{"id":[{"a":1}]}`, calls: [3]int{1, 0, 0}},
		{name: "dot segment value", first: `{"id":".."}`, status: 200, second: 200, wantCode: 200, wantBody: `{"id":".."}`, calls: [3]int{1, 0, 0}},
		{name: "empty value", first: `{"id":""}`, status: 200, second: 200, wantCode: 200, wantBody: `{"id":""}`, calls: [3]int{1, 0, 0}},
		{name: "middle fails", first: `{"id":3}`, status: 200, second: 500, wantCode: 200, wantBody: `{"id":3}`, calls: [3]int{1, 1, 0}},
		{name: "middle error data", first: `{"id":3}`, status: 200, second: 404, extra1: `, "extra_config": {"backend/http": {"return_error_details": "b1"}}`,
			wantCode: 200, wantBody: `{"id":3,"error_b1":{"http_status_code":404,"http_body":"{\"b\":1}","http_body_encoding":"application/json"}}`, calls: [3]int{1, 1, 0}},
		{name: "first fails", first: `{}`, status: 503, second: 200, wantCode: 502, calls: [3]int{1, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b0, r0 := recordingBackend(t, c.status, c.first)
			b1, r1 := recordingBackend(t, c.second, `{"b":1}`)
			b2, r2 := recordingBackend(t, 200, `{"c":1}`)
			gw := gateway(t, seqConfig("GET", "",
				`{"host": ["{{b0}}"], "url_pattern": "/a"}`,
				`{"host": ["{{b1}}"], "url_pattern": "/b/{resp0_id}"`+c.extra1+`}`,
				`{"host": ["{{b2}}"], "url_pattern": "/c"}`),
				"{{b0}}", b0.URL, "{{b1}}", b1.URL, "{{b2}}", b2.URL)
			got := get(t, gw, "/s/1")
			if c.wantCode == 502 {
				wantError(t, got, 502, "bad_gateway")
			} else {
				want(t, got, c.wantCode, c.wantBody, exec.HeaderCompleted, "false", "Cache-Control", "")
			}
			if n := [3]int{len(r0.all()), len(r1.all()), len(r2.all())}; n != c.calls {
				t.Errorf("calls = %v, want %v", n, c.calls)
			}
		})
	}
}

// TestStaticStrategies: when each strategy injects its data, how it
// overwrites merged keys, and that it never changes completeness (§12.3).
func TestStaticStrategies(t *testing.T) {
	checkLeaks(t)
	ok := func(body string) upstream { return answer(200, body) }
	type outcome struct {
		name     string
		backends []upstream
		details  bool // backend 1 turns a non-2xx into error data
		complete bool
		data     string // the merged data without static; "" for none
	}
	outcomes := []outcome{
		{"all succeed", []upstream{ok(`{"a":1,"s":0}`), ok(`{"b":2}`)}, false, true, `"a":1,"s":0,"b":2`},
		{"one fails", []upstream{ok(`{"a":1,"s":0}`), answer(500, `{}`)}, false, false, `"a":1,"s":0`},
		{"error data", []upstream{ok(`{"a":1,"s":0}`), answer(404, `x`)}, true, false,
			`"a":1,"s":0,"error_e":{"http_status_code":404,"http_body":"x","http_body_encoding":"application/json"}`},
		{"no data", []upstream{answer(500, `{}`), refused}, false, false, ""},
	}
	inject := map[string][]bool{ // per outcome above
		"always":     {true, true, true, true},
		"success":    {true, false, true, false},
		"complete":   {true, false, false, false},
		"errored":    {false, true, false, true},
		"incomplete": {false, true, true, true},
	}
	for strategy, wants := range inject {
		for i, o := range outcomes {
			t.Run(strategy+"/"+o.name, func(t *testing.T) {
				extra := ""
				if o.details {
					extra = `, "extra_config": {"backend/http": {"return_error_details": "e"}}`
				}
				u0, u1 := o.backends[0](t), o.backends[1](t)
				cfg := `{"version": 3, "endpoints": [{"endpoint": "/x", "extra_config": {"proxy": {"static": {"strategy": "` + strategy +
					`", "data": {"s":"static","n":12345678901234567890}}}}, "backend": [{"host": ["` + u0 + `"], "url_pattern": "/0"}, {"host": ["` + u1 +
					`"], "url_pattern": "/1"` + extra + `}]}]}`
				got := get(t, gateway(t, cfg), "/x")
				completed := "false"
				if o.complete {
					completed = "true"
				}
				switch {
				case wants[i] && o.data == "":
					want(t, got, 200, `{"s":"static","n":12345678901234567890}`, exec.HeaderCompleted, "false")
				case wants[i]:
					body := `{` + strings.Replace(o.data, `"s":0`, `"s":"static"`, 1) + `,"n":12345678901234567890}`
					want(t, got, 200, body, exec.HeaderCompleted, completed)
				case o.data == "":
					wantError(t, got, 502, "bad_gateway")
				default:
					want(t, got, 200, `{`+o.data+`}`, exec.HeaderCompleted, completed)
				}
			})
		}
	}
}

// TestFlatmapEndToEnd: the backend flatmap runs between target and group
// instead of allow/deny/mapping, and the endpoint flatmap runs after the
// merge and before static data (§9, §11.6, §12.3).
func TestFlatmapEndToEnd(t *testing.T) {
	checkLeaks(t)
	b0 := jsonBackend(t, 200, `{"data":{"items":[{"id":1,"secret":"x"},{"id":2,"secret":"y"}],"keep":true},"other":1}`)
	b1 := jsonBackend(t, 200, `{"extra":[3],"more":{"a":1}}`)
	cfg := `{"version": 3, "endpoints": [{"endpoint": "/x", "extra_config": {"proxy": {
	  "flatmap_filter": [{"type": "append", "args": ["extra", "g.ids"]}, {"type": "move", "args": ["more", "renamed"]}],
	  "static": {"data": {"renamed": "static wins"}}}},
	  "backend": [
	    {"host": ["{{b0}}"], "url_pattern": "/0", "target": "data", "group": "g", "allow": ["nothing"],
	     "extra_config": {"proxy": {"flatmap_filter": [{"type": "del", "args": ["items.*.secret", "keep"]}, {"type": "move", "args": ["items", "ids"]}]}}},
	    {"host": ["{{b1}}"], "url_pattern": "/1"}
	  ]}]}`
	got := get(t, gateway(t, cfg, "{{b0}}", b0.URL, "{{b1}}", b1.URL), "/x")
	want(t, got, 200, `{"g":{"ids":[{"id":1},{"id":2},3]},"renamed":"static wins"}`, exec.HeaderCompleted, "true")
}

// TestSequentialBudget: all backends share one budget; backend 0 timing out
// gives 504 and the chain stops (§12.2, §15).
func TestSequentialBudget(t *testing.T) {
	checkLeaks(t)
	b1, r1 := recordingBackend(t, 200, `{"b":1}`)
	cfg := `{"version": 3, "endpoints": [{"endpoint": "/s", "timeout": "300ms", "extra_config": {"proxy": {"sequential": true}},
	  "backend": [{"host": ["{{b0}}"], "url_pattern": "/a"}, {"host": ["{{b1}}"], "url_pattern": "/b"}]}]}`
	got := get(t, gateway(t, cfg, "{{b0}}", hang(t), "{{b1}}", b1.URL), "/s")
	wantError(t, got, 504, "gateway_timeout")
	if n := len(r1.all()); n != 0 {
		t.Errorf("backend 1 called %d times after backend 0 timed out", n)
	}
}
