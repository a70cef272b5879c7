package otel_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A well-formed, sampled client trace context.
const (
	clientTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	clientSpan   = "00f067aa0ba902b7"
	clientParent = "00-" + clientTrace + "-" + clientSpan + "-01"
)

// TestTraceparentTrust: an incoming traceparent is honoured only from a
// client inside tributary.trusted_trace_sources; any other client, and any
// malformed value, starts a new trace. Whatever the client sent, each
// backend receives exactly the gateway's own trace context.
func TestTraceparentTrust(t *testing.T) {
	leakCheck(t)
	r := newReceiver()
	port := startHTTPReceiver(t, r)
	b := newBackend(t)
	gw, ob := newGateway(t, b, fmt.Sprintf(`{"exporters": {"otlp": [{"name": "l", "host": "127.0.0.1", "port": %d, "use_http": true}]}}`, port),
		`{"trusted_trace_sources": ["10.1.0.0/16", "2001:db8::/32"]}`)
	defer shutdown(t, ob)

	const trusted, untrusted = "10.1.2.3", "192.0.2.9"
	zeros := "00-" + strings.Repeat("0", 32) + "-" + strings.Repeat("0", 16) + "-01"
	for _, c := range []struct {
		name     string
		ip       string
		header   http.Header
		honoured bool
	}{
		{"untrusted client, valid context", untrusted, http.Header{"Traceparent": {clientParent}, "Tracestate": {"k=v"}}, false},
		{"no client address", "", http.Header{"Traceparent": {clientParent}}, false},
		{"trusted client, valid context", trusted, http.Header{"Traceparent": {clientParent}}, true},
		{"trusted v6 client, valid context", "2001:db8::7", http.Header{"Traceparent": {clientParent}}, true},
		{"trusted client, garbage", trusted, http.Header{"Traceparent": {"garbage"}}, false},
		{"trusted client, all zeros", trusted, http.Header{"Traceparent": {zeros}}, false},
		{"trusted client, oversized", trusted, http.Header{"Traceparent": {clientParent + "-" + strings.Repeat("a", 4096)}}, false},
		{"trusted client, two headers", trusted, http.Header{"Traceparent": {clientParent, clientParent}}, false},
		{"trusted client, bad version", trusted, http.Header{"Traceparent": {"ff" + clientParent[2:]}}, false},
		{"trusted client, upper-case hex", trusted, http.Header{"Traceparent": {strings.ToUpper(clientParent)}}, false},
		{"untrusted client, garbage", untrusted, http.Header{"Traceparent": {"\x00\xff-zz"}, "Tracestate": {strings.Repeat("x=y,", 1000)}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(r.snapshot())
			nBefore, _ := b.seen()
			if st := serve(gw, "/two/42", c.ip, c.header); st != 200 {
				t.Fatalf("status %d", st)
			}
			if err := flush(t, ob); err != nil {
				t.Fatal(err)
			}
			spans := r.snapshot()[before:]
			if len(spans) != 4 {
				t.Fatalf("%d spans, want 4", len(spans))
			}
			g := byName(spans)["GET /two/{id}"]
			if c.honoured {
				if g.traceID != clientTrace || g.parentID != clientSpan {
					t.Errorf("trusted context not continued: trace %s parent %q", g.traceID, g.parentID)
				}
			} else if g.traceID == clientTrace || g.parentID != "" || g.traceID == strings.Repeat("0", 32) {
				t.Errorf("client picked the trace: trace %s parent %q", g.traceID, g.parentID)
			}
			all, states := b.seen()
			for i, tp := range all[len(nBefore):] {
				if !strings.HasPrefix(tp, "00-"+g.traceID+"-") || len(tp) != 55 {
					t.Errorf("backend traceparent %q, want the gateway's trace %s", tp, g.traceID)
				}
				if st := states[len(nBefore)+i]; st != "" {
					t.Errorf("backend received the client's tracestate %q", st)
				}
			}
		})
	}

	// A trusted, unsampled context is respected: nothing is recorded, but
	// the backends still receive the trace id with the sampled flag off.
	before := len(r.snapshot())
	nBefore, _ := b.seen()
	serve(gw, "/two/42", trusted, http.Header{"Traceparent": {clientParent[:len(clientParent)-2] + "00"}})
	if err := flush(t, ob); err != nil {
		t.Fatal(err)
	}
	if n := len(r.snapshot()) - before; n != 0 {
		t.Errorf("unsampled parent: %d spans exported", n)
	}
	all, _ := b.seen()
	for _, tp := range all[len(nBefore):] {
		if !strings.HasPrefix(tp, "00-"+clientTrace+"-") || !strings.HasSuffix(tp, "-00") {
			t.Errorf("unsampled parent: backend traceparent %q", tp)
		}
	}
}
