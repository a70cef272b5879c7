package shape

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets of security.md §6 that belong to this package. Their
// oracles are encoding/json and a small map-based model of the rules: slow,
// obviously right, and independent of the code under test.

// unmarshal decodes one JSON text with numbers kept as literals.
func unmarshal(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("encoding/json cannot read %q: %v", b, err)
	}
	return v
}

// depthOf returns the deepest container nesting in a valid JSON text.
func depthOf(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// topKeys returns the top-level keys of a JSON object in order, each once at
// its first position.
func topKeys(t *testing.T, b []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("topKeys(%q): not an object", b)
	}
	var keys []string
	seen := map[string]bool{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("topKeys(%q): %v", b, err)
		}
		k := tok.(string)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatalf("topKeys(%q): %v", b, err)
		}
	}
	return keys
}

// isSubsequence reports whether every element of sub appears in seq, in the
// same order.
func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range seq {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}

func FuzzDecodeBackend(f *testing.F) {
	for _, s := range []string{
		``, ` `, `null`, `{}`, `[]`, `{"a":1}`, " {\n \"a\" : [1, 2.5e-3, \"x\"] }\n", `[{"a":1},2]`,
		`"str"`, `12345678901234567890`, `1e400`, `-0.0`, `true`, `{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`,
		"{\"\xff\":\"\xc3\x28\"}", `{"\u00e9":"\ud800"}`, `{"a":1} x`, `{"a":}`, `[1,]`, `{"a":01}`,
		strings.Repeat("[", 257) + strings.Repeat("]", 257), nest(256, true, "0"), nest(257, true, "0"),
	} {
		for enc := range uint8(3) {
			f.Add([]byte(s), enc, false)
			f.Add([]byte(s), enc, true)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, enc uint8, isCollection bool) {
		orig := bytes.Clone(body)
		empty := len(bytes.TrimLeft(body, " \t\r\n")) == 0
		valid := json.Valid(body) && depthOf(body) <= MaxDepth
		var (
			o   Object
			err error
		)
		switch enc % 3 {
		case 0:
			o, err = DecodeJSON(body, expectOf(isCollection))
		case 1:
			o, err = DecodeSafeJSON(body)
		default:
			o = DecodeString(body)
			if got, want := string(StringContent(o)), validUTF8(string(body)); got != want {
				t.Fatalf("string content %q, want %q", got, want)
			}
		}
		if !bytes.Equal(body, orig) {
			t.Fatal("the body was modified")
		}
		out := AppendObject(nil, o)
		if !json.Valid(out) {
			t.Fatalf("invalid output %q", out)
		}
		if enc%3 == 2 {
			return
		}
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || !(errors.Is(err, ErrSyntax) || errors.Is(err, ErrTooDeep) || errors.Is(err, ErrType)) {
				t.Fatalf("error %v is not a *DecodeError with a sentinel", err)
			}
			if valid && !errors.Is(err, ErrType) {
				t.Fatalf("valid body rejected: %v", err)
			}
			if empty {
				t.Fatalf("empty body rejected: %v", err)
			}
			return
		}
		if !valid && !empty {
			t.Fatalf("invalid body %q accepted as %s", body, out)
		}
		if depthOf(out) > MaxDepth+1 {
			t.Fatalf("output too deep")
		}
		// Same data as encoding/json reads: numbers keep their literal, the
		// last duplicate wins, invalid UTF-8 becomes U+FFFD.
		var want any = map[string]any{}
		if !empty {
			v := unmarshal(t, body)
			switch v.(type) {
			case map[string]any:
				want = v
			case []any:
				want = map[string]any{"collection": v}
			case nil:
				if enc%3 == 1 {
					want = map[string]any{"content": nil}
				}
			default:
				want = map[string]any{"content": v}
			}
		}
		if got := unmarshal(t, out); !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %q as %s (%#v), want %#v", body, out, got, want)
		}
		// Top-level key order is the body's.
		if v, ok := want.(map[string]any); ok && !empty && len(v) > 0 && bytes.TrimLeft(body, " \t\r\n")[0] == '{' {
			if got, want := topKeys(t, out), topKeys(t, body); !reflect.DeepEqual(got, want) {
				t.Fatalf("key order %q, want %q", got, want)
			}
		}
		// Compact agrees with encoding/json on valid UTF-8.
		if utf8.Valid(body) && !empty {
			var w bytes.Buffer
			if err := json.Compact(&w, body); err != nil {
				t.Fatal(err)
			}
			got, err := Compact(nil, body)
			if err != nil || !bytes.Equal(got, w.Bytes()) {
				t.Fatalf("Compact(%q) = %q, %v; want %q", body, got, err, w.Bytes())
			}
		}
	})
}

// splitList turns a fuzz string into a list; "" means none.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// splitMapping turns "a=b,c=d" into renames.
func splitMapping(s string) []Rename {
	var rs []Rename
	for _, p := range splitList(s) {
		from, to, _ := strings.Cut(p, "=")
		rs = append(rs, Rename{From: from, To: to})
	}
	return rs
}

// modelTree is the allow or deny tree of the model: a nil value marks a path
// end.
type modelTree map[string]modelTree

func buildModelTree(paths []string) modelTree {
	root := modelTree{}
	for _, p := range paths {
		n := root
		segs := strings.Split(p, ".")
		for i, s := range segs {
			if i == len(segs)-1 {
				n[s] = nil
				break
			}
			if n[s] == nil {
				n[s] = modelTree{}
			}
			n = n[s]
		}
	}
	return root
}

func modelAllow(m map[string]any, tree modelTree) map[string]any {
	out := map[string]any{}
	for name, sub := range tree {
		v, ok := m[name]
		if !ok {
			continue
		}
		if sub == nil {
			out[name] = v
		} else if mm, ok := v.(map[string]any); ok {
			if r := modelAllow(mm, sub); len(r) > 0 {
				out[name] = r
			}
		}
	}
	return out
}

func modelDeny(m map[string]any, path string) {
	segs := strings.Split(path, ".")
	for _, s := range segs[:len(segs)-1] {
		next, ok := m[s].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	delete(m, segs[len(segs)-1])
}

// modelShape applies c to doc the slow way.
func modelShape(doc map[string]any, c SpecConfig) map[string]any {
	if c.Target != "" {
		var v any = doc
		for _, s := range strings.Split(c.Target, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = m[s]
		}
		m, ok := v.(map[string]any)
		if !ok {
			m = map[string]any{}
		}
		doc = m
	}
	if len(c.Allow) > 0 {
		doc = modelAllow(doc, buildModelTree(c.Allow))
	} else {
		for _, p := range c.Deny {
			modelDeny(doc, p)
		}
	}
	if len(c.Mapping) > 0 {
		out := map[string]any{}
		sources := map[string]bool{}
		for _, r := range c.Mapping {
			sources[r.From] = true
		}
		for k, v := range doc {
			if !sources[k] {
				out[k] = v
			}
		}
		for _, r := range c.Mapping {
			if v, ok := doc[r.From]; ok {
				out[r.To] = v
			}
		}
		doc = out
	}
	if c.Group != "" {
		doc = map[string]any{c.Group: doc}
	}
	return doc
}

// tryKeys reports whether every key of v is on the allow tree.
func tryKeys(v map[string]any, tree modelTree) bool {
	for k, val := range v {
		sub, ok := tree[k]
		if !ok {
			return false
		}
		if sub != nil {
			m, ok := val.(map[string]any)
			if !ok || !tryKeys(m, sub) {
				return false
			}
		}
	}
	return true
}

func FuzzShape(f *testing.F) {
	f.Add([]byte(`{"data":{"id":1,"user":{"name":"n","pw":"x"}},"z":0}`), "data", "id,user.name", "", "id=ident", "g")
	f.Add([]byte(`{"a":{"b":1,"c":{"d":2}},"e":[{"b":1}]}`), "", "", "a.b,a.c.d,e.b", "a=e,e=a", "")
	f.Add([]byte(`{"a":1,"b":2,"a":3}`), "", "a,b", "", "a=b", "")
	f.Add([]byte(`{"a":{"b":{},"c":1,"c":{"x":1}}}`), "", "a.b,a.c.x", "", "", "wrap")
	f.Add([]byte(`{"\u00e9":{"\u0062":1}}`), "é", "b", "", "", "")
	f.Add([]byte("{\"\xff\":{\"a\":1}}"), "", "\uFFFD.a", "", "", "")
	f.Add([]byte(`{"a":{"b":1,"b":2},"c":{}}`), "", "", "a.x,c.y", "c=a", "")
	f.Fuzz(func(t *testing.T, body []byte, target, allow, deny, mapping, group string) {
		c := SpecConfig{Target: target, Allow: splitList(allow), Deny: splitList(deny), Mapping: splitMapping(mapping), Group: group}
		checkShape(t, body, c)
	})
}

// checkShape runs c on body and checks the FuzzShape properties.
func checkShape(t *testing.T, body []byte, c SpecConfig) {
	t.Helper()
	s, err := Compile(c)
	if err != nil {
		return
	}
	o, err := DecodeJSON(body, ExpectObject)
	if err != nil {
		return
	}
	out := AppendObject(nil, s.Apply(o))
	if !json.Valid(out) {
		t.Fatalf("invalid output %q", out)
	}
	if depthOf(out) > MaxDepth+1 {
		t.Fatalf("output nested deeper than %d", MaxDepth+1)
	}
	names := len(c.Group)
	for _, r := range c.Mapping {
		names += len(r.To)
	}
	if limit := 3*len(body) + 6*names + 16; len(out) > limit {
		t.Fatalf("output of %d bytes from %d", len(out), len(body))
	}
	// Deterministic.
	o2, _ := DecodeJSON(body, ExpectObject)
	if again := AppendObject(nil, s.Apply(o2)); !bytes.Equal(again, out) {
		t.Fatalf("second run gave %q, first %q", again, out)
	}
	// Same data as the model.
	doc := map[string]any{}
	if len(bytes.TrimLeft(body, " \t\r\n")) > 0 {
		if m, ok := unmarshal(t, body).(map[string]any); ok {
			doc = m
		}
	}
	if len(c.Allow) > 0 {
		c.Deny = nil
	}
	want := modelShape(doc, c)
	if got := unmarshal(t, out); !reflect.DeepEqual(got, any(want)) {
		t.Fatalf("spec %+v on %s gave %s (%#v), want %#v", c, body, out, got, want)
	}
	// Keys ⊆ the allow tree, and body order kept.
	if c.Target == "" && len(c.Mapping) == 0 && c.Group == "" && len(out) > 2 {
		if len(c.Allow) > 0 {
			if m := unmarshal(t, out).(map[string]any); !tryKeys(m, buildModelTree(c.Allow)) {
				t.Fatalf("spec %+v on %s gave %s: keys off the allow tree", c, body, out)
			}
		}
		if !isSubsequence(topKeys(t, out), topKeys(t, body)) {
			t.Fatalf("key order %q is not the body's %q", topKeys(t, out), topKeys(t, body))
		}
	}
}

// TestShapeRandom runs checkShape on random documents and rules over a small
// alphabet, so that paths often hit, keys repeat and values change type.
func TestShapeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []string{"a", "b", "c", "é", `\u0061`}
	name := func() string { return keys[rng.IntN(4)] }
	var value func(depth int) string
	value = func(depth int) string {
		switch n := rng.IntN(10); {
		case depth > 4 || n < 3:
			return []string{`1`, `-0.0`, `"s"`, `null`, `true`, `1e400`}[rng.IntN(6)]
		case n < 5:
			parts := make([]string, rng.IntN(3))
			for i := range parts {
				parts[i] = value(depth + 1)
			}
			return "[" + strings.Join(parts, ",") + "]"
		default:
			parts := make([]string, rng.IntN(5))
			for i := range parts {
				parts[i] = `"` + keys[rng.IntN(len(keys))] + `":` + value(depth+1)
			}
			return "{" + strings.Join(parts, ", ") + "}"
		}
	}
	path := func() string {
		segs := make([]string, 1+rng.IntN(3))
		for i := range segs {
			segs[i] = name()
		}
		return strings.Join(segs, ".")
	}
	paths := func() []string {
		ps := make([]string, rng.IntN(4))
		for i := range ps {
			ps[i] = path()
		}
		return ps
	}
	compiled := 0
	for range 5000 {
		body := value(0)
		if body[0] != '{' {
			body = `{"a":` + body + `}`
		}
		var c SpecConfig
		if rng.IntN(4) == 0 {
			c.Target = path()
		}
		if rng.IntN(2) == 0 {
			c.Allow = paths()
		} else {
			c.Deny = paths()
		}
		for range rng.IntN(3) {
			c.Mapping = append(c.Mapping, Rename{From: name(), To: name()})
		}
		if rng.IntN(4) == 0 {
			c.Group = name()
		}
		if _, err := Compile(c); err == nil {
			compiled++
		}
		checkShape(t, []byte(body), c)
	}
	if compiled < 2500 {
		t.Fatalf("only %d of 5000 random specs compiled", compiled)
	}
}

func FuzzMerge(f *testing.F) {
	f.Add([]byte("{\"a\":1,\"b\":2}\x00{\"b\":3,\"c\":4}"))
	f.Add([]byte("{\"a\":1}\x00[1,2]\x00\"s\"\x00{\"collection\":0,\"a\":{}}"))
	f.Add([]byte("{}\x00{}\x00{\"x\":null}"))
	f.Add([]byte("{\"k\":1,\"k\":2}\x00{\"\\u006b\":3}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parts := bytes.SplitN(data, []byte{0}, 4)
		if len(parts) < 2 {
			return
		}
		var objs []Object
		for _, p := range parts {
			o, err := DecodeSafeJSON(p)
			if err != nil {
				return
			}
			objs = append(objs, o)
		}
		merge := func() []byte {
			var m Object
			for _, p := range parts {
				o, _ := DecodeSafeJSON(p)
				m = Merge(m, o)
			}
			return AppendObject(nil, m)
		}
		out := merge()
		if !json.Valid(out) {
			t.Fatalf("invalid output %q", out)
		}
		if again := merge(); !bytes.Equal(again, out) {
			t.Fatalf("second merge gave %q, first %q", again, out)
		}
		if all := AppendObject(nil, MergeAll(objs...)); !bytes.Equal(all, out) {
			t.Fatalf("MergeAll gave %q, Merge %q", all, out)
		}
		// Model: later documents overwrite, first positions are kept.
		want := map[string]any{}
		var order []string
		for _, o := range objs {
			enc := AppendObject(nil, o)
			for k, v := range unmarshal(t, enc).(map[string]any) {
				want[k] = v
			}
			for _, k := range topKeys(t, enc) {
				if !contains(order, k) {
					order = append(order, k)
				}
			}
		}
		if got := unmarshal(t, out); !reflect.DeepEqual(got, any(want)) {
			t.Fatalf("merged %q into %s, want %#v", data, out, want)
		}
		if got := topKeys(t, out); !reflect.DeepEqual(got, order) && len(order) > 0 {
			t.Fatalf("key order %q, want %q", got, order)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
