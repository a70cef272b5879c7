package shape

import (
	"strconv"
	"strings"
	"testing"
)

func TestMerge(t *testing.T) {
	tests := []struct {
		name string
		docs []string
		want string
	}{
		{"declaration order", []string{`{"b":1,"a":2}`, `{"d":3,"c":4}`}, `{"b":1,"a":2,"d":3,"c":4}`},
		{"collision keeps first position, later value", []string{`{"a":1,"b":2,"c":3}`, `{"x":0,"b":20}`}, `{"a":1,"b":20,"c":3,"x":0}`},
		{"later backend wins every time", []string{`{"k":1}`, `{"k":2}`, `{"k":3}`}, `{"k":3}`},
		{"no deep merge", []string{`{"o":{"a":1}}`, `{"o":{"b":2}}`}, `{"o":{"b":2}}`},
		{"no array concatenation", []string{`{"l":[1]}`, `{"l":[2]}`}, `{"l":[2]}`},
		{"empty first", []string{`{}`, `{"a":1}`}, `{"a":1}`},
		{"empty last", []string{`{"a":1}`, `{}`}, `{"a":1}`},
		{"four documents", []string{`{"a":1}`, `{"b":2,"a":10}`, `{"c":3}`, `{"b":20,"d":4}`}, `{"a":10,"b":20,"c":3,"d":4}`},
		{"first key literal kept", []string{`{"\u0061":1}`, `{"a":2}`}, `{"\u0061":2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var objs []Object
			var got Object
			for i, d := range tt.docs {
				o := mustDecode(t, d)
				objs = append(objs, mustDecode(t, d))
				if i == 0 {
					got = o
				} else {
					got = Merge(got, o)
				}
			}
			if s := encode(got); s != tt.want {
				t.Fatalf("Merge: got %s, want %s", s, tt.want)
			}
			if s := encode(MergeAll(objs...)); s != tt.want {
				t.Fatalf("MergeAll: got %s, want %s", s, tt.want)
			}
			for i, o := range objs {
				if s := encode(o); s != encode(mustDecode(t, tt.docs[i])) {
					t.Fatalf("MergeAll modified document %d: %s", i, s)
				}
			}
		})
	}
}

func TestMergeDoesNotModifySource(t *testing.T) {
	src := mustDecode(t, `{"a":1,"b":2}`)
	dst := mustDecode(t, `{"b":0}`)
	got := Merge(dst, src)
	got = Merge(got, mustDecode(t, `{"a":9}`))
	if s := encode(src); s != `{"a":1,"b":2}` {
		t.Fatalf("src became %s", s)
	}
	if s := encode(got); s != `{"b":2,"a":9}` {
		t.Fatalf("got %s", s)
	}
	// Merging into the zero Object must not alias src either.
	got = Merge(Object{}, src)
	got = Merge(got, mustDecode(t, `{"a":5}`))
	if s := encode(src); s != `{"a":1,"b":2}` {
		t.Fatalf("src became %s after merging into {}", s)
	}
}

// TestMergeLarge takes the hash-index path and compares it with the nested
// loop it replaces.
func TestMergeLarge(t *testing.T) {
	doc := func(from, to, val int) Object {
		var b strings.Builder
		b.WriteString("{")
		for i := from; i < to; i++ {
			if i > from {
				b.WriteString(",")
			}
			b.WriteString(`"k` + strconv.Itoa(i) + `":` + strconv.Itoa(val))
		}
		b.WriteString("}")
		return mustDecode(t, b.String())
	}
	got := MergeAll(doc(0, 100, 1), doc(50, 150, 2), doc(140, 160, 3))
	if len(got.Members) != 160 {
		t.Fatalf("got %d members, want 160", len(got.Members))
	}
	for i, m := range got.Members {
		want := 1
		switch {
		case i >= 140:
			want = 3
		case i >= 50:
			want = 2
		}
		if m.Name != "k"+strconv.Itoa(i) || string(m.Value) != strconv.Itoa(want) {
			t.Fatalf("member %d = %s:%s, want k%d:%d", i, m.Name, m.Value, i, want)
		}
	}
}
