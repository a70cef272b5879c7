package samlocal

import "testing"

// TestAppendJSONStringBytes pins the bytes an event carries where JSON
// allows a choice: \u0008 and \u000c, DEL as it is, U+2028 escaped, the
// escape \ufffd for invalid UTF-8, no HTML escaping.
func TestAppendJSONStringBytes(t *testing.T) {
	const in = "\b\f\x01\x7f\u2028<&>\xff"
	const want = `"\u0008\u000c\u0001` + "\x7f" + `\u2028<&>\ufffd"`
	if got := string(appendJSONString(nil, in)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
