package shape

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// encode renders o with AppendObject, for comparisons.
func encode(o Object) string { return string(AppendObject(nil, o)) }

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		collection bool
		want       string // AppendObject output when wantErr is nil
		wantErr    error
	}{
		{name: "compact object", body: `{"a":1,"b":"x"}`, want: `{"a":1,"b":"x"}`},
		{name: "key order kept", body: `{"z":1,"a":2,"m":3}`, want: `{"z":1,"a":2,"m":3}`},
		{name: "whitespace removed", body: " \t\r\n{ \"a\" : [ 1 , 2 ] ,\n \"b\" : { \"c\" : null } }\n ", want: `{"a":[1,2],"b":{"c":null}}`},
		{name: "whitespace inside strings kept", body: `{ "a b" : " x  y " }`, want: `{"a b":" x  y "}`},
		{name: "escapes kept as sent", body: `{"e":"\u00e9\n\"\\\/","k\u0041":1}`, want: `{"e":"\u00e9\n\"\\\/","k\u0041":1}`},
		{name: "no HTML escaping", body: `{"h":"<a href=\"x\">&amp;</a>"}`, want: `{"h":"<a href=\"x\">&amp;</a>"}`},
		{name: "numbers verbatim", body: `{"big":1e400,"int":12345678901234567890,"negzero":-0.0,"f":0.5E-3,"e":1E+2,"z":0}`,
			want: `{"big":1e400,"int":12345678901234567890,"negzero":-0.0,"f":0.5E-3,"e":1E+2,"z":0}`},
		{name: "literals", body: `{"t":true,"f":false,"n":null}`, want: `{"t":true,"f":false,"n":null}`},
		{name: "invalid UTF-8 in value", body: "{\"a\":\"x\xffy\"}", want: "{\"a\":\"x\uFFFDy\"}"},
		{name: "invalid UTF-8 in key", body: "{\"k\xc3\":1}", want: "{\"k\uFFFD\":1}"},
		{name: "surrogate bytes replaced per byte", body: "{\"a\":\"\xed\xa0\x80\"}", want: "{\"a\":\"\uFFFD\uFFFD\uFFFD\"}"},
		{name: "valid UTF-8 kept", body: `{"a":"héllo 世界 🎉"}`, want: `{"a":"héllo 世界 🎉"}`},
		{name: "U+FFFD itself kept", body: "{\"a\":\"\uFFFD\"}", want: "{\"a\":\"\uFFFD\"}"},
		{name: "empty object", body: `{}`, want: `{}`},
		{name: "empty object with space", body: `{ }`, want: `{}`},
		{name: "empty body", body: ``, want: `{}`},
		{name: "whitespace body", body: " \n\t ", want: `{}`},
		{name: "null", body: `null`, want: `{}`},
		{name: "null with space", body: " null\n", want: `{}`},
		{name: "duplicate keys last wins at first position", body: `{"a":1,"b":2,"a":3}`, want: `{"a":3,"b":2}`},
		{name: "duplicate keys by escape", body: `{"a":1,"\u0061":2}`, want: `{"a":2}`},
		{name: "nested duplicates left as sent", body: `{"x":{"a":1,"a":2}}`, want: `{"x":{"a":1,"a":2}}`},
		{name: "collection", body: ` [ 1, {"a" : 2} ] `, collection: true, want: `{"collection":[1,{"a":2}]}`},
		{name: "empty collection", body: `[]`, collection: true, want: `{"collection":[]}`},
		{name: "collection null", body: `null`, collection: true, want: `{}`},
		{name: "collection empty body", body: ``, collection: true, want: `{}`},
		{name: "array without is_collection", body: `[1]`, wantErr: ErrType},
		{name: "object with is_collection", body: `{"a":1}`, collection: true, wantErr: ErrType},
		{name: "string scalar", body: `"x"`, wantErr: ErrType},
		{name: "number scalar", body: `12`, wantErr: ErrType},
		{name: "bool scalar", body: `true`, wantErr: ErrType},
		{name: "scalar with collection", body: `1`, collection: true, wantErr: ErrType},
		{name: "bad scalar is a syntax error", body: `tru`, wantErr: ErrSyntax},
		{name: "trailing garbage", body: `{"a":1} x`, wantErr: ErrSyntax},
		{name: "two values", body: `{}{}`, wantErr: ErrSyntax},
		{name: "trailing garbage after null", body: `null,`, wantErr: ErrSyntax},
		{name: "trailing garbage after array", body: `[1] 2`, collection: true, wantErr: ErrSyntax},
		{name: "missing value", body: `{"a":}`, wantErr: ErrSyntax},
		{name: "missing colon", body: `{"a" 1}`, wantErr: ErrSyntax},
		{name: "leading comma", body: `{,}`, wantErr: ErrSyntax},
		{name: "trailing comma in object", body: `{"a":1,}`, wantErr: ErrSyntax},
		{name: "trailing comma in array", body: `{"a":[1,]}`, wantErr: ErrSyntax},
		{name: "missing comma", body: `{"a":[1 2]}`, wantErr: ErrSyntax},
		{name: "unquoted key", body: `{a:1}`, wantErr: ErrSyntax},
		{name: "single quotes", body: `{'a':1}`, wantErr: ErrSyntax},
		{name: "leading zero", body: `{"a":01}`, wantErr: ErrSyntax},
		{name: "bare minus", body: `{"a":-}`, wantErr: ErrSyntax},
		{name: "dot without digits", body: `{"a":1.}`, wantErr: ErrSyntax},
		{name: "leading dot", body: `{"a":.5}`, wantErr: ErrSyntax},
		{name: "plus sign", body: `{"a":+1}`, wantErr: ErrSyntax},
		{name: "empty exponent", body: `{"a":1e}`, wantErr: ErrSyntax},
		{name: "NaN", body: `{"a":NaN}`, wantErr: ErrSyntax},
		{name: "bad literal", body: `{"a":nul}`, wantErr: ErrSyntax},
		{name: "bad escape", body: `{"a":"\x"}`, wantErr: ErrSyntax},
		{name: "bad unicode escape", body: `{"a":"\u12G4"}`, wantErr: ErrSyntax},
		{name: "short unicode escape", body: `{"a":"\u12"}`, wantErr: ErrSyntax},
		{name: "raw control character", body: "{\"a\":\"x\ty\"}", wantErr: ErrSyntax},
		{name: "unterminated string", body: `{"a":"xyz`, wantErr: ErrSyntax},
		{name: "unterminated object", body: `{"a":1`, wantErr: ErrSyntax},
		{name: "unterminated nested", body: `{"a":[{"b":1}`, wantErr: ErrSyntax},
		{name: "mismatched bracket", body: `{"a":[1}}`, wantErr: ErrSyntax},
		{name: "byte order mark", body: "\xef\xbb\xbf{}", wantErr: ErrSyntax},
		{name: "comment", body: `{"a":1 /* c */}`, wantErr: ErrSyntax},
		{name: "nested key not a string", body: `{"a":{1:2}}`, wantErr: ErrSyntax},
		{name: "nested key then end", body: `{"a":{"b"`, wantErr: ErrSyntax},
		{name: "nested key then space then end", body: `{"a":{"b" `, wantErr: ErrSyntax},
		{name: "nested key missing colon", body: `{"a":{"b" 1}}`, wantErr: ErrSyntax},
		{name: "nested comma then end", body: `{"a":{"b":1,`, wantErr: ErrSyntax},
		{name: "end after colon", body: `{"a":`, wantErr: ErrSyntax},
		{name: "end inside escape", body: `{"a":"\`, wantErr: ErrSyntax},
		{name: "end inside unicode escape", body: `{"a":"\u00`, wantErr: ErrSyntax},
		{name: "end inside literal", body: `{"a":[tr`, wantErr: ErrSyntax},
		{name: "minus then letter", body: `{"a":-x}`, wantErr: ErrSyntax},
		{name: "minus then end", body: `{"a":-`, wantErr: ErrSyntax},
		{name: "dot then letter", body: `{"a":1.x}`, wantErr: ErrSyntax},
		{name: "dot then end", body: `{"a":1.`, wantErr: ErrSyntax},
		{name: "exponent sign then nothing", body: `{"a":1e+}`, wantErr: ErrSyntax},
		{name: "exponent then end", body: `{"a":1e`, wantErr: ErrSyntax},
		{name: "top-level key not a string", body: `{1:2}`, wantErr: ErrSyntax},
		{name: "top-level end after comma", body: `{"a":1,`, wantErr: ErrSyntax},
		{name: "top-level end after value", body: `{"a":1 `, wantErr: ErrSyntax},
		{name: "top-level bad separator", body: `{"a":1;"b":2}`, wantErr: ErrSyntax},
		{name: "array bad separator", body: `{"a":[1;2]}`, wantErr: ErrSyntax},
		{name: "only an opening brace", body: `{`, wantErr: ErrSyntax},
		{name: "upper-case hex escape", body: `{"a":"\uABCD\uabcd"}`, want: `{"a":"\uABCD\uabcd"}`},
		{name: "exponent forms", body: `{"a":[1e5,1E-5,1e+5,-1.5e05]}`, want: `{"a":[1e5,1E-5,1e+5,-1.5e05]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			o, err := DecodeJSON(body, expectOf(tt.collection))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				var de *DecodeError
				if !errors.As(err, &de) || de.Reason == "" || de.Error() != de.Reason {
					t.Fatalf("err = %#v, want a *DecodeError with a Reason", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got := encode(o); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			if string(body) != tt.body {
				t.Fatalf("the body was modified")
			}
		})
	}
}

func TestDecodeErrorReasons(t *testing.T) {
	tests := []struct {
		body       string
		collection bool
		want       string
		offset     int
	}{
		{`{"a":1} x`, false, "invalid JSON at offset 8: trailing data after the JSON value", 8},
		{`{"a":x}`, false, "invalid JSON at offset 5: invalid character 'x' looking for beginning of value", 5},
		{`{"a":1`, false, "invalid JSON at offset 6: unexpected end of JSON input", 6},
		{`[1]`, false, "expected a JSON object, got array", 0},
		{`{}`, true, "expected a JSON array, got object", 0},
		{`"s"`, false, "expected a JSON object, got string", 0},
		{strings.Repeat("[", 300), true, "nesting deeper than 256", 256},
	}
	for _, tt := range tests {
		_, err := DecodeJSON([]byte(tt.body), expectOf(tt.collection))
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("%q: err = %v, want *DecodeError", tt.body, err)
		}
		if de.Reason != tt.want || de.Offset != tt.offset {
			t.Errorf("%q: got %q at %d, want %q at %d", tt.body, de.Reason, de.Offset, tt.want, tt.offset)
		}
	}
}

func TestDecodeMembers(t *testing.T) {
	o, err := DecodeJSON([]byte(`{ "a\u0062" : 1 , "c\"d":"\u00e9" }`), ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, key, value string }{
		{"ab", `"a\u0062"`, `1`},
		{`c"d`, `"c\"d"`, `"\u00e9"`},
	}
	if len(o.Members) != len(want) {
		t.Fatalf("got %d members, want %d", len(o.Members), len(want))
	}
	for i, w := range want {
		m := o.Members[i]
		if m.Name != w.name || string(m.Key) != w.key || string(m.Value) != w.value {
			t.Errorf("member %d = %q %s %s, want %q %s %s", i, m.Name, m.Key, m.Value, w.name, w.key, w.value)
		}
	}
	if v, ok := o.Get("ab"); !ok || string(v) != "1" {
		t.Errorf("Get(ab) = %s, %v", v, ok)
	}
	if _, ok := o.Get("AB"); ok {
		t.Errorf("Get is case-insensitive")
	}
}

func TestDecodeNameEscapes(t *testing.T) {
	tests := []struct{ key, name string }{
		{`"plain"`, "plain"},
		{`"\u00e9"`, "é"},
		{`"\ud83c\udf89"`, "🎉"},
		{`"\ud800"`, "\uFFFD"},
		{`"\udc00x"`, "\uFFFDx"},
		{`"\ud800\u0041"`, "\uFFFDA"},
		{`"\b\f\n\r\t\/\\\""`, "\b\f\n\r\t/\\\""},
		{"\"\xff\"", "\uFFFD"},
	}
	for _, tt := range tests {
		o, err := DecodeJSON([]byte(`{`+tt.key+`:0}`), ExpectObject)
		if err != nil {
			t.Fatalf("%s: %v", tt.key, err)
		}
		if got := o.Members[0].Name; got != tt.name {
			t.Errorf("%s: name %q, want %q", tt.key, got, tt.name)
		}
		// The same as encoding/json.
		var m map[string]int
		if err := json.Unmarshal([]byte(`{`+tt.key+`:0}`), &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m[tt.name]; !ok {
			t.Errorf("%s: encoding/json disagrees: %v", tt.key, m)
		}
	}
}

func TestDecodeManyDuplicates(t *testing.T) {
	// Enough members to use the hash index.
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 200; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i%50) + `":` + strconv.Itoa(i))
	}
	b.WriteString("}")
	o, err := DecodeJSON([]byte(b.String()), ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Members) != 50 {
		t.Fatalf("got %d members, want 50", len(o.Members))
	}
	for i, m := range o.Members {
		if m.Name != "k"+strconv.Itoa(i) || string(m.Value) != strconv.Itoa(150+i) {
			t.Fatalf("member %d = %s:%s, want k%d:%d", i, m.Name, m.Value, i, 150+i)
		}
	}
}

func TestDecodeAliasesCompactBody(t *testing.T) {
	body := []byte(`{"a":{"b":[1,2]},"c":"d"}`)
	o, err := DecodeJSON(body, ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range o.Members {
		if !within(m.Value, body) || !within(m.Key, body) {
			t.Fatalf("member %s was copied", m.Name)
		}
		if cap(m.Value) != len(m.Value) {
			t.Fatalf("value %s has spare capacity into the body", m.Name)
		}
	}
	coll := []byte(`[1,2,3]`)
	o, err = DecodeJSON(coll, ExpectCollection)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := o.Get("collection"); !within(v, coll) {
		t.Fatalf("collection was copied")
	}
	pretty := []byte("{\"a\": [1, 2]}")
	o, err = DecodeJSON(pretty, ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := o.Get("a"); within(v, pretty) || string(v) != "[1,2]" {
		t.Fatalf("pretty value %s aliases the body", v)
	}
}

// within reports whether b is a sub-slice of whole.
func within(b, whole []byte) bool {
	if len(b) == 0 {
		return false
	}
	for i := range whole {
		if &whole[i] == &b[0] {
			return true
		}
	}
	return false
}

// nest returns n nested containers around inner: "[[…inner…]]" or
// {"a":{"a":…inner…}}.
func nest(n int, obj bool, inner string) string {
	var b strings.Builder
	for range n {
		if obj {
			b.WriteString(`{"a":`)
		} else {
			b.WriteString("[")
		}
	}
	b.WriteString(inner)
	for range n {
		if obj {
			b.WriteString("}")
		} else {
			b.WriteString("]")
		}
	}
	return b.String()
}

func TestDepthLimit(t *testing.T) {
	tests := []struct {
		name string
		run  func(string) error
		body string
		ok   bool
	}{
		{"arrays 256", safe, nest(256, false, "1"), true},
		{"arrays 257", safe, nest(257, false, "1"), false},
		{"empty arrays 256", safe, nest(255, false, "[]"), true},
		{"empty arrays 257", safe, nest(256, false, "[]"), false},
		{"objects 256", safe, nest(256, true, "1"), true},
		{"objects 257", safe, nest(257, true, "1"), false},
		{"empty objects 257", safe, nest(256, true, "{}"), false},
		{"json objects 256", object, nest(256, true, "null"), true},
		{"json objects 257", object, nest(257, true, "null"), false},
		{"json object then arrays 256", object, `{"a":` + nest(255, false, "") + `}`, true},
		{"json object then arrays 257", object, `{"a":` + nest(256, false, "") + `}`, false},
		{"collection 256", collection, nest(256, false, ""), true},
		{"collection 257", collection, nest(257, false, ""), false},
		{"compact 256", compact, nest(128, false, nest(128, true, "0")), true},
		{"compact 257", compact, nest(128, false, nest(129, true, "0")), false},
		{"pretty 257", compact, strings.Repeat("[ ", 257) + strings.Repeat("] ", 257), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(tt.body)
			if tt.ok && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrTooDeep) {
				t.Fatalf("err = %v, want ErrTooDeep", err)
			}
		})
	}
}

func safe(b string) error { _, err := DecodeSafeJSON([]byte(b)); return err }

// expectOf is the Expect for a table's collection column.
func expectOf(collection bool) Expect {
	if collection {
		return ExpectCollection
	}
	return ExpectObject
}

func object(b string) error { _, err := DecodeJSON([]byte(b), ExpectObject); return err }

func collection(b string) error { _, err := DecodeJSON([]byte(b), ExpectCollection); return err }

func compact(b string) error { _, err := Compact(nil, []byte(b)); return err }

func TestHugeNestingRejected(t *testing.T) {
	body := bytes.Repeat([]byte("["), 10<<20)
	for name, run := range map[string]func(string) error{"safejson": safe, "collection": collection, "compact": compact} {
		if err := run(string(body)); !errors.Is(err, ErrTooDeep) {
			t.Errorf("%s: err = %v, want ErrTooDeep", name, err)
		}
	}
	obj := append([]byte(`{"a":`), body...)
	if err := object(string(obj)); !errors.Is(err, ErrTooDeep) {
		t.Errorf("object: err = %v, want ErrTooDeep", err)
	}
}

func TestDecodeSafeJSON(t *testing.T) {
	tests := []struct {
		body, want string
		wantErr    error
	}{
		{body: `{"a": 1}`, want: `{"a":1}`},
		{body: `[1, 2]`, want: `{"collection":[1,2]}`},
		{body: `"x"`, want: `{"content":"x"}`},
		{body: ` 1.5e3 `, want: `{"content":1.5e3}`},
		{body: `true`, want: `{"content":true}`},
		{body: `null`, want: `{"content":null}`},
		{body: ``, want: `{}`},
		{body: "  ", want: `{}`},
		{body: `{"a":1}{`, wantErr: ErrSyntax},
		{body: `[1,`, wantErr: ErrSyntax},
		{body: `nope`, wantErr: ErrSyntax},
	}
	for _, tt := range tests {
		o, err := DecodeSafeJSON([]byte(tt.body))
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%q: err = %v, want %v", tt.body, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.body, err)
			continue
		}
		if got := encode(o); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.body, got, tt.want)
		}
	}
}

func TestDecodeString(t *testing.T) {
	tests := []struct{ body, want string }{
		{"", `{}`},
		{"hello", `{"content":"hello"}`},
		{"a\"b\\c", `{"content":"a\"b\\c"}`},
		{"line\nbreak\ttab\x01", `{"content":"line\nbreak\ttab\u0001"}`},
		{"<&>", `{"content":"<&>"}`},
		{"bad\xffutf8", "{\"content\":\"bad\uFFFDutf8\"}"},
		{"  ", `{"content":"  "}`},
	}
	for _, tt := range tests {
		o := DecodeString([]byte(tt.body))
		if got := encode(o); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.body, got, tt.want)
		}
		if got, want := string(StringContent(o)), validUTF8(tt.body); got != want {
			t.Errorf("%q: StringContent round trip %q, want %q", tt.body, got, want)
		}
	}
}

func TestCompact(t *testing.T) {
	tests := []struct {
		src, want string
		wantErr   error
	}{
		{src: ` { "a" : [ 1 , 2 ] } `, want: `{"a":[1,2]}`},
		{src: `"x\u0041"`, want: `"x\u0041"`},
		{src: ` -0.0 `, want: `-0.0`},
		{src: "[\"\xff\", \n\"ok\"]", want: "[\"\uFFFD\",\"ok\"]"},
		{src: ``, wantErr: ErrSyntax},
		{src: `  `, wantErr: ErrSyntax},
		{src: `[1] [2]`, wantErr: ErrSyntax},
		{src: `{"a":1,"a":2}`, want: `{"a":1,"a":2}`},
	}
	for _, tt := range tests {
		dst := []byte("prefix:")
		got, err := Compact(dst, []byte(tt.src))
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) || string(got) != "prefix:" {
				t.Errorf("%q: got %q, %v; want prefix: and %v", tt.src, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || string(got) != "prefix:"+tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.src, got, err, "prefix:"+tt.want)
		}
	}
}

// TestCompactMatchesEncodingJSON compares with json.Compact on valid UTF-8
// input, where the two must agree byte for byte.
func TestCompactMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		`{"a": [1, 2.5e-3, -0, true, false, null, "x\"y\\z\u00e9"], "b" : {"c" : {}}, "d":[[],[{}]]}`,
		"\n[\n  {\"id\": 1, \"tags\": [\"a\", \"b\"]},\n  {\"id\": 2}\n]\n",
		`"<script>&</script>"`,
		`12345678901234567890`,
	}
	for _, in := range inputs {
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(in)); err != nil {
			t.Fatal(err)
		}
		got, err := Compact(nil, []byte(in))
		if err != nil || string(got) != want.String() {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want.String())
		}
	}
}

// TestStringBytePositions puts every byte value at every offset of the
// eight-byte scan window and checks the string scanner and AppendString.
func TestStringBytePositions(t *testing.T) {
	for c := range 256 {
		for pos := range 17 {
			text := []byte(strings.Repeat("a", 20))
			text[pos] = byte(c)
			lit := `"` + string(text) + `"`
			got, err := Compact(nil, []byte(lit))
			switch {
			case c < 0x20 || c == '"' || c == '\\':
				if err == nil {
					t.Fatalf("byte %#x at %d: accepted %q", c, pos, got)
				}
			case c >= 0x80:
				want := `"` + strings.Repeat("a", pos) + "\uFFFD" + strings.Repeat("a", 19-pos) + `"`
				if err != nil || string(got) != want {
					t.Fatalf("byte %#x at %d: got %q, %v; want %q", c, pos, got, err, want)
				}
			default:
				if err != nil || string(got) != lit {
					t.Fatalf("byte %#x at %d: got %q, %v; want it unchanged", c, pos, got, err)
				}
			}
			enc := AppendString(nil, string(text))
			var back string
			if err := json.Unmarshal(enc, &back); err != nil || back != validUTF8(string(text)) {
				t.Fatalf("byte %#x at %d: AppendString gave %q", c, pos, enc)
			}
		}
	}
}
