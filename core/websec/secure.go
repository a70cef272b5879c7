package websec

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// HeaderValue is one header name with the value it must hold.
type HeaderValue struct {
	// Name is the header name.
	Name string
	// Value is the value that marks a request (compared
	// case-insensitively).
	Value string
}

// SecureOptions configure a security/http stage.
type SecureOptions struct {
	// AllowedHosts, when not empty, are the only hosts served: exact
	// hosts compared case-insensitively (port included as written), or
	// with AllowedHostsAreRegex RE2 patterns anchored at both ends.
	AllowedHosts []string
	// AllowedHostsAreRegex reads AllowedHosts as RE2 patterns.
	AllowedHostsAreRegex bool
	// HostProxyHeaders are read, in order, instead of Host: the first one
	// present gives the host to check.
	HostProxyHeaders []string
	// STSSeconds > 0 sends Strict-Transport-Security on HTTPS requests.
	STSSeconds int64
	// STSIncludeSubdomains adds "; includeSubDomains".
	STSIncludeSubdomains bool
	// ForceSTSHeader sends Strict-Transport-Security on plain HTTP too.
	ForceSTSHeader bool
	// FrameDeny sends X-Frame-Options: DENY.
	FrameDeny bool
	// CustomFrameOptionsValue replaces DENY when not empty (and sends the
	// header even without FrameDeny).
	CustomFrameOptionsValue string
	// ContentTypeNosniff sends X-Content-Type-Options: nosniff.
	ContentTypeNosniff bool
	// BrowserXSSFilter sends X-XSS-Protection: 1; mode=block.
	BrowserXSSFilter bool
	// ContentSecurityPolicy is sent as Content-Security-Policy when set.
	ContentSecurityPolicy string
	// ReferrerPolicy is sent as Referrer-Policy when set.
	ReferrerPolicy string
	// SSLRedirect answers plain-HTTP requests with a 301 to https.
	SSLRedirect bool
	// SSLHost is the host of the redirect target; empty means the
	// request's Host.
	SSLHost string
	// SSLProxyHeaders mark a request as HTTPS when one of them holds its
	// value (X-Forwarded-Proto: https behind a TLS-terminating proxy).
	SSLProxyHeaders []HeaderValue
	// IsDevelopment turns off the host check, the redirect and HSTS.
	IsDevelopment bool
}

// Secure is a compiled security/http stage. It is immutable and safe for
// concurrent use.
type Secure struct {
	static      []fixedHeader
	sts         []string
	forceSTS    bool
	hosts       []string
	hostRE      []*regexp.Regexp
	hostHeaders []string
	redirect    bool
	sslHost     string
	sslHeaders  []HeaderValue
	hostReply   *stage.Reply
	badRedirect *stage.Reply
}

// fixedHeader is a header sent with the same value on every response.
type fixedHeader struct {
	name  string   // canonical
	value []string // one value, capacity 1
}

// NewSecure compiles o. It fails on an invalid host pattern (naming it),
// on header names or values that cannot be sent, and on an ssl_host that
// is not a bare host[:port].
func NewSecure(o SecureOptions) (*Secure, error) {
	s := &Secure{
		forceSTS:    o.ForceSTSHeader && !o.IsDevelopment,
		redirect:    o.SSLRedirect && !o.IsDevelopment,
		sslHost:     o.SSLHost,
		sslHeaders:  append([]HeaderValue(nil), o.SSLProxyHeaders...),
		hostReply:   &stage.Reply{Status: http.StatusBadRequest, Code: "host_not_allowed", Message: "host not allowed"},
		badRedirect: &stage.Reply{Status: http.StatusBadRequest, Code: "bad_request", Message: "the request has no valid host to redirect to https"},
	}
	add := func(name, value string) error {
		if !httpsyntax.IsFieldValue(value) {
			return fmt.Errorf("the %s value %q cannot be sent in a header", name, value)
		}
		s.static = append(s.static, fixedHeader{name, one(value)})
		return nil
	}
	frame := o.CustomFrameOptionsValue
	if frame == "" && o.FrameDeny {
		frame = "DENY"
	}
	if frame != "" {
		if err := add("X-Frame-Options", frame); err != nil {
			return nil, err
		}
	}
	if o.ContentTypeNosniff {
		_ = add("X-Content-Type-Options", "nosniff")
	}
	if o.BrowserXSSFilter {
		_ = add("X-Xss-Protection", "1; mode=block")
	}
	if o.ContentSecurityPolicy != "" {
		if err := add("Content-Security-Policy", o.ContentSecurityPolicy); err != nil {
			return nil, err
		}
	}
	if o.ReferrerPolicy != "" {
		if err := add("Referrer-Policy", o.ReferrerPolicy); err != nil {
			return nil, err
		}
	}
	if o.STSSeconds < 0 {
		return nil, fmt.Errorf("sts_seconds %d is negative", o.STSSeconds)
	}
	if o.STSSeconds > 0 && !o.IsDevelopment {
		v := "max-age=" + strconv.FormatInt(o.STSSeconds, 10)
		if o.STSIncludeSubdomains {
			v += "; includeSubDomains"
		}
		s.sts = one(v)
	}
	if o.SSLHost != "" {
		if err := CheckHost(o.SSLHost); err != nil {
			return nil, fmt.Errorf("ssl_host: %w", err)
		}
	}
	for _, h := range o.HostProxyHeaders {
		if !httpsyntax.IsToken(h) {
			return nil, fmt.Errorf("invalid header name %q in host_proxy_headers", h)
		}
		s.hostHeaders = append(s.hostHeaders, http.CanonicalHeaderKey(h))
	}
	for i, hv := range s.sslHeaders {
		if !httpsyntax.IsToken(hv.Name) {
			return nil, fmt.Errorf("invalid header name %q in ssl_proxy_headers", hv.Name)
		}
		s.sslHeaders[i].Name = http.CanonicalHeaderKey(hv.Name)
	}
	if !o.IsDevelopment {
		for _, h := range o.AllowedHosts {
			if !o.AllowedHostsAreRegex {
				s.hosts = append(s.hosts, h)
				continue
			}
			re, err := CompileHostPattern(h)
			if err != nil {
				return nil, err
			}
			s.hostRE = append(s.hostRE, re)
		}
	}
	return s, nil
}

// CompileHostPattern compiles an allowed_hosts regular expression,
// anchored at both ends.
func CompileHostPattern(p string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(p); err != nil {
		return nil, fmt.Errorf("invalid allowed_hosts pattern %q: %v", p, err)
	}
	return regexp.Compile(`^(?:` + p + `)$`)
}

// CheckHost validates a bare host[:port] used to build a redirect URL.
func CheckHost(h string) error {
	if h == "" {
		return fmt.Errorf("empty host")
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`/\@?#%"<>{}|^`+"`", c) >= 0 {
			return fmt.Errorf("host %q must be a bare host[:port]", h)
		}
	}
	return nil
}

// HTTPS reports whether x came over HTTPS: a TLS connection (every Lambda
// request), or one of the configured proxy headers holding its value.
func (s *Secure) HTTPS(x *stage.Exchange) bool {
	if x.TLS {
		return true
	}
	for _, hv := range s.sslHeaders {
		if v := x.Header[hv.Name]; len(v) > 0 && foldEq(v[0], hv.Value) {
			return true
		}
	}
	return false
}

// AddHeaders puts the security headers in x.Respond.
func (s *Secure) AddHeaders(x *stage.Exchange) {
	for _, h := range s.static {
		set(x, h.name, h.value)
	}
	if s.sts != nil && (s.forceSTS || s.HTTPS(x)) {
		set(x, "Strict-Transport-Security", s.sts)
	}
}

// Run implements stage.Endpoint: headers first (they go on every answer),
// then the host check (400 host_not_allowed), then the HTTPS redirect.
func (s *Secure) Run(_ context.Context, x *stage.Exchange) *stage.Reply {
	s.AddHeaders(x)
	if (len(s.hosts) > 0 || len(s.hostRE) > 0) && !s.hostAllowed(s.host(x)) {
		return s.hostReply
	}
	if s.redirect && !s.HTTPS(x) {
		host := s.sslHost
		if host == "" {
			host = x.Host
			if CheckHost(host) != nil {
				return s.badRedirect
			}
		}
		loc := "https://" + host + x.RawPath
		if x.RawQuery != "" {
			loc += "?" + x.RawQuery
		}
		return &stage.Reply{Status: http.StatusMovedPermanently, Header: http.Header{"Location": {loc}}}
	}
	return nil
}

// host is the host to check: the first host proxy header present, else
// Host.
func (s *Secure) host(x *stage.Exchange) string {
	for _, h := range s.hostHeaders {
		if v := x.Header[h]; len(v) > 0 && v[0] != "" {
			return v[0]
		}
	}
	return x.Host
}

func (s *Secure) hostAllowed(h string) bool {
	for _, a := range s.hosts {
		if foldEq(a, h) {
			return true
		}
	}
	for _, re := range s.hostRE {
		if re.MatchString(h) {
			return true
		}
	}
	return false
}
