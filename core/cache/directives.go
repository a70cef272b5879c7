package cache

import (
	"net/http"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// maxDelta is the largest delta-seconds value a cache keeps: larger values
// are clamped to it (2^31 seconds, as RFC 9111 §1.2.2 allows).
const maxDelta = 1 << 31

// Directives are the response Cache-Control directives the cache acts on.
// Directives it does not act on (must-revalidate, immutable, extensions)
// are skipped.
type Directives struct {
	// NoStore, NoCache, Private and Public report the directives of those
	// names, with or without a field-name argument (a qualified no-cache
	// or private is treated as the unqualified one).
	NoStore, NoCache, Private, Public bool
	// MaxAge and SMaxAge are the delta-seconds of max-age and s-maxage,
	// meaningful when HasMaxAge and HasSMaxAge are set.
	MaxAge, SMaxAge       int64
	HasMaxAge, HasSMaxAge bool
	// Invalid reports a freshness directive the cache cannot trust: a
	// max-age or s-maxage whose argument is not delta-seconds, or that is
	// repeated with different values. Such a response counts as stale.
	Invalid bool
}

// ParseCacheControl parses every Cache-Control field line in values
// (RFC 9111 §5.2: a comma-separated list of token [ "=" ( token /
// quoted-string ) ]). Directive names are case-insensitive. Malformed
// elements are skipped, except malformed freshness values, which set
// Invalid. It never fails.
func ParseCacheControl(values []string) Directives {
	var d Directives
	for _, v := range values {
		for len(v) > 0 {
			var name, arg string
			var quoted bool
			name, arg, quoted, v = nextDirective(v)
			d.apply(name, arg, quoted)
		}
	}
	return d
}

// nextDirective splits the first list element off s: its name (trimmed),
// its argument (unquoted) and the rest of s after the element's comma.
func nextDirective(s string) (name, arg string, quoted bool, rest string) {
	i := 0
	for i < len(s) && s[i] != ',' && s[i] != '=' {
		i++
	}
	name = strings.TrimSpace(s[:i])
	if i == len(s) || s[i] == ',' {
		if i < len(s) {
			i++
		}
		return name, "", false, s[i:]
	}
	i++ // '='
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && s[i] == '"' {
		var b strings.Builder
		i++
		closed := false
		for i < len(s) {
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				b.WriteByte(s[i+1])
				i += 2
				continue
			}
			i++
			if c == '"' {
				closed = true
				break
			}
			b.WriteByte(c)
		}
		arg, quoted = b.String(), true
		if !closed {
			// An unterminated quoted string: not a valid argument.
			arg, quoted = "\x00", false
		}
		// Skip anything up to the next comma.
		for i < len(s) && s[i] != ',' {
			i++
		}
	} else {
		j := i
		for i < len(s) && s[i] != ',' {
			i++
		}
		arg = strings.TrimSpace(s[j:i])
	}
	if i < len(s) {
		i++
	}
	return name, arg, quoted, s[i:]
}

// apply records one directive.
func (d *Directives) apply(name, arg string, quoted bool) {
	if name == "" || !httpsyntax.IsToken(name) {
		return
	}
	switch {
	case strings.EqualFold(name, "no-store"):
		d.NoStore = true
	case strings.EqualFold(name, "no-cache"):
		d.NoCache = true
	case strings.EqualFold(name, "private"):
		d.Private = true
	case strings.EqualFold(name, "public"):
		d.Public = true
	case strings.EqualFold(name, "max-age"):
		d.setDelta(&d.MaxAge, &d.HasMaxAge, arg)
	case strings.EqualFold(name, "s-maxage"):
		d.setDelta(&d.SMaxAge, &d.HasSMaxAge, arg)
	}
}

// setDelta records a delta-seconds argument; a bad or conflicting one
// makes the directives Invalid.
func (d *Directives) setDelta(dst *int64, has *bool, arg string) {
	n, ok := parseDelta(arg)
	if !ok || (*has && *dst != n) {
		d.Invalid = true
		return
	}
	*dst, *has = n, true
}

// parseDelta parses delta-seconds (1*DIGIT), clamping at maxDelta.
func parseDelta(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < maxDelta {
			n = n*10 + int64(c-'0')
		}
	}
	return min(n, maxDelta), true
}

// Freshness is the rest of a response's life as a shared cache sees it
// (RFC 9111 §4.2): the freshness lifetime from s-maxage, else max-age,
// else Expires minus Date, less the response's Age. ok is false when the
// response gives no explicit freshness (no heuristics are applied), gives
// an unusable one (invalid or repeated Expires, invalid directives) or is
// already stale. now stands for the response time.
func Freshness(h http.Header, d Directives, now time.Time) (ttl time.Duration, ok bool) {
	if d.Invalid {
		return 0, false
	}
	var lifetime time.Duration
	switch {
	case d.HasSMaxAge:
		lifetime = time.Duration(d.SMaxAge) * time.Second
	case d.HasMaxAge:
		lifetime = time.Duration(d.MaxAge) * time.Second
	default:
		exp := h["Expires"]
		if len(exp) != 1 {
			return 0, false // absent, or repeated: stale (RFC 9111 §4.2.1)
		}
		expires, err := http.ParseTime(exp[0])
		if err != nil {
			return 0, false // an invalid Expires means already expired
		}
		date := now
		if ds := h["Date"]; len(ds) == 1 {
			if t, err := http.ParseTime(ds[0]); err == nil {
				date = t
			}
		}
		lifetime = expires.Sub(date)
	}
	if ages := h["Age"]; len(ages) > 0 {
		// Several Age lines or an unparsable one: trust the largest
		// usable age, or none.
		var age int64
		for _, a := range ages {
			if n, ok := parseDelta(strings.TrimSpace(a)); ok && n > age {
				age = n
			}
		}
		lifetime -= time.Duration(age) * time.Second
	}
	if lifetime <= 0 {
		return 0, false
	}
	return lifetime, true
}
