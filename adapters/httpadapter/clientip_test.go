package httpadapter

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/tributary-gw/tributary/core/plan"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	for _, tc := range []struct {
		name    string
		router  plan.ClientIPRules
		remote  string
		headers http.Header
		want    string
	}{
		{"peer address by default", plan.ClientIPRules{}, "192.0.2.7:5555", http.Header{"X-Forwarded-For": {"1.2.3.4"}}, "192.0.2.7"},
		{"ipv6 peer", plan.ClientIPRules{}, "[2001:db8::1]:443", nil, "2001:db8::1"},
		{"v4-mapped peer is unmapped", plan.ClientIPRules{}, "[::ffff:192.0.2.9]:1", nil, "192.0.2.9"},
		{"no usable peer", plan.ClientIPRules{}, "", nil, ""},
		{"untrusted peer: header ignored", plan.ClientIPRules{Forwarded: true, Trusted: trusted, Headers: []string{"X-Forwarded-For"}},
			"192.0.2.7:1", http.Header{"X-Forwarded-For": {"1.2.3.4"}}, "192.0.2.7"},
		{"trusted peer: rightmost untrusted entry", plan.ClientIPRules{Forwarded: true, Trusted: trusted, Headers: []string{"X-Forwarded-For"}},
			"10.1.1.1:1", http.Header{"X-Forwarded-For": {"6.6.6.6, 1.2.3.4, 10.2.2.2"}}, "1.2.3.4"},
		{"trusted peer: repeated header lines joined", plan.ClientIPRules{Forwarded: true, Trusted: trusted, Headers: []string{"X-Forwarded-For"}},
			"10.1.1.1:1", http.Header{"X-Forwarded-For": {"6.6.6.6", "5.5.5.5"}}, "5.5.5.5"},
		{"trusted peer: first configured header present wins", plan.ClientIPRules{Forwarded: true, Trusted: trusted, Headers: []string{"X-Forwarded-For", "X-Real-Ip"}},
			"10.1.1.1:1", http.Header{"X-Real-Ip": {"7.7.7.7"}}, "7.7.7.7"},
		{"trusted peer: garbage entry stops the walk", plan.ClientIPRules{Forwarded: true, Trusted: trusted, Headers: []string{"X-Forwarded-For"}},
			"10.1.1.1:1", http.Header{"X-Forwarded-For": {"1.2.3.4, not-an-ip"}}, "10.1.1.1"},
		{"trusted peer: all entries trusted", plan.ClientIPRules{Forwarded: true, Trusted: trusted, Headers: []string{"X-Forwarded-For"}},
			"127.0.0.1:1", http.Header{"X-Forwarded-For": {"10.9.9.9"}}, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &Handler{edge: &plan.Edge{ClientIP: tc.router}}
			r := &http.Request{RemoteAddr: tc.remote, Header: tc.headers}
			if got := h.clientIP(r); got != tc.want {
				t.Errorf("clientIP = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRequestPathKeepsTheRawForm(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"/users/a%2Fb?x=1", "/users/a%2Fb"},
		{"/users/a b", "/users/a b"},
		{"/plain", "/plain"},
	} {
		r, err := http.NewRequest("GET", "http://h"+tc.uri, nil)
		if err != nil {
			// A raw space is not a valid client URL; build the server-side form.
			r = &http.Request{}
		}
		r.RequestURI = tc.uri
		if got := requestPath(r); got != tc.want {
			t.Errorf("requestPath(%q) = %q, want %q", tc.uri, got, tc.want)
		}
	}
}
