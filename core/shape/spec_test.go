package shape

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  SpecConfig
		want string // substring of the error; "" means success
	}{
		{name: "empty config", cfg: SpecConfig{}},
		{name: "full config", cfg: SpecConfig{Target: "data.user", Allow: []string{"a", "b.c", "b.d"}, Mapping: []Rename{{"a", "x"}}, Group: "g"}},
		{name: "target empty segment", cfg: SpecConfig{Target: "data..user"}, want: `target "data..user": empty path segment`},
		{name: "target trailing dot", cfg: SpecConfig{Target: "data."}, want: "empty path segment"},
		{name: "target only a dot", cfg: SpecConfig{Target: "."}, want: "empty path segment"},
		{name: "allow empty entry", cfg: SpecConfig{Allow: []string{""}}, want: `allow "": empty path segment`},
		{name: "allow leading dot", cfg: SpecConfig{Allow: []string{".a"}}, want: "empty path segment"},
		{name: "allow overlap prefix first", cfg: SpecConfig{Allow: []string{"a", "a.b"}}, want: "allow entries overlap"},
		{name: "allow overlap prefix last", cfg: SpecConfig{Allow: []string{"a.b.c", "a.b"}}, want: "allow entries overlap"},
		{name: "allow repeated", cfg: SpecConfig{Allow: []string{"a.b", "a.b"}}, want: "allow entries overlap"},
		{name: "allow siblings ok", cfg: SpecConfig{Allow: []string{"a.b", "a.c", "ab"}}},
		{name: "deny empty segment", cfg: SpecConfig{Deny: []string{"a..b"}}, want: `deny "a..b": empty path segment`},
		{name: "deny overlap ok", cfg: SpecConfig{Deny: []string{"a", "a.b", "a"}}},
		{name: "deny ignored with allow", cfg: SpecConfig{Allow: []string{"a"}, Deny: []string{"a..b"}}},
		{name: "too deep", cfg: SpecConfig{Allow: []string{strings.Repeat("a.", MaxDepth) + "a"}}, want: "more than 256 segments"},
		{name: "mapping dot", cfg: SpecConfig{Mapping: []Rename{{"a", "b.c"}}}, want: `target "b.c" contains '.'`},
		{name: "mapping empty target", cfg: SpecConfig{Mapping: []Rename{{"a", ""}}}, want: "empty target name"},
		{name: "mapping two sources one target", cfg: SpecConfig{Mapping: []Rename{{"a", "x"}, {"b", "x"}}}, want: `target "x" already used by "a"`},
		{name: "mapping source twice", cfg: SpecConfig{Mapping: []Rename{{"a", "x"}, {"a", "y"}}}, want: "listed twice"},
		{name: "mapping dotted source ok", cfg: SpecConfig{Mapping: []Rename{{"a.b", "c"}}}},
		{name: "invalid UTF-8 target", cfg: SpecConfig{Target: "a\xff"}, want: "not valid UTF-8"},
		{name: "invalid UTF-8 allow", cfg: SpecConfig{Allow: []string{"a.\xff"}}, want: "not valid UTF-8"},
		{name: "invalid UTF-8 deny", cfg: SpecConfig{Deny: []string{"\xff"}}, want: "not valid UTF-8"},
		{name: "invalid UTF-8 mapping", cfg: SpecConfig{Mapping: []Rename{{"a", "\xfe"}}}, want: "not valid UTF-8"},
		{name: "invalid UTF-8 group", cfg: SpecConfig{Group: "\xff"}, want: "not valid UTF-8"},
		{name: "mapping chain ok", cfg: SpecConfig{Mapping: []Rename{{"a", "b"}, {"b", "c"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile(tt.cfg)
			if tt.want == "" {
				if err != nil || s == nil {
					t.Fatalf("Compile = %v, %v", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("err = %v, want one containing %q and wrapping ErrInvalidSpec", err, tt.want)
			}
		})
	}
}

func TestIsIdentity(t *testing.T) {
	var nilSpec *Spec
	if !nilSpec.IsIdentity() {
		t.Error("nil spec is not the identity")
	}
	body := `{"b":1,"a":2}`
	if got := encode(nilSpec.Apply(mustDecode(t, body))); got != body {
		t.Errorf("nil spec changed %s into %s", body, got)
	}
	for _, c := range []SpecConfig{{}, {Deny: nil, Allow: []string{}}} {
		s := mustCompile(t, c)
		if !s.IsIdentity() {
			t.Errorf("%+v is not the identity", c)
		}
		if got := encode(s.Apply(mustDecode(t, body))); got != body {
			t.Errorf("%+v changed %s into %s", c, body, got)
		}
	}
	for _, c := range []SpecConfig{{Target: "a"}, {Allow: []string{"a"}}, {Deny: []string{"a"}}, {Mapping: []Rename{{"a", "b"}}}, {Group: "g"}} {
		if mustCompile(t, c).IsIdentity() {
			t.Errorf("%+v claims to be the identity", c)
		}
	}
}

func mustCompile(t testing.TB, c SpecConfig) *Spec {
	t.Helper()
	s, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustDecode(t testing.TB, body string) Object {
	t.Helper()
	o, err := DecodeJSON([]byte(body), ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

type applyCase struct {
	name string
	cfg  SpecConfig
	body string
	want string
}

func runApply(t *testing.T, tests []applyCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustCompile(t, tt.cfg)
			got := encode(s.Apply(mustDecode(t, tt.body)))
			if got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			// Deterministic: the same input gives the same bytes.
			if again := encode(s.Apply(mustDecode(t, tt.body))); again != got {
				t.Fatalf("second run gave %s", again)
			}
		})
	}
}

func TestApplyTarget(t *testing.T) {
	runApply(t, []applyCase{
		{"top level", SpecConfig{Target: "data"}, `{"x":1,"data":{"b":1,"a":2}}`, `{"b":1,"a":2}`},
		{"nested", SpecConfig{Target: "data.user"}, `{"data":{"user":{"id":7,"name":"n"},"z":0}}`, `{"id":7,"name":"n"}`},
		{"nested duplicates resolved", SpecConfig{Target: "data"}, `{"data":{"a":1,"b":2,"a":3}}`, `{"a":3,"b":2}`},
		{"last duplicate on the path wins", SpecConfig{Target: "d.u"}, `{"d":{"u":{"v":1},"u":{"v":2}}}`, `{"v":2}`},
		{"escaped key on the path", SpecConfig{Target: "d.é"}, `{"d":{"\u00e9":{"ok":true}}}`, `{"ok":true}`},
		{"missing", SpecConfig{Target: "nope"}, `{"data":{"a":1}}`, `{}`},
		{"missing nested", SpecConfig{Target: "data.nope"}, `{"data":{"a":1}}`, `{}`},
		{"array", SpecConfig{Target: "data"}, `{"data":[{"a":1}]}`, `{}`},
		{"through array", SpecConfig{Target: "data.0"}, `{"data":[{"a":1}]}`, `{}`},
		{"scalar", SpecConfig{Target: "data"}, `{"data":"x"}`, `{}`},
		{"null", SpecConfig{Target: "data"}, `{"data":null}`, `{}`},
		{"through scalar", SpecConfig{Target: "data.x"}, `{"data":5}`, `{}`},
		{"empty object", SpecConfig{Target: "data"}, `{"data":{}}`, `{}`},
		{"case-sensitive", SpecConfig{Target: "Data"}, `{"data":{"a":1}}`, `{}`},
		{"escapes kept", SpecConfig{Target: "d"}, `{"d":{"s":"\u003c\n"}}`, `{"s":"\u003c\n"}`},
	})
}

func TestApplyTargetArrays(t *testing.T) {
	on := func(target string) SpecConfig { return SpecConfig{Target: target, TargetArrays: true} }
	runApply(t, []applyCase{
		{"array becomes collection", on("data"), `{"data":[{"a":1},2]}`, `{"collection":[{"a":1},2]}`},
		{"nested array", on("d.items"), `{"d":{"items":[1,2]}}`, `{"collection":[1,2]}`},
		{"empty array", on("data"), `{"data":[]}`, `{"collection":[]}`},
		{"object unchanged", on("data"), `{"data":{"a":1}}`, `{"a":1}`},
		{"scalar still empty", on("data"), `{"data":"x"}`, `{}`},
		{"missing still empty", on("nope"), `{"data":[1]}`, `{}`},
		{"through array still empty", on("data.0"), `{"data":[{"a":1}]}`, `{}`},
		{"then group", SpecConfig{Target: "data", TargetArrays: true, Group: "g"}, `{"data":[1]}`, `{"g":{"collection":[1]}}`},
		{"then mapping", SpecConfig{Target: "data", TargetArrays: true, Mapping: []Rename{{From: "collection", To: "items"}}}, `{"data":[1]}`, `{"items":[1]}`},
		{"then deny", SpecConfig{Target: "data", TargetArrays: true, Deny: []string{"collection"}}, `{"data":[1]}`, `{}`},
		{"then allow", SpecConfig{Target: "data", TargetArrays: true, Allow: []string{"collection"}}, `{"data":[1]}`, `{"collection":[1]}`},
		{"off by default", SpecConfig{Target: "data"}, `{"data":[1]}`, `{}`},
	})
}

func TestApplyAllow(t *testing.T) {
	runApply(t, []applyCase{
		{"top level keeps body order", SpecConfig{Allow: []string{"c", "a"}}, `{"a":1,"b":2,"c":3}`, `{"a":1,"c":3}`},
		{"whole values kept", SpecConfig{Allow: []string{"a"}}, `{"a":{"x":[1,{"y":2}]},"b":2}`, `{"a":{"x":[1,{"y":2}]}}`},
		{"nested path", SpecConfig{Allow: []string{"name", "address.city"}}, `{"name":"n","age":3,"address":{"street":"s","city":"c","zip":1}}`, `{"name":"n","address":{"city":"c"}}`},
		{"nested keeps body order", SpecConfig{Allow: []string{"a.z", "a.b"}}, `{"a":{"b":1,"m":2,"z":3}}`, `{"a":{"b":1,"z":3}}`},
		{"deep path", SpecConfig{Allow: []string{"a.b.c"}}, `{"a":{"b":{"c":1,"d":2},"e":3}}`, `{"a":{"b":{"c":1}}}`},
		{"through array drops branch", SpecConfig{Allow: []string{"a.b", "c"}}, `{"a":[{"b":1}],"c":1}`, `{"c":1}`},
		{"through scalar drops branch", SpecConfig{Allow: []string{"a.b"}}, `{"a":"x"}`, `{}`},
		{"through null drops branch", SpecConfig{Allow: []string{"a.b"}}, `{"a":null}`, `{}`},
		{"emptied branch removed", SpecConfig{Allow: []string{"a.b.c", "x"}}, `{"a":{"b":{"d":1}},"x":0}`, `{"x":0}`},
		{"emptied parent removed", SpecConfig{Allow: []string{"a.b.c"}}, `{"a":{"b":{"d":1},"e":2}}`, `{}`},
		{"source empty object on a path end kept", SpecConfig{Allow: []string{"a"}}, `{"a":{},"b":{}}`, `{"a":{}}`},
		{"source empty nested object kept", SpecConfig{Allow: []string{"a.b"}}, `{"a":{"b":{}}}`, `{"a":{"b":{}}}`},
		{"source empty object on an inner node removed", SpecConfig{Allow: []string{"a.b"}}, `{"a":{}}`, `{}`},
		{"null value kept", SpecConfig{Allow: []string{"a"}}, `{"a":null}`, `{"a":null}`},
		{"nothing survives", SpecConfig{Allow: []string{"zzz"}}, `{"a":1}`, `{}`},
		{"case-sensitive", SpecConfig{Allow: []string{"A", "b.C"}}, `{"a":1,"b":{"c":1}}`, `{}`},
		{"nested duplicate last wins first position", SpecConfig{Allow: []string{"a.x", "a.y"}}, `{"a":{"x":1,"y":2,"x":3}}`, `{"a":{"x":3,"y":2}}`},
		{"nested duplicate inner node last wins", SpecConfig{Allow: []string{"a.b.c"}}, `{"a":{"b":{"c":1},"b":5}}`, `{}`},
		{"escaped nested key matches", SpecConfig{Allow: []string{"a.é"}}, `{"a":{"\u00e9":1,"e":2}}`, `{"a":{"\u00e9":1}}`},
		{"escapes in kept values", SpecConfig{Allow: []string{"a.b"}}, `{"a":{"b":"<\u00e9>"}}`, `{"a":{"b":"<\u00e9>"}}`},
		{"many children", SpecConfig{Allow: []string{"k1", "k3", "k5", "k7", "k9", "k11", "k13", "k15", "k17", "o.k2", "o.k4"}},
			`{"k0":0,"k1":1,"k2":2,"k3":3,"k17":17,"o":{"k1":1,"k2":2,"k3":3,"k4":4}}`, `{"k1":1,"k3":3,"k17":17,"o":{"k2":2,"k4":4}}`},
		{"deny ignored", SpecConfig{Allow: []string{"a"}, Deny: []string{"a"}}, `{"a":1,"b":2}`, `{"a":1}`},
	})
	// A nested level with more children than allowObject's stack buffers.
	var allow []string
	var body, want strings.Builder
	body.WriteString(`{"o":{`)
	want.WriteString(`{"o":{`)
	for i := range 40 {
		n := "k" + strconv.Itoa(i)
		if i%2 == 0 {
			allow = append(allow, "o."+n)
		}
		if i > 0 {
			body.WriteString(",")
		}
		body.WriteString(`"` + n + `":` + strconv.Itoa(i))
		if i%2 == 0 {
			if i > 0 {
				want.WriteString(",")
			}
			want.WriteString(`"` + n + `":` + strconv.Itoa(i+100))
		}
	}
	for i := 0; i < 40; i += 2 {
		body.WriteString(`,"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i+100))
	}
	body.WriteString("}}")
	want.WriteString("}}")
	runApply(t, []applyCase{{"wide nested level", SpecConfig{Allow: allow}, body.String(), want.String()}})
}

func TestApplyDeny(t *testing.T) {
	runApply(t, []applyCase{
		{"top level", SpecConfig{Deny: []string{"b"}}, `{"a":1,"b":2,"c":3}`, `{"a":1,"c":3}`},
		{"nested", SpecConfig{Deny: []string{"a.b"}}, `{"a":{"b":1,"c":2},"d":3}`, `{"a":{"c":2},"d":3}`},
		{"deep", SpecConfig{Deny: []string{"a.b.c"}}, `{"a":{"b":{"c":1,"d":2}}}`, `{"a":{"b":{"d":2}}}`},
		{"emptied parent stays", SpecConfig{Deny: []string{"a.b"}}, `{"a":{"b":1}}`, `{"a":{}}`},
		{"emptied deep parent stays", SpecConfig{Deny: []string{"a.b.c"}}, `{"a":{"b":{"c":1}}}`, `{"a":{"b":{}}}`},
		{"through array does nothing", SpecConfig{Deny: []string{"a.b"}}, `{"a":[{"b":1}]}`, `{"a":[{"b":1}]}`},
		{"through scalar does nothing", SpecConfig{Deny: []string{"a.b"}}, `{"a":1}`, `{"a":1}`},
		{"missing does nothing", SpecConfig{Deny: []string{"x", "a.x"}}, `{"a":{"b":1}}`, `{"a":{"b":1}}`},
		{"untouched nested object left as sent", SpecConfig{Deny: []string{"a.x"}}, `{"a":{"b":1,"b":2}}`, `{"a":{"b":1,"b":2}}`},
		{"touched nested object deduplicated", SpecConfig{Deny: []string{"a.x"}}, `{"a":{"b":1,"x":0,"b":2}}`, `{"a":{"b":2}}`},
		{"duplicate denied key removed", SpecConfig{Deny: []string{"a.b"}}, `{"a":{"b":1,"c":0,"b":2}}`, `{"a":{"c":0}}`},
		{"order kept", SpecConfig{Deny: []string{"m", "o.m"}}, `{"z":1,"m":2,"a":3,"o":{"z":1,"m":2,"a":3}}`, `{"z":1,"a":3,"o":{"z":1,"a":3}}`},
		{"shorter path wins", SpecConfig{Deny: []string{"a.b", "a"}}, `{"a":{"b":1},"c":2}`, `{"c":2}`},
		{"several nested", SpecConfig{Deny: []string{"a.b", "a.c.d", "e.f"}}, `{"a":{"b":1,"c":{"d":2,"g":3}},"e":{"f":4}}`, `{"a":{"c":{"g":3}},"e":{}}`},
		{"case-sensitive", SpecConfig{Deny: []string{"A", "b.C"}}, `{"a":1,"b":{"c":1}}`, `{"a":1,"b":{"c":1}}`},
		{"escaped key matches", SpecConfig{Deny: []string{"a.é"}}, `{"a":{"\u00e9":1,"e":2}}`, `{"a":{"e":2}}`},
		{"nested unchanged deeper", SpecConfig{Deny: []string{"a.b.x"}}, `{"a":{"b":{"y":1},"c":2}}`, `{"a":{"b":{"y":1},"c":2}}`},
	})
}

func TestApplyMapping(t *testing.T) {
	runApply(t, []applyCase{
		{"rename in place", SpecConfig{Mapping: []Rename{{"b", "x"}}}, `{"a":1,"b":2,"c":3}`, `{"a":1,"x":2,"c":3}`},
		{"chain is simultaneous", SpecConfig{Mapping: []Rename{{"a", "b"}, {"b", "c"}}}, `{"a":1,"b":2}`, `{"b":1,"c":2}`},
		{"chain reversed order", SpecConfig{Mapping: []Rename{{"b", "c"}, {"a", "b"}}}, `{"a":1,"b":2}`, `{"b":1,"c":2}`},
		{"swap", SpecConfig{Mapping: []Rename{{"a", "b"}, {"b", "a"}}}, `{"a":1,"b":2}`, `{"b":1,"a":2}`},
		{"collision overwrites unrenamed key", SpecConfig{Mapping: []Rename{{"a", "b"}}}, `{"a":1,"b":2}`, `{"b":1}`},
		{"collision before the source", SpecConfig{Mapping: []Rename{{"a", "b"}}}, `{"b":2,"a":1,"c":3}`, `{"b":1,"c":3}`},
		{"missing source does nothing", SpecConfig{Mapping: []Rename{{"x", "b"}}}, `{"a":1,"b":2}`, `{"a":1,"b":2}`},
		{"chain with missing middle", SpecConfig{Mapping: []Rename{{"a", "b"}, {"b", "c"}}}, `{"a":1,"c":3}`, `{"b":1,"c":3}`},
		{"dotted source is a literal key", SpecConfig{Mapping: []Rename{{"a.b", "c"}}}, `{"a.b":1,"a":{"b":2}}`, `{"c":1,"a":{"b":2}}`},
		{"case-sensitive", SpecConfig{Mapping: []Rename{{"A", "x"}}}, `{"a":1}`, `{"a":1}`},
		{"new key is quoted", SpecConfig{Mapping: []Rename{{"a", "say \"hi\"\n"}}}, `{"a":1}`, `{"say \"hi\"\n":1}`},
		{"same name keeps the key", SpecConfig{Mapping: []Rename{{"é", "é"}}}, `{"\u00e9":1}`, `{"\u00e9":1}`},
		{"many renames", SpecConfig{Mapping: []Rename{{"a", "A"}, {"b", "B"}, {"c", "C"}, {"d", "D"}, {"e", "E"}, {"f", "F"}, {"g", "G"}, {"h", "H"}, {"i", "I"}}},
			`{"i":9,"a":1,"z":0,"h":8}`, `{"I":9,"A":1,"z":0,"H":8}`},
	})
	// More renames than applyMapping's stack buffer.
	var rs []Rename
	body, want := "{", "{"
	for i := range 20 {
		n := string(rune('a' + i))
		rs = append(rs, Rename{n, strings.ToUpper(n)})
		if i > 0 {
			body += ","
			want += ","
		}
		body += `"` + n + `":1`
		want += `"` + strings.ToUpper(n) + `":1`
	}
	runApply(t, []applyCase{{"twenty renames", SpecConfig{Mapping: rs}, body + "}", want + "}"}})
}

func TestApplyGroup(t *testing.T) {
	runApply(t, []applyCase{
		{"wraps", SpecConfig{Group: "g"}, `{"b":1,"a":2}`, `{"g":{"b":1,"a":2}}`},
		{"empty", SpecConfig{Group: "g"}, `{}`, `{"g":{}}`},
		{"quoted", SpecConfig{Group: "a\"b"}, `{"x":1}`, `{"a\"b":{"x":1}}`},
	})
}

func TestApplyOrder(t *testing.T) {
	runApply(t, []applyCase{
		{"target then allow then mapping then group",
			SpecConfig{Target: "data", Allow: []string{"id", "user.name"}, Mapping: []Rename{{"id", "ident"}, {"user", "who"}}, Group: "g"},
			`{"data":{"id":1,"secret":2,"user":{"name":"n","pw":"x"}},"other":3}`,
			`{"g":{"ident":1,"who":{"name":"n"}}}`},
		{"target then deny then mapping",
			SpecConfig{Target: "d", Deny: []string{"x", "u.pw"}, Mapping: []Rename{{"u", "user"}}},
			`{"d":{"x":1,"u":{"name":"n","pw":"p"},"y":2}}`,
			`{"user":{"name":"n"},"y":2}`},
		{"allow uses pre-mapping names", SpecConfig{Allow: []string{"a"}, Mapping: []Rename{{"a", "b"}}}, `{"a":1,"b":2}`, `{"b":1}`},
		{"missing target then group", SpecConfig{Target: "nope", Group: "g"}, `{"a":1}`, `{"g":{}}`},
	})
}

// TestApplySynthesisedMembers runs the rules on objects that did not come
// from DecodeJSON: keys without literals.
func TestApplySynthesisedMembers(t *testing.T) {
	o := DecodeString([]byte("hi"))
	s := mustCompile(t, SpecConfig{Allow: []string{"content"}, Mapping: []Rename{{"content", "text"}}, Group: "g"})
	if got, want := encode(s.Apply(o)), `{"g":{"text":"hi"}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	coll, err := DecodeJSON([]byte(`[{"a":{"b":1,"c":2}}]`), ExpectCollection)
	if err != nil {
		t.Fatal(err)
	}
	s = mustCompile(t, SpecConfig{Deny: []string{"collection.a"}})
	if got, want := encode(s.Apply(coll)), `{"collection":[{"a":{"b":1,"c":2}}]}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestApplyInvalidValues checks that rules never panic on hand-made objects
// whose values are not valid JSON (a decoder never produces them).
func TestApplyInvalidValues(t *testing.T) {
	bad := [][]byte{nil, {}, []byte("{"), []byte(`{"a"`), []byte(`{"a":`), []byte(`{"a":{"b"`), []byte(`{"\`), []byte(`{"a":1,`), []byte(`{:}`)}
	specs := []SpecConfig{
		{Target: "x.a.b"}, {Allow: []string{"x.a.b"}}, {Deny: []string{"x.a.b"}}, {Deny: []string{"x.a"}},
		{Mapping: []Rename{{"x", "y"}}}, {Group: "g"},
	}
	for _, c := range specs {
		s := mustCompile(t, c)
		for _, v := range bad {
			o := Object{Members: []Member{{Name: "x", Value: v}}}
			out := AppendObject(nil, s.Apply(o))
			if len(out) < 2 || out[0] != '{' || out[len(out)-1] != '}' {
				t.Errorf("%+v on %q: output %q is not an object", c, v, out)
			}
		}
	}
}

// TestApplyConcurrent shares one Spec between goroutines, as the gateway
// does; run it with -race.
func TestApplyConcurrent(t *testing.T) {
	s := mustCompile(t, SpecConfig{Target: "d", Allow: []string{"a.b", "c"}, Mapping: []Rename{{"c", "x"}}, Group: "g"})
	body := []byte(`{"d":{"a":{"b":1,"z":2},"c":3,"q":4}}`)
	const want = `{"g":{"a":{"b":1},"x":3}}`
	done := make(chan string, 8)
	for range 8 {
		go func() {
			got := ""
			for range 200 {
				o, err := DecodeJSON(body, ExpectObject)
				if err != nil {
					done <- err.Error()
					return
				}
				if got = encode(s.Apply(o)); got != want {
					break
				}
			}
			done <- got
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
}
