package shape

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestMergeDeep(t *testing.T) {
	tests := []struct {
		name string
		docs []string
		want string
	}{
		{"disjoint keys as Merge", []string{`{"b":1,"a":2}`, `{"d":3,"c":4}`}, `{"b":1,"a":2,"d":3,"c":4}`},
		{"objects merged", []string{`{"o":{"a":1}}`, `{"o":{"b":2}}`}, `{"o":{"a":1,"b":2}}`},
		{"recursive", []string{`{"o":{"p":{"a":1,"z":0},"x":1}}`, `{"o":{"p":{"b":2,"a":10}}}`}, `{"o":{"p":{"a":10,"z":0,"b":2},"x":1}}`},
		{"nested order is first appearance", []string{`{"o":{"c":1,"a":2}}`, `{"o":{"b":3,"c":4}}`}, `{"o":{"c":4,"a":2,"b":3}}`},
		{"arrays replaced", []string{`{"l":[1]}`, `{"l":[2]}`}, `{"l":[2]}`},
		{"nested arrays replaced", []string{`{"o":{"l":[1,2]}}`, `{"o":{"l":[3]}}`}, `{"o":{"l":[3]}}`},
		{"object then scalar", []string{`{"o":{"a":1}}`, `{"o":5}`}, `{"o":5}`},
		{"scalar then object", []string{`{"o":5}`, `{"o":{"a":1}}`}, `{"o":{"a":1}}`},
		{"object then null", []string{`{"o":{"a":1}}`, `{"o":null}`}, `{"o":null}`},
		{"object then array", []string{`{"o":{"a":1}}`, `{"o":[1]}`}, `{"o":[1]}`},
		{"empty object later", []string{`{"o":{"a":1}}`, `{"o":{}}`}, `{"o":{"a":1}}`},
		{"empty object first", []string{`{"o":{}}`, `{"o":{"a":1}}`}, `{"o":{"a":1}}`},
		{"three documents", []string{`{"o":{"a":1}}`, `{"o":{"b":2}}`, `{"o":{"a":3,"c":{"d":1}}}`}, `{"o":{"a":3,"b":2,"c":{"d":1}}}`},
		{"nested duplicates resolved", []string{`{"o":{"a":1,"a":2}}`, `{"o":{"b":3}}`}, `{"o":{"a":2,"b":3}}`},
		{"escaped nested key matches", []string{`{"o":{"\u0061":1}}`, `{"o":{"a":2,"b":3}}`}, `{"o":{"\u0061":2,"b":3}}`},
		{"first key literal kept", []string{`{"\u0061":{"x":1}}`, `{"a":{"y":2}}`}, `{"\u0061":{"x":1,"y":2}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Object
			for _, d := range tt.docs {
				got = MergeDeep(got, mustDecode(t, d))
			}
			if s := encode(got); s != tt.want {
				t.Fatalf("MergeDeep: got %s, want %s", s, tt.want)
			}
		})
	}
}

// TestMergeDeepLarge covers the hashed path for many top-level members.
func TestMergeDeepLarge(t *testing.T) {
	var a, b strings.Builder
	a.WriteString(`{`)
	b.WriteString(`{`)
	for i := 0; i < 100; i++ {
		if i > 0 {
			a.WriteString(",")
			b.WriteString(",")
		}
		a.WriteString(`"k` + itoaTest(i) + `":{"a":1}`)
		b.WriteString(`"k` + itoaTest(99-i) + `":{"b":2}`)
	}
	a.WriteString(`}`)
	b.WriteString(`}`)
	got := MergeDeep(mustDecode(t, a.String()), mustDecode(t, b.String()))
	if len(got.Members) != 100 {
		t.Fatalf("got %d members", len(got.Members))
	}
	for i, m := range got.Members {
		if m.Name != "k"+itoaTest(i) || string(m.Value) != `{"a":1,"b":2}` {
			t.Fatalf("member %d: %s = %s", i, m.Name, m.Value)
		}
	}
}

func itoaTest(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoaTest(i/10) + string(rune('0'+i%10))
}

// TestMergeDeepSourcesUntouched checks that src and the values it shares are
// never written to.
func TestMergeDeepSourcesUntouched(t *testing.T) {
	body := []byte(`{"o":{"b":2},"p":1}`)
	keep := bytes.Clone(body)
	src, err := DecodeJSON(body, ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	got := MergeDeep(mustDecode(t, `{"o":{"a":1}}`), src)
	if encode(got) != `{"o":{"a":1,"b":2},"p":1}` {
		t.Fatalf("got %s", encode(got))
	}
	if !bytes.Equal(body, keep) || encode(src) != `{"o":{"b":2},"p":1}` {
		t.Fatalf("src changed: %s", body)
	}
}

// deepModel is the map-based reference for MergeDeep.
func deepModel(dst, src map[string]any) {
	for k, v := range src {
		if so, ok := v.(map[string]any); ok {
			if do, ok := dst[k].(map[string]any); ok {
				deepModel(do, so)
				continue
			}
		}
		dst[k] = v
	}
}

func FuzzMergeDeep(f *testing.F) {
	f.Add([]byte("{\"a\":{\"x\":1},\"b\":2}\x00{\"a\":{\"y\":3},\"c\":4}"))
	f.Add([]byte("{\"a\":{\"x\":{\"y\":[1]}}}\x00{\"a\":{\"x\":{\"y\":[2],\"z\":{}}}}\x00{\"a\":null}"))
	f.Add([]byte("{}\x00{}\x00{\"x\":null}"))
	f.Add([]byte("{\"k\":{\"a\":1,\"a\":2}}\x00{\"\\u006b\":{\"\\u0061\":3}}"))
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
				m = MergeDeep(m, o)
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
		want := map[string]any{}
		var order []string
		for _, o := range objs {
			enc := AppendObject(nil, o)
			deepModel(want, unmarshal(t, enc).(map[string]any))
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

// BenchmarkMergeDeep merges two 4-member documents whose "user" objects
// collide; BenchmarkMergeShallowSame is the default merge of the same input.
func BenchmarkMergeDeep(b *testing.B) {
	benchMerge(b, MergeDeep)
}

// BenchmarkMergeShallowSame is Merge on BenchmarkMergeDeep's input.
func BenchmarkMergeShallowSame(b *testing.B) {
	benchMerge(b, Merge)
}

func benchMerge(b *testing.B, merge func(dst, src Object) Object) {
	d1 := []byte(`{"user":{"id":7,"name":"Ada","address":{"city":"X"}},"a":1,"b":[1,2],"c":"s"}`)
	d2 := []byte(`{"user":{"posts":12,"address":{"zip":"1"}},"d":2,"b":[3],"e":null}`)
	b.ReportAllocs()
	for b.Loop() {
		o1, _ := DecodeJSON(d1, ExpectObject)
		o2, _ := DecodeJSON(d2, ExpectObject)
		if m := merge(o1, o2); len(m.Members) != 6 {
			b.Fatal(len(m.Members))
		}
	}
}
