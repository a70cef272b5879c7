package config

import (
	"strings"
	"testing"
)

func TestParseStrings(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`"plain"`, "plain"},
		{`"caf\u00e9"`, "café"},
		{`"\ud83d\ude00"`, "😀"},
		{`"a\"b\\c\/d\b\f\n\r\t"`, "a\"b\\c/d\b\f\n\r\t"},
		{`"é raw"`, "é raw"},
		{`""`, ""},
	}
	for _, tc := range tests {
		root, _, err := parseDocument(`{"k": ` + tc.in + `}`)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err.problem)
			continue
		}
		if got := root.members[0].val.text; got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		in      string
		line    int
		col     int
		problem string
	}{
		{`{"k": "\ud800"}`, 1, 8, `invalid \u escape: unpaired surrogate`},
		{`{"k": "\udc00"}`, 1, 8, `invalid \u escape: unpaired surrogate`},
		{`{"k": "\u12"}`, 1, 8, `invalid \u escape; expected four hex digits`},
		{`{"k": "\q"}`, 1, 8, `invalid escape '\q' in string`},
		{"{\"k\": \"a\tb\"}", 1, 9, "control character U+0009 in string"},
		{`{"k": "abc`, 1, 7, "unterminated string"},
		{`{"k": tru}`, 1, 7, "invalid literal; expected true"},
		{`{"k": nulls}`, 1, 7, "invalid literal; expected null"},
		{`{"k": -}`, 1, 7, `invalid number "-"`},
		{`{"k": 1.}`, 1, 7, `invalid number "1."`},
		{`{"k": 1e}`, 1, 7, `invalid number "1e"`},
		{`{"k": .5}`, 1, 7, "unexpected character '.'; expected a value"},
		{`{"k": 1.2.3}`, 1, 7, `invalid number "1.2.3"`},
		{`{"k": NaN}`, 1, 7, "unexpected character 'N'; expected a value"},
		{`{"k": 'x'}`, 1, 7, `unexpected character '\''; JSON strings use double quotes`},
		{`{"k" 1}`, 1, 6, "unexpected character '1'; expected ':' after the key"},
		{`{"k": 1`, 1, 8, "unexpected end of file inside an object; expected ',' or '}'"},
		{`{"k": [1 2]}`, 1, 10, "unexpected character '2'; expected ',' or ']'"},
		{`{"k": [1,]}`, 1, 9, "trailing comma before ']'"},
		{"{\n\"k\": 1,\n}", 2, 7, "trailing comma before '}'"},
		{`{"k":`, 1, 6, "unexpected end of file; expected a value"},
		{"{\"k\": \x01}", 1, 7, "unexpected control character U+0001; expected a value"},
		{"{\"k\": \xc3\xa9}", 1, 7, "unexpected character U+00E9; expected a value"},
		{"{\"k\": \xff}", 1, 7, "unexpected invalid UTF-8 byte 0xff; expected a value"},
		{"\x00{}", 1, 1, "the file is UTF-16 or UTF-32 encoded"},
		{"\xfe\xff\x00{", 1, 1, "the file is UTF-16 or UTF-32 encoded"},
		{"   \n  ", 2, 3, "empty config file"},
	}
	for _, tc := range tests {
		_, _, err := parseDocument(tc.in)
		if err == nil {
			t.Errorf("%q: parsed, want %q", tc.in, tc.problem)
			continue
		}
		if err.pos.Line != tc.line || err.pos.Col != tc.col || err.problem != tc.problem {
			t.Errorf("%q: got %d:%d %q, want %d:%d %q", tc.in, err.pos.Line, err.pos.Col, err.problem, tc.line, tc.col, tc.problem)
		}
	}
}

func TestParseNumbers(t *testing.T) {
	for _, n := range []string{"0", "-0", "12", "-12", "1.5", "1e3", "1E+3", "1.25e-7", "12345678901234567890"} {
		if !isJSONNumber(n) {
			t.Errorf("%s: want a number", n)
		}
		root, _, err := parseDocument(`{"n": ` + n + `}`)
		if err != nil || root.members[0].val.text != n {
			t.Errorf("%s: literal not kept (%v)", n, err)
		}
	}
	for _, n := range []string{"", "01", "+1", "1.", ".1", "1e", "--1", "1 ", "0x10", "Infinity"} {
		if isJSONNumber(n) {
			t.Errorf("%q: want not a number", n)
		}
	}
}

func TestParsePositionsAndDuplicates(t *testing.T) {
	src := "{\n  \"a\": [1, {\"b\": true}],\n  \"m\": {\"x\": 1, \"x\": 2, \"y\": null}\n}"
	root, dups, err := parseDocument(src)
	if err != nil {
		t.Fatal(err.problem)
	}
	a := root.members[0]
	if a.pos != (Position{2, 3}) || a.val.pos != (Position{2, 8}) || a.val.elems[1].pos != (Position{2, 12}) {
		t.Errorf("positions: key %v value %v elem %v", a.pos, a.val.pos, a.val.elems[1].pos)
	}
	if b := a.val.elems[1].members[0]; b.pos != (Position{2, 13}) || b.val.kind != kindBool || !b.val.truth {
		t.Errorf("nested member = %+v", b)
	}
	m := root.members[1].val
	if len(m.members) != 2 || m.members[0].val.text != "1" || m.members[1].key != "y" || m.members[1].val.kind != kindNull {
		t.Errorf("duplicate not dropped, or first value not kept: %+v", m.members)
	}
	if len(dups) != 1 || dups[0].Path != "$.m.x" || dups[0].Pos != (Position{3, 17}) || dups[0].Hint != "first defined at 3:9" {
		t.Errorf("dups = %+v", dups)
	}
}

func TestParseManyKeysDuplicate(t *testing.T) {
	// Objects past the scan limit switch to an index; duplicates must still be found.
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 40; i++ {
		b.WriteString(`"k` + itoa(i) + `": 1, `)
	}
	b.WriteString(`"k3": 2, "k39": 3}`)
	_, dups, err := parseDocument(b.String())
	if err != nil {
		t.Fatal(err.problem)
	}
	if len(dups) != 2 || dups[0].Path != "$.k3" || dups[1].Path != "$.k39" {
		t.Errorf("dups = %+v", dups)
	}
}

func TestPaths(t *testing.T) {
	tests := []struct{ got, want string }{
		{keyPath("$", "timeout"), "$.timeout"},
		{keyPath("$", "auth/validator"), `$["auth/validator"]`},
		{keyPath("$", "404"), `$["404"]`},
		{keyPath("$", ""), `$[""]`},
		{keyPath("$", `a"b`), `$["a\"b"]`},
		{keyPath("$", "_id"), "$._id"},
		{keyPath("$", "a1"), "$.a1"},
		{keyIndexPath("$.endpoints[0]", "backend", 3), "$.endpoints[0].backend[3]"},
		{quoteJSON("a\x01\n\"é\xff"), `"a\u0001\n\"é` + "\ufffd" + `"`},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

func TestAppendCompact(t *testing.T) {
	src := `{"a": [1, 2.50, -1e3], "b": {"c": null, "d": false, "@x": "<&>"}, "e": "\u2028\t"}`
	root, _, err := parseDocument(src)
	if err != nil {
		t.Fatal(err.problem)
	}
	want := `{"a":[1,2.50,-1e3],"b":{"c":null,"d":false,"@x":"<&>"},"e":"` + "\u2028" + `\t"}`
	if got := string(appendCompact(nil, &root, 0)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
