package websec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Header names CORS reads and writes.
const (
	hOrigin          = "Origin"
	hVary            = "Vary"
	hReqMethod       = "Access-Control-Request-Method"
	hReqHeaders      = "Access-Control-Request-Headers"
	hReqPrivateNet   = "Access-Control-Request-Private-Network"
	hAllowOrigin     = "Access-Control-Allow-Origin"
	hAllowMethods    = "Access-Control-Allow-Methods"
	hAllowHeaders    = "Access-Control-Allow-Headers"
	hAllowCreds      = "Access-Control-Allow-Credentials"
	hExposeHeaders   = "Access-Control-Expose-Headers"
	hMaxAge          = "Access-Control-Max-Age"
	hAllowPrivateNet = "Access-Control-Allow-Private-Network"
)

// DefaultAllowHeaders are the request headers a preflight may name when
// no list is configured.
var DefaultAllowHeaders = []string{"Accept", "Content-Type", "X-Requested-With"}

// CORSOptions configure a CORS stage. The zero value allows any origin,
// no method and only the default headers; callers normally pass the
// decoded security/cors options with their defaults applied.
type CORSOptions struct {
	// AllowOrigins are exact origins ("https://app.example.com"), patterns
	// with one "*" standing for one or more hostname characters
	// ("https://*.example.com"), "null", or "*" for any origin. Empty means
	// any origin.
	AllowOrigins []string
	// AllowMethods are the methods granted, compared upper-cased.
	AllowMethods []string
	// AllowHeaders are the request header names a preflight may ask for,
	// case-insensitive; "*" allows any. Empty means DefaultAllowHeaders.
	// Origin is always allowed.
	AllowHeaders []string
	// ExposeHeaders are listed in Access-Control-Expose-Headers on actual
	// requests; empty sends no such header.
	ExposeHeaders []string
	// AllowCredentials sends Access-Control-Allow-Credentials: true. It
	// cannot be combined with any-origin.
	AllowCredentials bool
	// MaxAge is sent as Access-Control-Max-Age in whole seconds when at
	// least one second.
	MaxAge time.Duration
	// OptionsPassthrough lets a preflight continue to the router once its
	// headers are set, instead of answering it.
	OptionsPassthrough bool
	// OptionsSuccessStatus is the status of an answered preflight; 0 means
	// 204.
	OptionsSuccessStatus int
	// AllowPrivateNetwork answers Access-Control-Request-Private-Network.
	AllowPrivateNetwork bool
	// Debug logs each CORS decision at DEBUG level.
	Debug bool
}

// CORS is a compiled security/cors stage. It is immutable and safe for
// concurrent use.
type CORS struct {
	origins     OriginMatcher
	star        bool // answer "*" instead of reflecting the origin
	methods     []string
	anyHeader   bool
	headers     []string // lower-cased, "origin" included
	creds       bool
	passthrough bool
	privateNet  bool
	debug       bool
	reply       *stage.Reply

	// Shared one-value header slices (capacity = length, so an append by
	// a later writer copies instead of writing into them).
	varyActual    []string
	varyPreflight []string
	starValue     []string
	trueValue     []string
	exposeValue   []string
	maxAgeValue   []string
}

// NewCORS compiles o. It fails on an invalid origin entry, an invalid
// method or header name, a preflight status outside 200–299, and on
// any-origin combined with credentials.
func NewCORS(o CORSOptions) (*CORS, error) {
	m, err := NewOriginMatcher(o.AllowOrigins)
	if err != nil {
		return nil, err
	}
	if m.any && o.AllowCredentials {
		return nil, errors.New(`allow_origins "*" cannot be combined with allow_credentials: browsers refuse that pair; list the trusted origins instead`)
	}
	c := &CORS{
		origins:     m,
		star:        m.any && !o.AllowCredentials,
		creds:       o.AllowCredentials,
		passthrough: o.OptionsPassthrough,
		privateNet:  o.AllowPrivateNetwork,
		debug:       o.Debug,
		starValue:   one("*"),
		trueValue:   one("true"),
	}
	for _, meth := range o.AllowMethods {
		if !httpsyntax.IsToken(meth) {
			return nil, fmt.Errorf("invalid method %q in allow_methods", meth)
		}
		c.methods = append(c.methods, strings.ToUpper(meth))
	}
	hs := o.AllowHeaders
	if len(hs) == 0 {
		hs = DefaultAllowHeaders
	}
	c.headers = append(c.headers, "origin")
	for _, h := range hs {
		if h == "*" {
			c.anyHeader = true
			continue
		}
		if !httpsyntax.IsToken(h) {
			return nil, fmt.Errorf("invalid header name %q in allow_headers", h)
		}
		c.headers = append(c.headers, strings.ToLower(h))
	}
	for _, h := range o.ExposeHeaders {
		if !httpsyntax.IsToken(h) {
			return nil, fmt.Errorf("invalid header name %q in expose_headers", h)
		}
	}
	if len(o.ExposeHeaders) > 0 {
		c.exposeValue = one(strings.Join(o.ExposeHeaders, ", "))
	}
	if s := int64(o.MaxAge / time.Second); s > 0 {
		c.maxAgeValue = one(strconv.FormatInt(s, 10))
	}
	status := o.OptionsSuccessStatus
	if status == 0 {
		status = http.StatusNoContent
	}
	if status < 200 || status > 299 {
		return nil, fmt.Errorf("options_success_status %d is not a 2xx status", status)
	}
	c.reply = &stage.Reply{Status: status}
	c.varyActual = one(hOrigin)
	vary := []string{hOrigin, hReqMethod, hReqHeaders}
	if c.privateNet {
		vary = append(vary, hReqPrivateNet)
	}
	c.varyPreflight = vary[:len(vary):len(vary)]
	return c, nil
}

// one is a one-element slice whose capacity is its length.
func one(s string) []string { return []string{s}[:1:1] }

// respondHint sizes x.Respond when a websec stage creates it: room for
// the CORS headers, every security header and the few headers the
// executor merges in afterwards (the executor answers with this map), so
// the map never grows on the way out.
const respondHint = 14

// set puts v under the canonical name k in x.Respond.
func set(x *stage.Exchange, k string, v []string) {
	if x.Respond == nil {
		x.Respond = make(http.Header, respondHint)
	}
	x.Respond[k] = v
}

// first returns the first value of the canonical header k, or "".
func first(h http.Header, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Run implements stage.Endpoint. A preflight (OPTIONS carrying
// Access-Control-Request-Method) is answered here, unless passthrough is
// on; any other request only gets headers and continues.
func (c *CORS) Run(_ context.Context, x *stage.Exchange) *stage.Reply {
	if x.Method == http.MethodOptions && first(x.Header, hReqMethod) != "" {
		c.preflight(x)
		if c.passthrough {
			return nil
		}
		return c.reply
	}
	c.actual(x)
	return nil
}

// allowOrigin sets Access-Control-Allow-Origin (and the credentials flag)
// for the allowed origin of x.
func (c *CORS) allowOrigin(x *stage.Exchange) {
	if c.star {
		set(x, hAllowOrigin, c.starValue)
	} else {
		// The client's own one-value slice, capacity-capped: no copy.
		set(x, hAllowOrigin, x.Header[hOrigin][:1:1])
	}
	if c.creds {
		set(x, hAllowCreds, c.trueValue)
	}
}

// actual handles a request that is not a preflight.
func (c *CORS) actual(x *stage.Exchange) {
	set(x, hVary, c.varyActual)
	origin := first(x.Header, hOrigin)
	if origin == "" {
		return
	}
	if !c.methodAllowed(x.Method) || !c.origins.Match(origin) {
		c.log(x, "actual request refused", origin)
		return
	}
	c.allowOrigin(x)
	if c.exposeValue != nil {
		set(x, hExposeHeaders, c.exposeValue)
	}
}

// preflight puts the preflight's headers in x.Respond: Vary always, the
// grant only when the origin, the method and every header are allowed.
func (c *CORS) preflight(x *stage.Exchange) {
	set(x, hVary, c.varyPreflight)
	origin := first(x.Header, hOrigin)
	if origin == "" {
		c.log(x, "preflight without Origin", "")
		return
	}
	if !c.origins.Match(origin) {
		c.log(x, "preflight refused: origin not allowed", origin)
		return
	}
	reqMethod := x.Header[hReqMethod]
	if !c.methodAllowed(reqMethod[0]) {
		c.log(x, "preflight refused: method not allowed", origin)
		return
	}
	reqHeaders := x.Header[hReqHeaders]
	for _, v := range reqHeaders {
		if !c.headersAllowed(v) {
			c.log(x, "preflight refused: header not allowed", origin)
			return
		}
	}
	c.allowOrigin(x)
	if isUpper(reqMethod[0]) {
		set(x, hAllowMethods, reqMethod[:1:1])
	} else {
		set(x, hAllowMethods, one(strings.ToUpper(reqMethod[0])))
	}
	switch len(reqHeaders) {
	case 0:
	case 1:
		set(x, hAllowHeaders, reqHeaders[:1:1])
	default:
		set(x, hAllowHeaders, one(strings.Join(reqHeaders, ", ")))
	}
	if c.maxAgeValue != nil {
		set(x, hMaxAge, c.maxAgeValue)
	}
	if c.privateNet && first(x.Header, hReqPrivateNet) == "true" {
		set(x, hAllowPrivateNet, c.trueValue)
	}
	c.log(x, "preflight granted", origin)
}

func (c *CORS) log(x *stage.Exchange, msg, origin string) {
	if c.debug && x.Log != nil {
		x.Log.LogAttrs(context.Background(), slog.LevelDebug, "cors: "+msg,
			slog.String("method", x.Method), slog.String("origin", truncate(origin, 256)))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// methodAllowed reports whether m, upper-cased, is in the method list.
func (c *CORS) methodAllowed(m string) bool {
	for _, a := range c.methods {
		if foldEq(a, m) {
			return true
		}
	}
	return false
}

// headersAllowed reports whether every name of the comma-separated list v
// is allowed. Empty elements are skipped.
func (c *CORS) headersAllowed(v string) bool {
	if c.anyHeader {
		return true
	}
	for v != "" {
		var name string
		name, v, _ = strings.Cut(v, ",")
		name = strings.Trim(name, " \t")
		if name == "" {
			continue
		}
		ok := false
		for _, a := range c.headers {
			if foldEq(a, name) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return false
		}
	}
	return true
}

// OriginMatcher tells whether an Origin is allowed. Matching is
// case-insensitive and anchored at both ends.
type OriginMatcher struct {
	any      bool
	exact    map[string]struct{} // lower-cased
	patterns []wildcard
}

// wildcard is an origin pattern split around its "*".
type wildcard struct{ prefix, suffix string } // lower-cased

// NewOriginMatcher compiles an allow_origins list. Empty or containing "*"
// means any origin. Each other entry must be "null" or
// scheme://host[:port] with at most one "*" inside the host part.
func NewOriginMatcher(list []string) (OriginMatcher, error) {
	var m OriginMatcher
	if len(list) == 0 {
		m.any = true
		return m, nil
	}
	for _, o := range list {
		if o == "*" {
			m.any = true
			continue
		}
		if err := CheckOrigin(o); err != nil {
			return m, err
		}
		lo := lowerASCII(o)
		if i := strings.IndexByte(lo, '*'); i >= 0 {
			m.patterns = append(m.patterns, wildcard{lo[:i], lo[i+1:]})
			continue
		}
		if m.exact == nil {
			m.exact = make(map[string]struct{}, len(list))
		}
		m.exact[lo] = struct{}{}
	}
	return m, nil
}

// CheckOrigin validates one allow_origins entry other than "*".
func CheckOrigin(o string) error {
	if o == "null" {
		return nil
	}
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || scheme == "" || rest == "" {
		return fmt.Errorf("origin %q must be scheme://host[:port], \"null\" or \"*\"", o)
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			return fmt.Errorf("origin %q has an invalid scheme", o)
		}
	}
	if strings.Count(rest, "*") > 1 {
		return fmt.Errorf("origin %q has more than one \"*\"", o)
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == '/' || c == '?' || c == '#':
			return fmt.Errorf("origin %q must not have a path, query or fragment (an Origin never does)", o)
		case c == '@':
			return fmt.Errorf("origin %q must not have user information", o)
		case c <= ' ' || c >= 0x7f || c == ',' || c == '\\':
			return fmt.Errorf("origin %q holds a character no origin has", o)
		}
	}
	return nil
}

// Any reports whether every origin is allowed.
func (m *OriginMatcher) Any() bool { return m.any }

// Match reports whether origin is allowed. "null" matches only a literal
// "null" entry (or "*"); a pattern's "*" stands for one or more of
// [A-Za-z0-9.-].
func (m *OriginMatcher) Match(origin string) bool {
	if m.any {
		return true
	}
	if len(m.exact) > 0 {
		if isLowerASCII(origin) {
			if _, ok := m.exact[origin]; ok {
				return true
			}
		} else if _, ok := m.exact[lowerASCII(origin)]; ok {
			return true
		}
	}
	for _, p := range m.patterns {
		if p.match(origin) {
			return true
		}
	}
	return false
}

func (w wildcard) match(o string) bool {
	if len(o) < len(w.prefix)+len(w.suffix)+1 {
		return false
	}
	if !foldEq(o[:len(w.prefix)], w.prefix) || !foldEq(o[len(o)-len(w.suffix):], w.suffix) {
		return false
	}
	mid := o[len(w.prefix) : len(o)-len(w.suffix)]
	for i := 0; i < len(mid); i++ {
		c := mid[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return false
		}
	}
	return true
}

// foldEq is an ASCII-only case-insensitive comparison: origins, methods
// and header names are ASCII, and Unicode folding ("K" → "k") must not
// make a forged value equal a configured one.
func foldEq(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// lowerASCII lower-cases the ASCII letters of s only.
func lowerASCII(s string) string {
	if isLowerASCII(s) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
