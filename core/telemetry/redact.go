package telemetry

import (
	"net/http"
	"strings"
)

// Redacted replaces every value of a credential header in logs.
const Redacted = "[redacted]"

// RedactHeaders returns a copy of h fit for logs: every value of
// Authorization, Proxy-Authorization, Cookie and Set-Cookie, and of the token
// headers X-Api-Key, X-Auth-Token and X-Amz-Security-Token, is replaced by
// [Redacted]. Names are matched without regard to case, so keys that were
// never canonicalised are caught too. h itself is not modified; nil gives nil.
func RedactHeaders(h http.Header) http.Header {
	out := h.Clone()
	for name, values := range out {
		if !isCredentialHeader(name) {
			continue
		}
		for i := range values {
			values[i] = Redacted
		}
	}
	return out
}

// isCredentialHeader reports whether name carries credentials: the four
// headers named by security.md §2 rule 20 and the common token carriers.
func isCredentialHeader(name string) bool {
	switch {
	case strings.EqualFold(name, "Authorization"),
		strings.EqualFold(name, "Proxy-Authorization"),
		strings.EqualFold(name, "Cookie"),
		strings.EqualFold(name, "Set-Cookie"),
		strings.EqualFold(name, "X-Api-Key"),
		strings.EqualFold(name, "X-Auth-Token"),
		strings.EqualFold(name, "X-Amz-Security-Token"):
		return true
	default:
		return false
	}
}
