package shape

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tributary-gw/tributary/internal/flatmapspec"
)

func mustFlatmap(t testing.TB, ops ...FlatmapOp) *Flatmap {
	t.Helper()
	f, err := CompileFlatmap(ops)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func op(typ string, args ...string) FlatmapOp { return FlatmapOp{Type: typ, Args: args} }

func applyText(t testing.TB, f *Flatmap, doc string) string {
	t.Helper()
	o, err := DecodeJSON([]byte(doc), ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	return string(AppendObject(nil, f.Apply(o)))
}

func TestFlatmapOps(t *testing.T) {
	cases := []struct {
		name string
		ops  []FlatmapOp
		in   string
		want string
	}{
		{"rename", []FlatmapOp{op("move", "a", "b")}, `{"a":1,"c":2}`, `{"c":2,"b":1}`},
		{"rename nested keeps digits", []FlatmapOp{op("move", "x.a", "x.b")}, `{"x":{"a":1.50e3,"k":true}}`, `{"x":{"k":true,"b":1.50e3}}`},
		{"embed", []FlatmapOp{op("move", "a", "a.b")}, `{"a":{"x":1}}`, `{"a":{"b":{"x":1}}}`},
		{"embed skips scalar", []FlatmapOp{op("move", "a", "a.b")}, `{"a":1}`, `{"a":1}`},
		{"wildcard rename in collection", []FlatmapOp{op("move", "c.*.id", "c.*.key")},
			`{"c":[{"id":1,"n":"a"},{"id":2},{"n":"x"}]}`, `{"c":[{"n":"a","key":1},{"key":2},{"n":"x"}]}`},
		{"promotion last wins", []FlatmapOp{op("move", "a.*.b", "a.c")}, `{"a":{"y":{"b":2},"x":{"b":1}}}`,
			`{"a":{"y":{},"x":{},"c":2}}`},
		{"creates intermediates", []FlatmapOp{op("move", "a", "n.m")}, `{"a":[1,2]}`, `{"n":{"m":[1,2]}}`},
		{"del wildcard", []FlatmapOp{op("del", "c.*.n")}, `{"c":[{"id":1,"n":"a"},{"n":"x"}]}`, `{"c":[{"id":1},{}]}`},
		{"del index shifts", []FlatmapOp{op("del", "c.0", "c.0")}, `{"c":[1,2,3]}`, `{"c":[3]}`},
		{"del all elements", []FlatmapOp{op("del", "c.*")}, `{"c":[1,2,3]}`, `{"c":[]}`},
		{"del top star", []FlatmapOp{op("del", "*")}, `{"a":1,"b":2}`, `{}`},
		{"del keeps emptied object", []FlatmapOp{op("del", "a.b")}, `{"a":{"b":1}}`, `{"a":{}}`},
		{"del missing", []FlatmapOp{op("del", "z.y.x")}, `{"a":1}`, `{"a":1}`},
		{"numeric key on object", []FlatmapOp{op("del", "a.0")}, `{"a":{"0":1,"1":2}}`, `{"a":{"1":2}}`},
		{"append", []FlatmapOp{op("append", "a", "b")}, `{"a":[3],"b":[1,2]}`, `{"b":[1,2,3]}`},
		{"append not arrays", []FlatmapOp{op("append", "a", "b")}, `{"a":[3],"b":{}}`, `{"a":[3],"b":{}}`},
		{"sequence", []FlatmapOp{op("move", "a", "b"), op("del", "b.x")}, `{"a":{"x":1,"y":2}}`, `{"b":{"y":2}}`},
		{"escaped keys", []FlatmapOp{op("move", "a\"b", "c")}, `{"a\"b":1}`, `{"c":1}`},
		{"duplicate keys last wins", []FlatmapOp{op("del", "a.x")}, `{"a":{"x":1,"y":2,"x":3}}`, `{"a":{"y":2}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := applyText(t, mustFlatmap(t, c.ops...), c.in)
			if got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			if ref := refApplyText(t, c.ops, c.in); !sameJSON(got, ref) {
				t.Fatalf("reference disagrees: %s vs %s", got, ref)
			}
		})
	}
}

func TestFlatmapDoesNotModifyInput(t *testing.T) {
	in := []byte(`{"c":[{"id":1,"n":"a"},{"id":2}],"d":{"x":1}}`)
	o, err := DecodeJSON(bytes.Clone(in), ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	before := string(AppendObject(nil, o))
	f := mustFlatmap(t, op("move", "c.*.id", "c.*.k"), op("del", "d.x"), op("append", "c", "c"))
	f.Apply(o)
	if after := string(AppendObject(nil, o)); after != before {
		t.Fatalf("input changed: %s → %s", before, after)
	}
}

func TestCompileFlatmapRejects(t *testing.T) {
	bad := [][]FlatmapOp{
		{op("copy", "a", "b")},
		{op("move", "a")},
		{op("move", "a", "b", "c")},
		{op("del")},
		{op("append", "a.*", "b")},
		{op("move", "a", "")},
		{op("move", "a..b", "c")},
		{op("move", "a.b", "*")},
		{op("move", "a.b", "c.*.d")},
		{op("move", "a.*.b", "x.y.z")},
		{op("move", "a.*.b", "b.c")},
		{op("move", "a.b", "a.*.c")},
	}
	for _, ops := range bad {
		if _, err := CompileFlatmap(ops); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("%v: err = %v, want ErrInvalidSpec", ops, err)
		}
	}
	good := [][]FlatmapOp{
		{op("move", "a.*.b", "a.*.c")},
		{op("move", "a.*.b", "a.*.x.c")},
		{op("move", "a.*.b", "a.c")},
		{op("move", "a", "x.y.z")},
		{op("del", "a", "b.*.c")},
	}
	for _, ops := range good {
		if _, err := CompileFlatmap(ops); err != nil {
			t.Errorf("%v: %v", ops, err)
		}
	}
}

func TestPathText(t *testing.T) {
	o, err := DecodeJSON([]byte(`{"u":{"id":12345678901234567890,"n":"a b\u00e9","t":true,"l":[1,"x",false],"z":null,"o":{},"lo":[{}]},"f":1.5e3}`), ExpectObject)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"u.id": "12345678901234567890", "u.n": "a bé", "u.t": "true", "u.l": "1,x,false", "f": "1.5e3"} {
		if got, ok := o.PathText(strings.Split(path, ".")); !ok || got != want {
			t.Errorf("%s = %q, %v; want %q", path, got, ok, want)
		}
	}
	for _, path := range []string{"u.z", "u.o", "u.lo", "u.missing", "f.x", "u.id.x"} {
		if got, ok := o.PathText(strings.Split(path, ".")); ok {
			t.Errorf("%s = %q, want no value", path, got)
		}
	}
}

// ---- the reference implementation: plain any trees ----

type rstep struct {
	name  string
	index int
}

type rmatch struct{ steps, bound []rstep }

func refCollect(v any, p []flatmapspec.Seg, steps, bound []rstep, out *[]rmatch) {
	if len(p) == 0 {
		*out = append(*out, rmatch{append([]rstep(nil), steps...), append([]rstep(nil), bound...)})
		return
	}
	s := p[0]
	switch c := v.(type) {
	case map[string]any:
		if s.Star {
			keys := make([]string, 0, len(c))
			for k := range c {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				st := rstep{k, -1}
				refCollect(c[k], p[1:], append(steps, st), append(bound, st), out)
			}
		} else if x, ok := c[s.Name]; ok {
			refCollect(x, p[1:], append(steps, rstep{s.Name, s.Index}), bound, out)
		}
	case []any:
		if s.Star {
			for i := range c {
				st := rstep{strconv.Itoa(i), i}
				refCollect(c[i], p[1:], append(steps, st), append(bound, st), out)
			}
		} else if s.Index >= 0 && s.Index < len(c) {
			refCollect(c[s.Index], p[1:], append(steps, rstep{s.Name, s.Index}), bound, out)
		}
	}
}

func refGet(v any, steps []rstep) (any, bool) {
	for _, s := range steps {
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[s.name]
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			if s.index < 0 || s.index >= len(c) {
				return nil, false
			}
			v = c[s.index]
		default:
			return nil, false
		}
	}
	return v, true
}

// refRemove returns v without the value at steps.
func refRemove(v any, steps []rstep) any {
	s := steps[0]
	switch c := v.(type) {
	case map[string]any:
		if _, ok := c[s.name]; !ok {
			return v
		}
		if len(steps) == 1 {
			delete(c, s.name)
		} else {
			c[s.name] = refRemove(c[s.name], steps[1:])
		}
	case []any:
		if s.index < 0 || s.index >= len(c) {
			return v
		}
		if len(steps) == 1 {
			return append(c[:s.index:s.index], c[s.index+1:]...)
		}
		c[s.index] = refRemove(c[s.index], steps[1:])
	}
	return v
}

func refReachable(v any, steps []rstep) bool {
	for _, s := range steps[:len(steps)-1] {
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[s.name]
			if !ok {
				return true
			}
			v = x
		case []any:
			if s.index < 0 || s.index >= len(c) {
				return false
			}
			v = c[s.index]
		default:
			return false
		}
	}
	_, ok := v.(map[string]any)
	return ok
}

// refSet returns v with val written at steps (reachability checked).
func refSet(v any, steps []rstep, val any) any {
	s := steps[0]
	switch c := v.(type) {
	case map[string]any:
		if len(steps) == 1 {
			c[s.name] = val
			return c
		}
		x, ok := c[s.name]
		if !ok {
			x = map[string]any{}
		}
		c[s.name] = refSet(x, steps[1:], val)
	case []any:
		c[s.index] = refSet(c[s.index], steps[1:], val)
	}
	return v
}

func refApply(doc any, ops []FlatmapOp) any {
	for _, o := range ops {
		var paths [][]flatmapspec.Seg
		for _, a := range o.Args {
			p, _ := flatmapspec.Split(a)
			paths = append(paths, p)
		}
		switch o.Type {
		case "del":
			for _, p := range paths {
				var ms []rmatch
				refCollect(doc, p, nil, nil, &ms)
				for j := len(ms) - 1; j >= 0; j-- {
					doc = refRemove(doc, ms[j].steps)
				}
			}
		case "move":
			var ms []rmatch
			refCollect(doc, paths[0], nil, nil, &ms)
			var keep []rmatch
			var vals []any
			var dsts [][]rstep
			for _, m := range ms {
				var d []rstep
				k := 0
				for _, s := range paths[1] {
					if s.Star && k < len(m.bound) {
						d = append(d, m.bound[k])
						k++
					} else {
						d = append(d, rstep{s.Name, s.Index})
					}
				}
				if !refReachable(doc, d) {
					continue
				}
				x, _ := refGet(doc, m.steps)
				keep, vals, dsts = append(keep, m), append(vals, x), append(dsts, d)
			}
			for j := len(keep) - 1; j >= 0; j-- {
				doc = refRemove(doc, keep[j].steps)
			}
			for j := range vals {
				if refReachable(doc, dsts[j]) {
					doc = refSet(doc, dsts[j], vals[j])
				}
			}
		case "append":
			var ss, ds []rstep
			for _, s := range paths[0] {
				ss = append(ss, rstep{s.Name, s.Index})
			}
			for _, s := range paths[1] {
				ds = append(ds, rstep{s.Name, s.Index})
			}
			sv, ok1 := refGet(doc, ss)
			dv, ok2 := refGet(doc, ds)
			sa, isA := sv.([]any)
			da, isB := dv.([]any)
			if !ok1 || !ok2 || !isA || !isB {
				continue
			}
			joined := append(append([]any{}, da...), sa...)
			doc = refSetAny(doc, ds, joined)
			doc = refRemove(doc, ss)
		}
	}
	return doc
}

// refSetAny replaces the existing value at steps.
func refSetAny(v any, steps []rstep, val any) any {
	if len(steps) == 0 {
		return val
	}
	s := steps[0]
	switch c := v.(type) {
	case map[string]any:
		c[s.name] = refSetAny(c[s.name], steps[1:], val)
	case []any:
		c[s.index] = refSetAny(c[s.index], steps[1:], val)
	}
	return v
}

func decodeAny(t testing.TB, s string) any {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func refApplyText(t testing.TB, ops []FlatmapOp, doc string) string {
	out, err := json.Marshal(refApply(decodeAny(t, doc), ops))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func sameJSON(a, b string) bool {
	var x, y any
	da, db := json.NewDecoder(strings.NewReader(a)), json.NewDecoder(strings.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	ea, _ := json.Marshal(x)
	eb, _ := json.Marshal(y)
	return bytes.Equal(ea, eb)
}

// FuzzFlatmap checks the engine against the reference on arbitrary
// documents and operation lists.
func FuzzFlatmap(f *testing.F) {
	f.Add([]byte(`{"a":{"x":[1,{"b":2}],"y":{"b":3}},"c":[[1],[2,3]]}`), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte(`{"a":[{"b":1},{"b":2}],"b":[1]}`), []byte{1, 0, 4, 0, 0, 9, 2, 0, 1})
	f.Add([]byte(`{"0":{"0":{"0":1}},"a":{"a":{"a":[]}}}`), []byte{0, 5, 5, 5, 6, 5, 3, 2, 2})
	segs := []string{"a", "b", "c", "*", "0", "1", "x", "y"}
	types := []string{"move", "del", "append"}
	f.Fuzz(func(t *testing.T, doc, prog []byte) {
		o, err := DecodeJSON(doc, ExpectObject)
		if err != nil {
			return
		}
		// prog: per op a type byte, an arg count, then per arg a length and
		// that many segment bytes.
		var ops []FlatmapOp
		i := 0
		next := func() int {
			if i >= len(prog) {
				return 0
			}
			i++
			return int(prog[i-1])
		}
		for i < len(prog) && len(ops) < 4 {
			typ := types[next()%len(types)]
			n := 1 + next()%2
			if typ != "del" {
				n = 2
			}
			var args []string
			for range n {
				l := 1 + next()%3
				var p []string
				for range l {
					p = append(p, segs[next()%len(segs)])
				}
				args = append(args, strings.Join(p, "."))
			}
			ops = append(ops, FlatmapOp{Type: typ, Args: args})
		}
		fm, err := CompileFlatmap(ops)
		if err != nil {
			return
		}
		in := string(AppendObject(nil, o))
		got := string(AppendObject(nil, fm.Apply(o)))
		if !json.Valid([]byte(got)) {
			t.Fatalf("invalid output %s", got)
		}
		if after := string(AppendObject(nil, o)); after != in {
			t.Fatalf("input modified")
		}
		if ref := refApplyText(t, ops, in); !sameJSON(got, ref) {
			t.Fatalf("ops %v on %s:\n got %s\n ref %s", ops, in, got, ref)
		}
	})
}
