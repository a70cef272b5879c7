package websec

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/tributary-gw/tributary/core/stage"
)

func mustSecure(t testing.TB, o SecureOptions) *Secure {
	t.Helper()
	s, err := NewSecure(o)
	if err != nil {
		t.Fatalf("NewSecure: %v", err)
	}
	return s
}

func TestSecureHeaders(t *testing.T) {
	s := mustSecure(t, SecureOptions{
		FrameDeny: true, ContentTypeNosniff: true, BrowserXSSFilter: true,
		ContentSecurityPolicy: "default-src 'self'", ReferrerPolicy: "no-referrer",
		STSSeconds: 600, STSIncludeSubdomains: true,
	})
	base := http.Header{
		"X-Frame-Options":         {"DENY"},
		"X-Content-Type-Options":  {"nosniff"},
		"X-Xss-Protection":        {"1; mode=block"},
		"Content-Security-Policy": {"default-src 'self'"},
		"Referrer-Policy":         {"no-referrer"},
	}
	x := xreq("GET")
	if rep := s.Run(context.Background(), x); rep != nil {
		t.Fatalf("answered: %+v", rep)
	}
	if !reflect.DeepEqual(x.Respond, base) {
		t.Errorf("plain HTTP headers\n got %v\nwant %v", x.Respond, base)
	}
	x = xreq("GET")
	x.TLS = true
	s.Run(context.Background(), x)
	if got := x.Respond.Get("Strict-Transport-Security"); got != "max-age=600; includeSubDomains" {
		t.Errorf("HSTS over TLS = %q", got)
	}
	// A custom frame value replaces DENY.
	s = mustSecure(t, SecureOptions{FrameDeny: true, CustomFrameOptionsValue: "SAMEORIGIN", STSSeconds: 5, ForceSTSHeader: true})
	x = xreq("GET")
	s.Run(context.Background(), x)
	want := http.Header{"X-Frame-Options": {"SAMEORIGIN"}, "Strict-Transport-Security": {"max-age=5"}}
	if !reflect.DeepEqual(x.Respond, want) {
		t.Errorf("forced HSTS\n got %v\nwant %v", x.Respond, want)
	}
}

func TestSecureProxyHeadersMarkHTTPS(t *testing.T) {
	s := mustSecure(t, SecureOptions{STSSeconds: 10, SSLRedirect: true,
		SSLProxyHeaders: []HeaderValue{{"x-forwarded-proto", "https"}}})
	x := xreq("GET", "X-Forwarded-Proto", "HTTPS")
	if rep := s.Run(context.Background(), x); rep != nil {
		t.Fatalf("marked request redirected: %+v", rep)
	}
	if x.Respond.Get("Strict-Transport-Security") != "max-age=10" {
		t.Errorf("no HSTS: %v", x.Respond)
	}
	x = xreq("GET", "X-Forwarded-Proto", "http")
	x.Host = "api.example.com"
	rep := s.Run(context.Background(), x)
	if rep == nil || rep.Status != 301 {
		t.Fatalf("plain request not redirected: %+v", rep)
	}
	if x.Respond.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS on plain HTTP: %v", x.Respond)
	}
}

func TestSecureRedirect(t *testing.T) {
	s := mustSecure(t, SecureOptions{SSLRedirect: true})
	x := &stage.Exchange{Method: "POST", Host: "api.example.com:8080", RawPath: "/a%20b/c", RawQuery: "q=1&r=%2F", Header: http.Header{}}
	rep := s.Run(context.Background(), x)
	if rep == nil || rep.Status != 301 || rep.Header.Get("Location") != "https://api.example.com:8080/a%20b/c?q=1&r=%2F" {
		t.Fatalf("redirect = %+v", rep)
	}
	x.TLS = true
	if rep := s.Run(context.Background(), x); rep != nil {
		t.Errorf("TLS request redirected: %+v", rep)
	}
	s = mustSecure(t, SecureOptions{SSLRedirect: true, SSLHost: "secure.example.com"})
	x = &stage.Exchange{Method: "GET", Host: "evil.test", RawPath: "/", Header: http.Header{}}
	if rep := s.Run(context.Background(), x); rep == nil || rep.Header.Get("Location") != "https://secure.example.com/" {
		t.Errorf("ssl_host redirect = %+v", rep)
	}
	// A Host that would change the target's shape is refused, not used.
	s = mustSecure(t, SecureOptions{SSLRedirect: true})
	for _, host := range []string{"", "evil.test/x", "a@b", `a\b`, "a b"} {
		x = &stage.Exchange{Method: "GET", Host: host, RawPath: "/", Header: http.Header{}}
		if rep := s.Run(context.Background(), x); rep == nil || rep.Status != 400 {
			t.Errorf("Host %q: %+v", host, rep)
		}
	}
	// Development mode: no redirect, no host check, no HSTS.
	s = mustSecure(t, SecureOptions{SSLRedirect: true, AllowedHosts: []string{"a"}, STSSeconds: 9, ForceSTSHeader: true,
		IsDevelopment: true, FrameDeny: true})
	x = &stage.Exchange{Method: "GET", Host: "b", RawPath: "/", Header: http.Header{}}
	if rep := s.Run(context.Background(), x); rep != nil || x.Respond.Get("Strict-Transport-Security") != "" ||
		x.Respond.Get("X-Frame-Options") != "DENY" {
		t.Errorf("development: %+v %v", rep, x.Respond)
	}
}

func TestSecureAllowedHosts(t *testing.T) {
	plain := mustSecure(t, SecureOptions{AllowedHosts: []string{"api.example.com:8443", "api.example.com"}, FrameDeny: true})
	re := mustSecure(t, SecureOptions{AllowedHosts: []string{`api\.example\.(com|org)`, `(?i)admin\.test`}, AllowedHostsAreRegex: true})
	proxied := mustSecure(t, SecureOptions{AllowedHosts: []string{"public.example.com"}, HostProxyHeaders: []string{"x-forwarded-host"}})
	cases := []struct {
		s    *Secure
		host string
		hdr  []string
		ok   bool
	}{
		{plain, "api.example.com", nil, true},
		{plain, "API.Example.COM:8443", nil, true},
		{plain, "api.example.com:9000", nil, false},
		{plain, "evil.test", nil, false},
		{plain, "", nil, false},
		{re, "api.example.org", nil, true},
		{re, "API.example.org", nil, false}, // case-sensitive unless (?i)
		{re, "ADMIN.TEST", nil, true},
		{re, "xapi.example.com", nil, false}, // anchored
		{re, "api.example.com.evil", nil, false},
		{proxied, "internal:8080", []string{"X-Forwarded-Host", "public.example.com"}, true},
		{proxied, "public.example.com", []string{"X-Forwarded-Host", "evil.test"}, false},
		{proxied, "public.example.com", nil, true},
	}
	for _, tc := range cases {
		x := xreq("GET", tc.hdr...)
		x.Host = tc.host
		rep := tc.s.Run(context.Background(), x)
		if tc.ok != (rep == nil) {
			t.Errorf("host %q %v: reply %+v, want allowed=%v", tc.host, tc.hdr, rep, tc.ok)
		}
		if rep != nil && (rep.Status != 400 || rep.Code != "host_not_allowed") {
			t.Errorf("host %q: reply %+v", tc.host, rep)
		}
	}
	// Headers still go on the rejection.
	x := xreq("GET")
	x.Host = "evil.test"
	plain.Run(context.Background(), x)
	if x.Respond.Get("X-Frame-Options") != "DENY" {
		t.Errorf("rejection without security headers: %v", x.Respond)
	}
}

func TestSecureRefusedOptions(t *testing.T) {
	for _, o := range []SecureOptions{
		{AllowedHosts: []string{"a("}, AllowedHostsAreRegex: true},
		{ContentSecurityPolicy: "a\r\nX-Injected: 1"},
		{SSLHost: "https://a"},
		{HostProxyHeaders: []string{"a b"}},
		{SSLProxyHeaders: []HeaderValue{{"a b", "c"}}},
		{STSSeconds: -1},
	} {
		if _, err := NewSecure(o); err == nil {
			t.Errorf("NewSecure(%+v) accepted", o)
		}
	}
}
