package encoding

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/core/shape"
)

func objJSON(t testing.TB, o shape.Object) string {
	t.Helper()
	out := string(shape.AppendObject(nil, o))
	if !json.Valid([]byte(out)) {
		t.Fatalf("invalid JSON produced: %s", out)
	}
	return out
}

func TestDecodeXML(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", `{}`},
		{"blank", " \n\t", `{}`},
		{"text", `<a>hi</a>`, `{"a":"hi"}`},
		{"empty element", `<a/>`, `{"a":""}`},
		{"empty pair", `<a></a>`, `{"a":""}`},
		{"trimmed", "<a>\n  hi there \n</a>", `{"a":"hi there"}`},
		{"attrs and text", `<p currency="EUR" x='1'>10</p>`, `{"p":{"-currency":"EUR","-x":"1","#text":"10"}}`},
		{"attrs only", `<p x="1"/>`, `{"p":{"-x":"1"}}`},
		{"children", `<r><a>1</a><b>true</b><c/></r>`, `{"r":{"a":"1","b":"true","c":""}}`},
		{"repeated", `<r><a>1</a><b>x</b><a>2</a></r>`, `{"r":{"a":["1","2"],"b":"x"}}`},
		{"repeated objects", `<r><i id="1"/><i id="2"><n>z</n></i></r>`, `{"r":{"i":[{"-id":"1"},{"-id":"2","n":"z"}]}}`},
		{"mixed text", `<r>hello<b>x</b></r>`, `{"r":{"#text":"hello","b":"x"}}`},
		{"declaration, comment, doctype", `<?xml version="1.0" encoding="UTF-8"?><!-- c --><!DOCTYPE r><r>1</r>`, `{"r":"1"}`},
		{"entities", `<r a="&lt;&amp;&#65;">&quot;&apos;&#x42;</r>`, `{"r":{"-a":"<&A","#text":"\"'B"}}`},
		{"cdata", `<r><![CDATA[<b>raw</b>]]></r>`, `{"r":"<b>raw</b>"}`},
		{"namespaces", `<s:r xmlns:s="urn:x" xmlns="urn:d"><s:a>1</s:a></s:r>`, `{"r":{"-xmlns:s":"urn:x","-xmlns":"urn:d","a":"1"}}`},
		{"duplicate attr last wins", `<r a="1" a="2"/>`, `{"r":{"-a":"2"}}`},
		{"trailing ignored", `<r>1</r><x>`, `{"r":"1"}`},
		{"escapes", `<r>tab	"q" \ é</r>`, `{"r":"tab\t\"q\" \\ é"}`},
		{"key escaped", `<r><a.b>1</a.b></r>`, `{"r":{"a.b":"1"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := DecodeXML([]byte(c.in), false)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got := objJSON(t, o); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestDecodeXMLCollection(t *testing.T) {
	o, err := DecodeXML([]byte(`<r><a>1</a></r>`), true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := objJSON(t, o), `{"collection":{"r":{"a":"1"}}}`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestDecodeXMLErrors(t *testing.T) {
	cases := []struct {
		name, in string
		want     error
	}{
		{"unclosed", `<r><a>`, ErrXMLSyntax},
		{"mismatch", `<r></s>`, ErrXMLSyntax},
		{"text only", `hello`, ErrXMLSyntax},
		{"comment only", `<!-- x -->`, ErrXMLSyntax},
		{"undefined entity", `<r>&foo;</r>`, ErrXMLSyntax},
		{"internal entity", `<!DOCTYPE r [<!ENTITY e "boom">]><r>&e;</r>`, ErrXMLSyntax},
		{"external entity", `<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>`, ErrXMLSyntax},
		{"billion laughs", billionLaughs, ErrXMLSyntax},
		{"charset", `<?xml version="1.0" encoding="ISO-8859-1"?><r>a</r>`, ErrXMLSyntax},
		{"bad char", "<r>\x01</r>", ErrXMLSyntax},
		{"too deep elements", strings.Repeat("<a>", MaxXMLDepth+1) + strings.Repeat("</a>", MaxXMLDepth+1), ErrXMLTooDeep},
		// Repeated elements add an array level each: the JSON limit is hit
		// before the element limit.
		{"too deep result", repeatedNest(150), ErrXMLTooDeep},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeXML([]byte(c.in), false)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// repeatedNest nests n levels of an element that repeats at every level,
// so each level costs an object and an array in JSON.
func repeatedNest(n int) string {
	s := ""
	for range n {
		s = "<a>" + s + "</a><a/>"
	}
	return "<r>" + s + "</r>"
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>`

func TestDecodeXMLDeepWithinLimits(t *testing.T) {
	// Element depth at the limit, no repetition: JSON depth = elements + 1
	// for the root key.
	n := MaxXMLDepth - 2
	in := strings.Repeat("<a x='1'>", n) + strings.Repeat("</a>", n)
	o, err := DecodeXML([]byte("<r>"+in+"</r>"), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shape.Compact(nil, o.Members[0].Value); err != nil {
		t.Fatalf("result not accepted by the JSON engine: %v", err)
	}
}

func TestDecodeXMLManyNames(t *testing.T) {
	// Thousands of distinct child and attribute names stay linear and keep
	// first-appearance order.
	var b strings.Builder
	b.WriteString("<r")
	for i := range 3000 {
		b.WriteString(" a" + itoa(i) + "='v'")
	}
	b.WriteString(">")
	for i := range 3000 {
		b.WriteString("<k" + itoa(i) + "/><k" + itoa(i) + ">x</k" + itoa(i) + ">")
	}
	b.WriteString("</r>")
	o, err := DecodeXML([]byte(b.String()), false)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]any
	if err := json.Unmarshal(shape.AppendObject(nil, o), &got); err != nil {
		t.Fatal(err)
	}
	if len(got["r"]) != 6000 {
		t.Fatalf("got %d members", len(got["r"]))
	}
	if v, _ := got["r"]["k2999"].([]any); len(v) != 2 || v[1] != "x" {
		t.Fatalf("k2999 = %v", got["r"]["k2999"])
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func FuzzDecodeXML(f *testing.F) {
	for _, s := range []string{``, `<a/>`, `<a x="1">t<b>1</b><b>2</b></a>`, billionLaughs,
		`<rss><channel><title>t</title><item><title>i</title></item></channel></rss>`,
		`<feed><entry><link href="x"/></entry></feed>`, `<a><![CDATA[x]]>&amp;</a>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, coll := range []bool{false, true} {
			o, err := DecodeXML(body, coll)
			if err != nil {
				continue
			}
			out := shape.AppendObject(nil, o)
			if _, err := shape.DecodeJSON(out, shape.ExpectObject); err != nil {
				t.Fatalf("decoder produced JSON the engine refuses: %v\n%s", err, out)
			}
			// The encoders accept whatever the decoder produced.
			if _, err := AppendXML(nil, o); err != nil {
				t.Fatalf("AppendXML: %v", err)
			}
			if _, err := AppendYAML(nil, o); err != nil {
				t.Fatalf("AppendYAML: %v", err)
			}
		}
		if o, err := DecodeFeed(body); err == nil {
			if !json.Valid(shape.AppendObject(nil, o)) {
				t.Fatal("feed produced invalid JSON")
			}
		}
	})
}
