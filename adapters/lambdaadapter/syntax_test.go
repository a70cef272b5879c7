package lambdaadapter

import (
	"testing"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// The fuzz tests check converted requests with the rules the adapter
// applies, under the names they had when the adapter held its own copies.

func isToken(s string) bool { return httpsyntax.IsToken(s) }

func validFieldValue(v string) bool { return httpsyntax.IsFieldValue(v) }

// TestAppendJSONStringBytes pins the bytes the adapter writes where JSON
// allows a choice: \u0008 and \u000c, DEL and U+2028 as they are, the
// escape \ufffd for invalid UTF-8, no HTML escaping.
func TestAppendJSONStringBytes(t *testing.T) {
	const in = "\b\f\x01\x7f\u2028<&>\xff"
	const want = `"\u0008\u000c\u0001` + "\x7f\u2028" + `<&>\ufffd"`
	if got := string(appendJSONString(nil, in)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
