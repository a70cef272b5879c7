package config

import "testing"

// TestQuoteJSONBytes pins the bytes of diagnostics and error bodies where
// JSON allows a choice: every control character escaped, DEL included, as
// \u00XX but for \n \r \t; U+2028 and U+FFFD (for invalid UTF-8) as raw
// UTF-8; no HTML escaping.
func TestQuoteJSONBytes(t *testing.T) {
	const in = "\b\f\x01\x7f\u2028<&>\xff\n"
	const want = `"\u0008\u000c\u0001\u007f` + "\u2028<&>\uFFFD" + `\n"`
	if got := quoteJSON(in); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
