package encoding

import "strings"

// Format is a rendering chosen by Negotiate.
type Format uint8

// Formats offered by output_encoding "negotiate".
const (
	// FormatJSON renders the JSON document (the default).
	FormatJSON Format = iota
	// FormatXML renders as output encoding xml.
	FormatXML
	// FormatYAML renders YAML.
	FormatYAML
)

// Content types of the XML and YAML bodies.
const (
	ContentTypeXML  = "application/xml"
	ContentTypeYAML = "application/x-yaml; charset=utf-8"
)

// offers are the media types negotiate offers, in preference order.
var offers = [...]struct {
	media  string
	format Format
}{
	{"application/json", FormatJSON},
	{"text/plain", FormatYAML},
	{"application/xml", FormatXML},
	{"application/x-yaml", FormatYAML},
}

// Negotiate picks the rendering for an Accept header value the way KrakenD
// (through gin) does: the comma-separated media ranges are taken in the
// client's order, parameters (quality values included) ignored; a range
// matches an offer when it equals it, is a prefix of it, or reaches a "*"
// before the first difference ("*/*" and "application/*" pick the first
// such offer). An empty header and a header matching nothing give JSON.
func Negotiate(accept string) Format {
	for accept != "" {
		var part string
		part, accept, _ = strings.Cut(accept, ",")
		if i := strings.IndexByte(part, ';'); i > 0 {
			part = part[:i]
		}
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		for _, o := range offers {
			if mediaMatch(part, o.media) {
				return o.format
			}
		}
	}
	return FormatJSON
}

func mediaMatch(accepted, offer string) bool {
	i := 0
	for ; i < len(accepted) && i < len(offer); i++ {
		if accepted[i] == '*' {
			return true
		}
		if accepted[i] != offer[i] {
			return false
		}
	}
	return i == len(accepted)
}
