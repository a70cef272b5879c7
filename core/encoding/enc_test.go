package encoding

import (
	"encoding/json"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/core/shape"
	yaml "go.yaml.in/yaml/v3"
)

func mustObject(t testing.TB, s string) shape.Object {
	t.Helper()
	o, err := shape.DecodeJSON([]byte(s), shape.ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestAppendXML(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{}`, `<doc/>`},
		{`{"b":1,"a":"x"}`, `<doc><a>x</a><b>1</b></doc>`},
		{`{"n":null,"e":"","t":true,"f":false,"num":1.50e3}`, `<doc><e/><f>false</f><n/><num>1.50e3</num><t>true</t></doc>`},
		{`{"list":[1,"two",{"z":1,"a":2}],"empty":[]}`, `<doc><empty/><list>1</list><list>two</list><list><a>2</a><z>1</z></list></doc>`},
		{`{"p":{"-currency":"EUR","#text":"10","-n":3}}`, `<doc><p currency="EUR" n="3">10</p></doc>`},
		{`{"-version":"1","x":{"-a":"1"}}`, `<doc version="1"><x a="1"/></doc>`},
		{`{"s":"<a href=\"x\">&'</a>"}`, `<doc><s>&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;</s></doc>`},
		{`{"bad key><script>":1,"":2,"1st":3}`, `<doc><_>2</_><_st>3</_st><bad_key__script_>1</bad_key__script_></doc>`},
		{`{"c":"\u0001 \ud83d\ude00 \r"}`, "<doc><c>\uFFFD \U0001F600 &#xD;</c></doc>"},
		{`{"nested":[[1,2],[3]]}`, `<doc><nested>1</nested><nested>2</nested><nested>3</nested></doc>`},
		{`{"-obj":{"a":1}}`, `<doc><_obj><a>1</a></_obj></doc>`},
	}
	for _, c := range cases {
		got, err := AppendXML(nil, mustObject(t, c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if string(got) != c.want {
			t.Errorf("%s\ngot  %s\nwant %s", c.in, got, c.want)
		}
		// Well-formed.
		d := xml.NewDecoder(strings.NewReader(string(got)))
		for {
			if _, err := d.Token(); err != nil {
				if err.Error() != "EOF" {
					t.Errorf("%s: output not well-formed: %v", c.in, err)
				}
				break
			}
		}
	}
}

func TestXMLRoundTrip(t *testing.T) {
	// Decoding an XML body and rendering it as XML gives the same document
	// under <doc> (attributes, text, repetition), keys sorted.
	o, err := DecodeXML([]byte(`<r v="2"><b>x</b><a n="1">t</a><b>y</b></r>`), false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := AppendXML(nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<doc><r v="2"><a n="1">t</a><b>x</b><b>y</b></r></doc>`; string(got) != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestAppendYAML(t *testing.T) {
	in := `{"name":"svc","z":1,"a":-2.50E+3,"big":123456789012345678901234567890,"ok":true,"none":null,` +
		`"tricky":["yes","No","null","~","1.5","0x1F","2001-12-14","","  pad","a: b","# c","- d","multi\nline","tab\there","q\"\\",":","é","\u2028"],` +
		`"obj":{"inner":{"k":"v"},"list":[{"a":1,"b":[1,2]},[3,[4]],{}],"e":{},"l":[]},"key: x":1,"true":2,"":3}`
	o := mustObject(t, in)
	got, err := AppendYAML(nil, o)
	if err != nil {
		t.Fatal(err)
	}
	// Key order kept.
	if !strings.HasPrefix(string(got), "name: svc\nz: 1\na: -2.50E+3\nbig: 123456789012345678901234567890\n") {
		t.Errorf("prefix:\n%s", got)
	}
	// Same data as the JSON once read back.
	var fromYAML any
	if err := yaml.Unmarshal(got, &fromYAML); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	var fromJSON any
	if err := json.Unmarshal([]byte(in), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normalize(fromYAML), normalize(fromJSON)) {
		t.Errorf("round trip differs\nyaml: %#v\njson: %#v\n%s", normalize(fromYAML), normalize(fromJSON), got)
	}
}

// normalize turns numbers into float64 so that YAML ints and JSON floats
// compare.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normalize(e)
		}
		return m
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case int:
		return float64(x)
	case uint64:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

func TestAppendYAMLEmpty(t *testing.T) {
	got, err := AppendYAML(nil, shape.Object{})
	if err != nil || string(got) != "{}\n" {
		t.Errorf("got %q %v", got, err)
	}
}

func TestEncodersRefuseBrokenValues(t *testing.T) {
	for _, v := range []string{`{"a":`, `[1,`, `"x`, ``, `{"a" 1}`} {
		o := shape.Object{Members: []shape.Member{{Name: "k", Value: []byte(`{"x":` + v + `}`)}}}
		if _, err := AppendXML(nil, o); err == nil {
			t.Errorf("xml accepted %q", v)
		}
		if _, err := AppendYAML(nil, o); err == nil {
			t.Errorf("yaml accepted %q", v)
		}
	}
}

func TestNegotiate(t *testing.T) {
	cases := []struct {
		accept string
		want   Format
	}{
		{"", FormatJSON},
		{"application/json", FormatJSON},
		{"application/xml", FormatXML},
		{"application/xml;q=0.1, application/json", FormatXML},
		{"text/plain", FormatYAML},
		{"application/x-yaml", FormatYAML},
		{"text/html, application/x-yaml", FormatYAML},
		{"*/*", FormatJSON},
		{"text/*", FormatYAML},
		{"application/*", FormatJSON},
		{"application/", FormatJSON},
		{"application/x", FormatXML}, // a prefix of the earlier offer
		{"image/png", FormatJSON},
		{"Application/XML", FormatJSON},
		{" , application/xml ; charset=utf-8", FormatXML},
	}
	for _, c := range cases {
		if got := Negotiate(c.accept); got != c.want {
			t.Errorf("Negotiate(%q) = %d, want %d", c.accept, got, c.want)
		}
	}
}
