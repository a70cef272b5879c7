package lambdaadapter

// Regression tests for the known aws-lambda-go-api-proxy v0.16.2 bugs
// (lambda.md §3.1). Each proves the bug does not reach our users and pins
// the upstream behaviour, so that an upgrade that fixes it is noticed.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// upstream runs api-proxy's own adapter for the event's trigger and returns
// what the handler saw and the marshalled reply (nil on error).
func upstream(t *testing.T, trig string, raw []byte, h http.Handler) (seen, []byte, error) {
	t.Helper()
	rec := &recorder{respond: func(w http.ResponseWriter, r *http.Request) {
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(200)
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out any
	var err error
	switch trig {
	case "rest":
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		out, err = httpadapter.New(rec).ProxyWithContext(ctx, ev)
	case "v2", "url":
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		out, err = httpadapter.NewV2(rec).ProxyWithContext(ctx, ev)
	case "alb":
		var ev events.ALBTargetGroupRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		out, err = httpadapter.NewALB(rec).ProxyWithContext(ctx, ev)
	default:
		t.Fatalf("unknown trigger %q", trig)
	}
	if err != nil {
		return seen{}, nil, err
	}
	b, merr := json.Marshal(out)
	if merr != nil {
		t.Fatal(merr)
	}
	return rec.last(t), b, nil
}

func TestAPIProxyBug_V2CommaSplit(t *testing.T) {
	headers := map[string]string{
		"if-none-match":                  `"x,y", "z"`,
		"x-date":                         "Tue, 25 Nov 2025 10:00:00 GMT",
		"access-control-request-headers": "content-type,authorization",
	}
	for _, trig := range []string{"v2", "url"} {
		t.Run(trig, func(t *testing.T) {
			ev := v2Event("GET", "/x")
			if trig == "url" {
				ev = urlEvent("GET", "/x")
			}
			for k, v := range headers {
				setHeader(ev, k, v)
			}
			raw := mustJSON(t, ev)
			rec := &recorder{}
			handle(t, New(rec, Options{}), raw)
			got := rec.last(t)
			up, _, err := upstream(t, trig, raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range headers {
				ck := http.CanonicalHeaderKey(k)
				if !slices.Equal(got.Header[ck], []string{v}) {
					t.Errorf("ours: %s = %q, want the single field %q", ck, got.Header[ck], v)
				}
				if ck != "If-None-Match" && len(up.Header[ck]) < 2 {
					t.Errorf("upstream no longer splits %s (%q): revisit B1", ck, up.Header[ck])
				}
			}
		})
	}
}

func TestAPIProxyBug_ALBQueryDoubleEncode(t *testing.T) {
	for _, multi := range []bool{false, true} {
		ev := albEvent("GET", "/search", multi)
		if multi {
			ev["multiValueQueryStringParameters"] = obj{"q": []string{"hello%20there"}}
		} else {
			ev["queryStringParameters"] = obj{"q": "hello%20there"}
		}
		raw := mustJSON(t, ev)
		rec := &recorder{}
		handle(t, New(rec, Options{}), raw)
		if got := rec.last(t).RawQuery; got != "q=hello%20there" {
			t.Errorf("multi=%v: ours RawQuery %q, want the client's q=hello%%20there", multi, got)
		}
		if vals, _ := url.ParseQuery(rec.last(t).RawQuery); vals.Get("q") != "hello there" {
			t.Errorf("multi=%v: q decodes to %q", multi, vals.Get("q"))
		}
		up, _, err := upstream(t, "alb", raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		if up.RawQuery != "q=hello%2520there" {
			t.Errorf("multi=%v: upstream RawQuery %q: revisit B2", multi, up.RawQuery)
		}
	}
}

func TestAPIProxyBug_ALBHostMultiValue(t *testing.T) {
	raw := mustJSON(t, albEvent("GET", "/echo", true))
	rec := &recorder{}
	handle(t, New(rec, Options{}), raw)
	if got := rec.last(t).Host; got != "alb.example.com" {
		t.Errorf("ours: Host %q, want alb.example.com", got)
	}
	up, _, err := upstream(t, "alb", raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if up.Host != "" {
		t.Errorf("upstream Host %q: revisit B3", up.Host)
	}
}

func TestAPIProxyBug_ALBNullHeaders(t *testing.T) {
	for _, multi := range []bool{false, true} {
		raw := mustJSON(t, albEvent("GET", "/", multi))
		r := handleReply(t, New(&recorder{}, Options{}), raw)
		_, hasSingle := r.keys["headers"]
		_, hasMulti := r.keys["multiValueHeaders"]
		if hasSingle == multi || hasMulti != multi {
			t.Errorf("multi=%v: reply keys headers=%v multiValueHeaders=%v; want exactly the request's mode", multi, hasSingle, hasMulti)
		}
		for k, v := range r.keys {
			if string(v) == "null" {
				t.Errorf("multi=%v: reply key %q is null", multi, k)
			}
		}
		if r.StatusDescription != "200 OK" {
			t.Errorf("statusDescription %q", r.StatusDescription)
		}
		_, out, err := upstream(t, "alb", raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), `"headers":null`) {
			t.Errorf("upstream reply %s no longer has headers:null: revisit B4", out)
		}
	}
}

func TestAPIProxyBug_V2StagePrefix(t *testing.T) {
	tests := []struct{ stage, rawPath, want string }{
		{"prod", "/prod/frontpage/42", "/frontpage/42"},
		{"prod", "/prod", "/"},
		{"prod", "/prod/", "/"},
		{"prod", "/production/x", "/production/x"},
		{"prod", "/other/prod/x", "/other/prod/x"},
		{"$default", "/frontpage/42", "/frontpage/42"},
		{"", "/frontpage/42", "/frontpage/42"},
	}
	for _, tt := range tests {
		ev := v2Event("GET", tt.rawPath)
		ev["requestContext"].(obj)["stage"] = tt.stage
		raw := mustJSON(t, ev)
		rec := &recorder{}
		handle(t, New(rec, Options{}), raw)
		if got := rec.last(t).EscapedPath; got != tt.want {
			t.Errorf("stage %q rawPath %q: path %q, want %q", tt.stage, tt.rawPath, got, tt.want)
		}
		if tt.rawPath == "/prod/frontpage/42" {
			up, _, err := upstream(t, "v2", raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			if up.Path != tt.rawPath {
				t.Errorf("upstream path %q: revisit B5", up.Path)
			}
		}
	}
}

func TestAPIProxyBug_V1NoProxyHeaders(t *testing.T) {
	ev := v1Event("GET", "/x")
	setHeader(ev, "X-GoLambdaProxy-ApiGw-Context", `{"forged":true}`)
	setHeader(ev, "x-golambdaproxy-apigw-stagevars", `{"forged":true}`)
	ev["stageVariables"] = obj{"k": "v"}
	raw := mustJSON(t, ev)
	rec := &recorder{}
	deadline := time.Now().Add(3 * time.Second).Round(time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := New(rec, Options{}).Handle(ctx, raw); err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	for k := range got.Header {
		if strings.HasPrefix(k, "X-Golambdaproxy-") {
			t.Errorf("ours: handler saw %s", k)
		}
	}
	if !got.HasDeadline || !got.Deadline.Equal(deadline) {
		t.Errorf("ours: deadline %v (set %v), want the invoke deadline %v", got.Deadline, got.HasDeadline, deadline)
	}

	// Upstream's non-context Proxy adds the headers and sets no deadline.
	var pev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &pev); err != nil {
		t.Fatal(err)
	}
	up := &recorder{}
	if _, err := httpadapter.New(up).Proxy(pev); err != nil {
		t.Fatal(err)
	}
	if ctxHdr := up.last(t).Header.Get(core.APIGwContextHeader); ctxHdr == "" || up.last(t).HasDeadline {
		t.Errorf("upstream Proxy: context header %q, deadline %v: revisit B6", ctxHdr, up.last(t).HasDeadline)
	}
}

func TestAPIProxyBug_ImplicitOK(t *testing.T) {
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for trig, ev := range triggerEvents() {
		raw := mustJSON(t, ev)
		r := handleReply(t, New(silent, Options{}), raw)
		if r.StatusCode != 200 || r.Body != "" {
			t.Errorf("%s: status %d body %q, want 200 and empty", trig, r.StatusCode, r.Body)
		}
	}
	var pev events.APIGatewayProxyRequest
	if err := json.Unmarshal(mustJSON(t, v1Event("GET", "/")), &pev); err != nil {
		t.Fatal(err)
	}
	if _, err := httpadapter.New(silent).ProxyWithContext(context.Background(), pev); err == nil {
		t.Error("upstream accepts a silent handler: revisit B7")
	}
}

func TestAPIProxyBug_BinaryByContentType(t *testing.T) {
	octet := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write([]byte("just ascii"))
	})
	for trig, ev := range triggerEvents() {
		r := handleReply(t, New(octet, Options{}), mustJSON(t, ev))
		if !r.IsBase64Encoded || string(r.body(t)) != "just ascii" {
			t.Errorf("%s: isBase64Encoded %v body %q, want base64 of the bytes", trig, r.IsBase64Encoded, r.Body)
		}
	}
	_, out, err := upstream(t, "rest", mustJSON(t, v1Event("GET", "/")), octet)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"body":"just ascii"`) {
		t.Errorf("upstream reply %s: revisit B8", out)
	}
}

func TestAPIProxyBug_BasePathBoundary(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/apiary/x", "/apiary/x"},
		{"/api/x", "/x"},
		{"/api", "/"},
		{"/api/", "/"},
		{"/x/api/y", "/x/api/y"},
	}
	for _, tt := range tests {
		for trig, ev := range map[string]obj{
			"rest": v1Event("GET", tt.path), "v2": v2Event("GET", tt.path),
			"url": urlEvent("GET", tt.path), "alb": albEvent("GET", tt.path, true),
		} {
			rec := &recorder{}
			handle(t, New(rec, Options{BasePath: "/api"}), mustJSON(t, ev))
			if got := rec.last(t).EscapedPath; got != tt.want {
				t.Errorf("%s %q: path %q, want %q", trig, tt.path, got, tt.want)
			}
		}
	}
	var acc core.RequestAccessor
	acc.StripBasePath("/api")
	r, err := acc.EventToRequest(events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/apiary/x"})
	if err != nil {
		t.Fatal(err)
	}
	if r.URL.Path != "/ary/x" {
		t.Errorf("upstream StripBasePath gives %q: revisit B9", r.URL.Path)
	}
}

func TestAPIProxyBug_V2SingleCookieHeader(t *testing.T) {
	ev := v2Event("GET", "/")
	ev["cookies"] = []string{"session=abc", "theme=dark"}
	raw := mustJSON(t, ev)
	rec := &recorder{}
	handle(t, New(rec, Options{}), raw)
	if got := rec.last(t).Header["Cookie"]; !slices.Equal(got, []string{"session=abc; theme=dark"}) {
		t.Errorf("ours: Cookie %q, want one header", got)
	}
	up, _, err := upstream(t, "v2", raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Header["Cookie"]) != 2 {
		t.Errorf("upstream Cookie %q: revisit B10", up.Header["Cookie"])
	}
}

func TestAPIProxyBug_V1QueryOrder(t *testing.T) {
	keys := []string{"m", "c", "x", "a", "q", "b", "z", "k", "e", "f"}
	mv := obj{}
	for i, k := range keys {
		mv[k] = []string{k + "2", k + "1", strings.Repeat("v", i)}
	}
	want := ""
	for _, k := range slices.Sorted(slices.Values(keys)) {
		i := slices.Index(keys, k)
		want += "&" + k + "=" + k + "2&" + k + "=" + k + "1&" + k + "=" + strings.Repeat("v", i)
	}
	want = want[1:]
	for trig, ev := range map[string]obj{"rest": v1Event("GET", "/"), "alb": albEvent("GET", "/", true)} {
		ev["multiValueQueryStringParameters"] = mv
		raw := mustJSON(t, ev)
		rec := &recorder{}
		a := New(rec, Options{})
		for range 20 {
			handle(t, a, raw)
			if got := rec.last(t).RawQuery; got != want {
				t.Fatalf("%s: RawQuery %q, want %q", trig, got, want)
			}
		}
	}
	// Upstream builds the query in map order: over 20 runs it varies.
	raw := mustJSON(t, obj{"httpMethod": "GET", "path": "/", "requestContext": obj{}, "multiValueQueryStringParameters": mv})
	orders := map[string]bool{}
	for range 20 {
		up, _, err := upstream(t, "rest", raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		orders[up.RawQuery] = true
	}
	if len(orders) < 2 {
		t.Errorf("upstream query order looks deterministic: revisit B11")
	}
}
