package conformance

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that records failures instead of failing, so the
// checkers themselves can be tested.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.errs = append(r.errs, "fatal: "+fmt.Sprintf(format, args...))
}

// TestCheckersCatch proves that the invariant and expectation checks fail
// when they should: each bad response must produce a failure naming the
// broken rule, and the good one none.
func TestCheckersCatch(t *testing.T) {
	c := &goldenCase{
		name:     "selfcheck",
		Backends: map[string]cannedBackend{"api": {}},
		Config:   []byte(`{"version": 3, "timeout": "500ms", "endpoints": [{"endpoint": "/x", "backend": [{"host": ["{{api}}"], "url_pattern": "/d"}]}]}`),
		Request:  caseRequest{Path: "/x"},
	}
	urls := map[string]string{"api": "http://127.0.0.1:9"}
	gw := buildGateway(t, c, urls)
	good := func() *observed {
		return &observed{
			status: 200,
			header: http.Header{
				"Content-Type":          {"application/json; charset=utf-8"},
				"Content-Length":        {"8"},
				"X-Tributary-Completed": {"true"},
			},
			body:    []byte(`{"a":12}`),
			latency: 10 * time.Millisecond,
		}
	}
	okCall := seenRequest{route: "*", method: "GET", host: "127.0.0.1:9", path: "/d", header: http.Header{}}
	tests := []struct {
		name   string
		mutate func(*observed)
		calls  []seenRequest
		expect *expectation
		want   string // substring of a failure; "" means no failure
	}{
		{name: "good", calls: []seenRequest{okCall}},
		{name: "length mismatch", mutate: func(o *observed) { o.header.Set("Content-Length", "9") }, want: "Content-Length 9 but 8"},
		{name: "chunked", mutate: func(o *observed) { o.transferEncoding = []string{"chunked"} }, want: "Transfer-Encoding"},
		{name: "invalid json 200", mutate: func(o *observed) { o.body = []byte(`{"a":1`); o.header.Set("Content-Length", "6") }, want: "invalid JSON"},
		{name: "complete on 502", mutate: func(o *observed) { o.status = 502 }, want: "true on a 502"},
		{name: "cache on partial", mutate: func(o *observed) {
			o.header.Set("X-Tributary-Completed", "false")
			o.header.Set("Cache-Control", "public, max-age=1")
		}, want: "Cache-Control"},
		{name: "rejection reached backend", mutate: func(o *observed) {
			o.status = 400
			o.body = []byte(`{"error":"invalid_path","message":"m"}`)
			o.header.Set("Content-Length", "38")
			o.header.Set("X-Tributary-Completed", "false")
		}, calls: []seenRequest{okCall}, want: "rejected"},
		{name: "banner", mutate: func(o *observed) { o.header.Set("X-Krakend-Completed", "true") }, want: "X-Krakend-Completed"},
		{name: "slow", mutate: func(o *observed) { o.latency = time.Second }, want: "latency"},
		{name: "backend host changed", calls: []seenRequest{{route: "*", host: "evil.example", header: http.Header{}}}, want: "Host"},
		{name: "backend body without length", calls: []seenRequest{{route: "*", host: "127.0.0.1:9", body: []byte("abc"), contentLength: -1, header: http.Header{}}}, want: "Content-Length -1"},
		{name: "expected header absent", expect: &expectation{Status: 200, Headers: map[string]headerValues{"X-Tributary-Completed": {absent: true}}}, want: "want it absent"},
		{name: "expected body differs", expect: &expectation{Status: 200, Body: []byte(`{"a": 13}`)}, want: "body mismatch"},
		{name: "unexpected backend call", expect: &expectation{Status: 200, BackendCalls: map[string]int{}}, calls: []seenRequest{okCall}, want: "want none"},
		{name: "backend saw header", expect: &expectation{Status: 200, BackendSaw: map[string]sawExpect{"api": {Headers: map[string]headerValues{"Cookie": {absent: true}}}}},
			calls: []seenRequest{{route: "*", host: "127.0.0.1:9", header: http.Header{"Cookie": {"a=b"}}}}, want: "header Cookie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := good()
			if tt.mutate != nil {
				tt.mutate(obs)
			}
			bs := &backendSet{urls: urls, seen: map[string][]seenRequest{"api": tt.calls}}
			cc := *c
			if tt.expect != nil {
				cc.Expect = *tt.expect
			} else {
				cc.Expect = expectation{Status: obs.status}
			}
			rec := &recorder{TB: t}
			checkExpect(rec, &cc, obs, bs)
			checkInvariants(rec, &cc, obs, bs, gw)
			all := strings.Join(rec.errs, "\n")
			switch {
			case tt.want == "" && len(rec.errs) > 0:
				t.Errorf("unexpected failures:\n%s", all)
			case tt.want != "" && !strings.Contains(all, tt.want):
				t.Errorf("want a failure containing %q, got:\n%s", tt.want, all)
			}
		})
	}
}
