package lambdaadapter

import "testing"

// TestQueryEncodingLeftToTheCore: a query with a bad percent-encoding is a
// well-formed request line, so it reaches the handler verbatim and the
// gateway core rejects it with the very answer server mode gives (lambda.md
// §3, security.md §5 F). Only bytes a request line cannot hold are refused
// by the adapter (TestHostileEvents).
func TestQueryEncodingLeftToTheCore(t *testing.T) {
	tests := []struct {
		name string
		trig string
		fn   func(ev obj)
		want string
	}{
		{"v2 raw query", "v2", func(ev obj) { ev["rawQueryString"] = "q=%zz" }, "q=%zz"},
		{"Function URL raw query", "url", func(ev obj) { ev["rawQueryString"] = "a=1;b=%G1" }, "a=1;b=%G1"},
		{"ALB query", "alb", func(ev obj) { ev["queryStringParameters"] = obj{"q": "100%"} }, "q=100%"},
		{"ALB multi-value query", "alb-multi", func(ev obj) { ev["multiValueQueryStringParameters"] = obj{"q": []string{"%G1", "x"}} }, "q=%G1&q=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			r := handleReply(t, New(rec, Options{}), mustJSON(t, eventFor(tt.trig, tt.fn)))
			if r.StatusCode != 200 {
				t.Fatalf("status %d (body %s)", r.StatusCode, r.Body)
			}
			if got := rec.last(t).RawQuery; got != tt.want {
				t.Errorf("RawQuery %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRejectionsNotComplete: the adapter's own rejections are
// gateway-generated errors, so like the core's they say
// X-Tributary-Completed: false (krakend-compat.md §14.2), in every
// trigger's format.
func TestRejectionsNotComplete(t *testing.T) {
	for _, trig := range allTriggers {
		t.Run(trig, func(t *testing.T) {
			ev := eventFor(trig, func(ev obj) { ev["body"] = "!!"; ev["isBase64Encoded"] = true })
			r := handleReply(t, New(&recorder{}, Options{}), mustJSON(t, ev))
			if r.StatusCode != 400 || r.header("X-Tributary-Completed") != "false" {
				t.Errorf("status %d, X-Tributary-Completed %q; want 400, \"false\"", r.StatusCode, r.header("X-Tributary-Completed"))
			}
		})
	}
}
