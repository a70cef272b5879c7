package websec

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

func mustCORS(t testing.TB, o CORSOptions) *CORS {
	t.Helper()
	c, err := NewCORS(o)
	if err != nil {
		t.Fatalf("NewCORS: %v", err)
	}
	return c
}

// xreq builds an Exchange from a method and header pairs.
func xreq(method string, kv ...string) *stage.Exchange {
	h := make(http.Header)
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return &stage.Exchange{Method: method, RawPath: "/p", Header: h}
}

func defaultOpts() CORSOptions {
	return CORSOptions{
		AllowOrigins:  []string{"*"},
		AllowMethods:  []string{"GET", "HEAD", "POST"},
		ExposeHeaders: []string{"Content-Length", "Content-Type"},
	}
}

func TestCORSPreflightMatrix(t *testing.T) {
	listed := CORSOptions{
		AllowOrigins:     []string{"https://app.example.com", "https://*.example.org", "null"},
		AllowMethods:     []string{"GET", "put"},
		AllowHeaders:     []string{"Authorization", "X-Trace"},
		ExposeHeaders:    []string{"X-Tributary-Completed"},
		AllowCredentials: true,
		MaxAge:           90*time.Second + 500*time.Millisecond,
	}
	preVary := []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}
	cases := []struct {
		name string
		opts CORSOptions
		hdr  []string
		want http.Header // exact Respond
	}{
		{"star grant", defaultOpts(), []string{"Origin", "https://x.test", "Access-Control-Request-Method", "POST"},
			http.Header{"Vary": preVary, "Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"POST"}}},
		{"star default headers", defaultOpts(), []string{"Origin", "https://x.test", "Access-Control-Request-Method", "get",
			"Access-Control-Request-Headers", "content-type, x-requested-with,Accept, origin"},
			http.Header{"Vary": preVary, "Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"GET"},
				"Access-Control-Allow-Headers": {"content-type, x-requested-with,Accept, origin"}}},
		{"star header not in default list [H22]", defaultOpts(), []string{"Origin", "https://x.test",
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization"},
			http.Header{"Vary": preVary}},
		{"method refused", defaultOpts(), []string{"Origin", "https://x.test", "Access-Control-Request-Method", "DELETE"},
			http.Header{"Vary": preVary}},
		{"no origin", defaultOpts(), []string{"Access-Control-Request-Method", "GET"}, http.Header{"Vary": preVary}},
		{"listed grant with credentials and max age", listed, []string{"Origin", "https://app.example.com",
			"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "X-Trace, authorization"},
			http.Header{"Vary": preVary, "Access-Control-Allow-Origin": {"https://app.example.com"},
				"Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"PUT"},
				"Access-Control-Allow-Headers": {"X-Trace, authorization"}, "Access-Control-Max-Age": {"90"}}},
		{"origin reflected as sent", listed, []string{"Origin", "HTTPS://App.Example.com", "Access-Control-Request-Method", "GET"},
			http.Header{"Vary": preVary, "Access-Control-Allow-Origin": {"HTTPS://App.Example.com"},
				"Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"GET"}, "Access-Control-Max-Age": {"90"}}},
		{"wildcard origin", listed, []string{"Origin", "https://a.b-c.example.org", "Access-Control-Request-Method", "GET"},
			http.Header{"Vary": preVary, "Access-Control-Allow-Origin": {"https://a.b-c.example.org"},
				"Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"GET"}, "Access-Control-Max-Age": {"90"}}},
		{"wildcard needs a character [H8]", listed, []string{"Origin", "https://.example.org", "Access-Control-Request-Method", "GET"},
			http.Header{"Vary": preVary}},
		{"wildcard is anchored", listed, []string{"Origin", "https://a.example.org.evil.test", "Access-Control-Request-Method", "GET"},
			http.Header{"Vary": preVary}},
		{"origin not listed", listed, []string{"Origin", "https://evil.test", "Access-Control-Request-Method", "GET"},
			http.Header{"Vary": preVary}},
		{"null listed", listed, []string{"Origin", "null", "Access-Control-Request-Method", "GET"},
			http.Header{"Vary": preVary, "Access-Control-Allow-Origin": {"null"},
				"Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"GET"}, "Access-Control-Max-Age": {"90"}}},
		{"header refused", listed, []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "GET",
			"Access-Control-Request-Headers", "x-trace, x-other"}, http.Header{"Vary": preVary}},
		{"any header", CORSOptions{AllowMethods: []string{"GET"}, AllowHeaders: []string{"*"}},
			[]string{"Origin", "https://x.test", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-anything"},
			http.Header{"Vary": preVary, "Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"GET"},
				"Access-Control-Allow-Headers": {"x-anything"}}},
		{"private network", CORSOptions{AllowMethods: []string{"GET"}, AllowPrivateNetwork: true},
			[]string{"Origin", "https://x.test", "Access-Control-Request-Method", "GET", "Access-Control-Request-Private-Network", "true"},
			http.Header{"Vary": append(preVary[:3:3], "Access-Control-Request-Private-Network"), "Access-Control-Allow-Origin": {"*"},
				"Access-Control-Allow-Methods": {"GET"}, "Access-Control-Allow-Private-Network": {"true"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCORS(t, tc.opts)
			x := xreq(http.MethodOptions, tc.hdr...)
			rep := c.Run(context.Background(), x)
			if rep == nil || rep.Status != 204 || rep.Body != nil || rep.Code != "" {
				t.Fatalf("reply = %+v, want 204 with an empty body", rep)
			}
			if !reflect.DeepEqual(x.Respond, tc.want) {
				t.Errorf("headers\n got %v\nwant %v", x.Respond, tc.want)
			}
		})
	}
}

func TestCORSActualRequests(t *testing.T) {
	listed := CORSOptions{
		AllowOrigins:     []string{"https://app.example.com"},
		AllowMethods:     []string{"GET"},
		ExposeHeaders:    []string{"X-Tributary-Completed", "Content-Type"},
		AllowCredentials: true,
	}
	cases := []struct {
		name   string
		opts   CORSOptions
		method string
		hdr    []string
		want   http.Header
	}{
		{"star", defaultOpts(), "GET", []string{"Origin", "https://x.test"}, http.Header{"Vary": {"Origin"},
			"Access-Control-Allow-Origin": {"*"}, "Access-Control-Expose-Headers": {"Content-Length, Content-Type"}}},
		{"no origin", defaultOpts(), "GET", nil, http.Header{"Vary": {"Origin"}}},
		{"method not allowed", defaultOpts(), "DELETE", []string{"Origin", "https://x.test"}, http.Header{"Vary": {"Origin"}}},
		{"plain OPTIONS is not a preflight", defaultOpts(), "OPTIONS", []string{"Origin", "https://x.test"}, http.Header{"Vary": {"Origin"}}},
		{"listed", listed, "GET", []string{"Origin", "https://app.example.com"}, http.Header{"Vary": {"Origin"},
			"Access-Control-Allow-Origin": {"https://app.example.com"}, "Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Expose-Headers": {"X-Tributary-Completed, Content-Type"}}},
		{"not listed", listed, "GET", []string{"Origin", "https://evil.test"}, http.Header{"Vary": {"Origin"}}},
		{"no expose list", CORSOptions{AllowMethods: []string{"GET"}}, "GET", []string{"Origin", "https://x.test"},
			http.Header{"Vary": {"Origin"}, "Access-Control-Allow-Origin": {"*"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCORS(t, tc.opts)
			x := xreq(tc.method, tc.hdr...)
			if rep := c.Run(context.Background(), x); rep != nil {
				t.Fatalf("actual request answered: %+v", rep)
			}
			if !reflect.DeepEqual(x.Respond, tc.want) {
				t.Errorf("headers\n got %v\nwant %v", x.Respond, tc.want)
			}
		})
	}
}

func TestCORSPassthroughAndStatus(t *testing.T) {
	o := defaultOpts()
	o.OptionsPassthrough = true
	c := mustCORS(t, o)
	x := xreq("OPTIONS", "Origin", "https://x.test", "Access-Control-Request-Method", "GET")
	if rep := c.Run(context.Background(), x); rep != nil {
		t.Fatalf("passthrough answered: %+v", rep)
	}
	if x.Respond.Get("Access-Control-Allow-Origin") != "*" || len(x.Respond["Vary"]) != 3 {
		t.Errorf("passthrough headers: %v", x.Respond)
	}
	o = defaultOpts()
	o.OptionsSuccessStatus = 200
	rep := mustCORS(t, o).Run(context.Background(), xreq("OPTIONS", "Access-Control-Request-Method", "GET"))
	if rep == nil || rep.Status != 200 {
		t.Errorf("status: %+v", rep)
	}
}

func TestCORSRefusedOptions(t *testing.T) {
	for _, o := range []CORSOptions{
		{AllowCredentials: true},
		{AllowOrigins: []string{"https://a.test", "*"}, AllowCredentials: true},
		{AllowOrigins: []string{"https://a.test/"}},
		{AllowOrigins: []string{"https://*.*.test"}},
		{AllowOrigins: []string{"a.test"}},
		{AllowMethods: []string{"G T"}},
		{AllowHeaders: []string{"a b"}},
		{ExposeHeaders: []string{"a\nb"}},
		{OptionsSuccessStatus: 404},
	} {
		if _, err := NewCORS(o); err == nil {
			t.Errorf("NewCORS(%+v) accepted", o)
		}
	}
}

func TestOriginMatcher(t *testing.T) {
	m, err := NewOriginMatcher([]string{"https://App.Example.com", "https://*.example.org:8443", "http://a*"})
	if err != nil {
		t.Fatal(err)
	}
	for o, want := range map[string]bool{
		"https://app.example.com":           true,
		"HTTPS://APP.EXAMPLE.COM":           true,
		"https://app.example.com:443":       false,
		"https://app.example.co":            false,
		"https://x.example.org:8443":        true,
		"https://x.y.example.org:8443":      true,
		"https://.example.org:8443":         false, // "*" stands for one or more characters
		"https://..example.org:8443":        true,  // "." is a hostname character
		"https://example.org:8443":          false,
		"https://x.example.org":             false,
		"https://x/y.example.org:8443":      false,
		"https://x@y.example.org:8443":      false,
		"http://a":                          false,
		"http://ab":                         true,
		"http://a:80":                       false,
		"null":                              false,
		"":                                  false,
		"https://app.example.\u212aom":      false,
		"https://\u212a.example.org:8443":   false,
		"https://app.example.com\x00":       false,
		"https://x.example.org:8443 , evil": false,
	} {
		if got := m.Match(o); got != want {
			t.Errorf("Match(%q) = %v, want %v", o, got, want)
		}
	}
}

func TestCORSNoAllocsBeyondHeaders(t *testing.T) {
	c := mustCORS(t, CORSOptions{AllowOrigins: []string{"https://app.example.com", "https://*.example.org"},
		AllowMethods: []string{"GET"}, ExposeHeaders: []string{"Content-Type"}, AllowCredentials: true})
	h := http.Header{"Origin": {"https://a.example.org"}}
	x := &stage.Exchange{Method: "GET", Header: h, Respond: make(http.Header, 8)}
	allocs := testing.AllocsPerRun(200, func() {
		clear(x.Respond)
		c.Run(context.Background(), x)
	})
	if allocs != 0 {
		t.Errorf("actual request: %v allocs, want 0 (Respond preallocated)", allocs)
	}
	if !strings.Contains(x.Respond.Get("Access-Control-Allow-Origin"), "a.example.org") {
		t.Errorf("no grant: %v", x.Respond)
	}
}
