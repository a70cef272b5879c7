package shape

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tributary-gw/tributary/internal/flatmapspec"
)

// FlatmapOp is one flatmap_filter operation as configured
// (krakend-compat.md §11.6).
type FlatmapOp struct {
	// Type is "move", "del" or "append".
	Type string
	// Args are the operation's dot paths.
	Args []string
}

// Flatmap is a compiled list of flatmap operations. It is immutable and safe
// for concurrent use. A nil *Flatmap is the identity.
type Flatmap struct {
	ops []fmOp
}

type fmOp struct {
	kind  flatmapspec.Kind
	paths [][]flatmapspec.Seg
}

// CompileFlatmap validates and compiles ops, with the loader's rules: known
// types, argument counts, non-empty paths, no wildcards in append, and the
// destination shapes a move allows. Errors wrap ErrInvalidSpec. An empty
// list compiles to nil.
func CompileFlatmap(ops []FlatmapOp) (*Flatmap, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	f := &Flatmap{ops: make([]fmOp, len(ops))}
	for i, op := range ops {
		k, ok := flatmapspec.ParseKind(op.Type)
		if !ok {
			return nil, fmt.Errorf("flatmap_filter[%d]: unknown type %q: %w", i, op.Type, ErrInvalidSpec)
		}
		if problem, _ := flatmapspec.Check(k, op.Args); problem != "" {
			return nil, fmt.Errorf("flatmap_filter[%d] %s: %s: %w", i, op.Type, problem, ErrInvalidSpec)
		}
		f.ops[i].kind = k
		for _, a := range op.Args {
			p, _ := flatmapspec.Split(a)
			f.ops[i].paths = append(f.ops[i].paths, p)
		}
	}
	return f, nil
}

// fv is one JSON value in the working tree of a flatmap run. Values the
// operations never look into stay as their compact bytes (raw); a container
// is expanded into members or elements only when a path goes through it.
type fv struct {
	raw  []byte         // compact text; unused once open
	obj  []fmem         // an open object's members
	arr  []fv           // an open array's elements
	idx  map[string]int // name → member, for large open objects; nil when stale
	kind byte           // '{' or '[' once open, 'x' once removed, else 0
}

// fmem is one member of an open object.
type fmem struct {
	name string
	key  []byte // the literal as sent, nil when synthesised
	val  fv
}

// indexAt is the member count from which an open object keeps a name index,
// so that paths through hostile, very wide objects stay linear.
const indexAt = 32

// isObj and isArr report the value's kind, open or not.
func (v *fv) isObj() bool { return v.kind == '{' || (v.kind == 0 && isObject(v.raw)) }
func (v *fv) isArr() bool {
	return v.kind == '[' || (v.kind == 0 && len(v.raw) >= 2 && v.raw[0] == '[')
}

// find returns the position of the member called name in an open object,
// or -1.
func (v *fv) find(name string) int {
	if len(v.obj) < indexAt {
		for i := range v.obj {
			if v.obj[i].name == name {
				return i
			}
		}
		return -1
	}
	if v.idx == nil {
		v.idx = make(map[string]int, len(v.obj))
		for i := range v.obj {
			v.idx[v.obj[i].name] = i
		}
	}
	if i, ok := v.idx[name]; ok {
		return i
	}
	return -1
}

// add appends a member to an open object.
func (v *fv) add(m fmem) {
	v.obj = append(v.obj, m)
	if v.idx != nil {
		v.idx[m.name] = len(v.obj) - 1
	}
}

// open expands a container value in place; scalars are left alone.
// Duplicate keys resolve as everywhere in the package: the last value wins,
// at the first position.
func (v *fv) open() {
	if v.kind != 0 || len(v.raw) < 2 {
		return
	}
	switch v.raw[0] {
	case '{':
		v.openObject()
	case '[':
		b := v.raw
		n := 0
		for i := 1; i < len(b) && b[i] != ']'; n++ {
			j := skipValue(b, i)
			if j <= i {
				break
			}
			if i = j; i < len(b) && b[i] == ',' {
				i++
			}
		}
		es := make([]fv, 0, n)
		for i := 1; i < len(b) && b[i] != ']'; {
			j := skipValue(b, i)
			if j <= i {
				break
			}
			es = append(es, fv{raw: b[i:j:j]})
			if i = j; i < len(b) && b[i] == ',' {
				i++
			}
		}
		v.arr, v.kind, v.raw = es, '[', nil
	}
}

// openObject expands an object: its members with their names decoded
// into one string, and duplicates resolved.
func (v *fv) openObject() {
	b := v.raw
	n, total := 0, 0
	it := newMembers(b)
	for {
		sp, ok := it.nextSpan()
		if !ok {
			break
		}
		n++
		total += sp.ke - sp.ks
	}
	ms := make([]fmem, 0, n)
	var names strings.Builder
	names.Grow(total)
	var scratch [64]byte
	var endBuf [32]int
	ends := endBuf[:0]
	it = newMembers(b)
	for {
		k, val, ok := it.next()
		if !ok {
			break
		}
		names.Write(keyName(k, scratch[:]))
		ends = append(ends, names.Len())
		ms = append(ms, fmem{key: k, val: fv{raw: val}})
	}
	all := names.String()
	off := 0
	for i := range ms {
		ms[i].name = all[off:ends[i]]
		off = ends[i]
	}
	v.obj, v.kind, v.raw = ms[:0], '{', nil
	for _, m := range ms {
		if j := v.find(m.name); j >= 0 {
			v.obj[j].val = m.val // the last value wins, at the first position
			continue
		}
		v.add(m)
	}
}

// step is one concrete path step: a key, or an index into an array.
type step struct {
	name  string
	index int // the array index name holds, or -1
	pos   int // the position in the parent when collected, or -1
}

// child returns the value under one step of a container (opening it), or
// nil.
func (v *fv) child(s step) (*fv, int) {
	if !v.isObj() && !v.isArr() {
		return nil, -1
	}
	v.open()
	switch v.kind {
	case '{':
		if i := v.find(s.name); i >= 0 {
			return &v.obj[i].val, i
		}
	case '[':
		if s.index >= 0 && s.index < len(v.arr) {
			return &v.arr[s.index], s.index
		}
	}
	return nil, -1
}

// match is one concrete location a path matched: steps[s0:s1] of its
// collector, and the steps the wildcards bound, bound[b0:b1].
type match struct{ s0, s1, b0, b1 int }

// collector gathers the matches of one path, their steps back to back in
// two shared slices.
type collector struct {
	p     []flatmapspec.Seg
	path  []step // the steps to the value being visited
	bnd   []step // the wildcard steps among them
	steps []step
	bound []step
	ms    []match
}

func (c *collector) stepsOf(m match) []step { return c.steps[m.s0:m.s1:m.s1] }
func (c *collector) boundOf(m match) []step { return c.bound[m.b0:m.b1:m.b1] }

// Apply runs the operations on o in order and returns the result. o is not
// modified; values the operations do not touch are shared with it. A nil
// *Flatmap returns o.
func (f *Flatmap) Apply(o Object) Object {
	if f == nil {
		return o
	}
	root := fv{kind: '{', obj: make([]fmem, len(o.Members))}
	for i, m := range o.Members {
		root.obj[i] = fmem{name: m.Name, key: m.Key, val: fv{raw: m.Value}}
	}
	var c collector
	for i := range f.ops {
		op := &f.ops[i]
		switch op.kind {
		case flatmapspec.Del:
			for _, p := range op.paths {
				c.collect(&root, p)
				if len(c.ms) == 0 {
					continue
				}
				for _, m := range c.ms {
					at(&root, c.stepsOf(m)).kind = 'x'
				}
				root.compact()
			}
		case flatmapspec.Move:
			move(&root, &c, op.paths[0], op.paths[1])
		case flatmapspec.Append:
			appendOp(&root, op.paths[0], op.paths[1])
		}
	}
	return root.toObject()
}

// collect gathers every match of p under root in match order: object
// keys sorted, array indexes ascending. The steps carry positions valid
// until the tree next changes shape.
func (c *collector) collect(root *fv, p []flatmapspec.Seg) {
	c.p, c.path, c.bnd = p, c.path[:0], c.bnd[:0]
	c.steps, c.bound, c.ms = c.steps[:0], c.bound[:0], c.ms[:0]
	c.walk(root, 0)
}

// visit descends into c, reached by st.
func (c *collector) visit(v *fv, d int, st step, star bool) {
	c.path = append(c.path, st)
	if star {
		c.bnd = append(c.bnd, st)
	}
	if d == len(c.p)-1 {
		m := match{s0: len(c.steps), b0: len(c.bound)}
		c.steps = append(c.steps, c.path...)
		c.bound = append(c.bound, c.bnd...)
		m.s1, m.b1 = len(c.steps), len(c.bound)
		c.ms = append(c.ms, m)
	} else {
		c.walk(v, d+1)
	}
	c.path = c.path[:len(c.path)-1]
	if star {
		c.bnd = c.bnd[:len(c.bnd)-1]
	}
}

func (c *collector) walk(v *fv, d int) {
	if !v.isObj() && !v.isArr() {
		return
	}
	v.open()
	s := c.p[d]
	switch {
	case s.Star && v.kind == '{':
		order := make([]int, len(v.obj))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(v.obj[a].name, v.obj[b].name) })
		for _, i := range order {
			c.visit(&v.obj[i].val, d, step{name: v.obj[i].name, index: -1, pos: i}, true)
		}
	case s.Star:
		for i := range v.arr {
			c.visit(&v.arr[i], d, step{index: i, pos: i}, true)
		}
	default:
		st := step{name: s.Name, index: s.Index}
		if ch, pos := v.child(st); ch != nil {
			st.pos = pos
			c.visit(ch, d, st, false)
		}
	}
}

// at returns the value at collected steps, by position.
func at(root *fv, steps []step) *fv {
	v := root
	for _, s := range steps {
		if v.kind == '{' {
			v = &v.obj[s.pos].val
		} else {
			v = &v.arr[s.pos]
		}
	}
	return v
}

// compact drops removed members and elements from the open parts of the
// tree.
func (v *fv) compact() {
	switch v.kind {
	case '{':
		out := v.obj[:0]
		for i := range v.obj {
			if v.obj[i].val.kind == 'x' {
				continue
			}
			v.obj[i].val.compact()
			out = append(out, v.obj[i])
		}
		if len(out) != len(v.obj) {
			clear(v.obj[len(out):])
			v.idx = nil
		}
		v.obj = out
	case '[':
		out := v.arr[:0]
		for i := range v.arr {
			if v.arr[i].kind == 'x' {
				continue
			}
			v.arr[i].compact()
			out = append(out, v.arr[i])
		}
		clear(v.arr[len(out):])
		v.arr = out
	}
}

// resolve returns the value at steps, found by name or index, or nil.
func resolve(root *fv, steps []step) *fv {
	v := root
	for _, s := range steps {
		if v, _ = v.child(s); v == nil {
			return nil
		}
	}
	return v
}

// appendDestination appends the destination path, its wildcards filled
// with the steps a match bound, to dst.
func appendDestination(dst []step, p []flatmapspec.Seg, bound []step) []step {
	k := 0
	for _, s := range p {
		if s.Star && k < len(bound) {
			b := bound[k]
			if b.index >= 0 && b.name == "" {
				b.name = strconv.Itoa(b.index)
			}
			dst = append(dst, step{name: b.name, index: b.index, pos: -1})
			k++
			continue
		}
		dst = append(dst, step{name: s.Name, index: s.Index, pos: -1})
	}
	return dst
}

// reachable reports whether a value can be written at steps: every
// existing value on the way is an object, or an array indexed within
// range, and the last key's parent is an object or missing.
func reachable(root *fv, steps []step) bool {
	v := root
	for _, s := range steps[:len(steps)-1] {
		obj := v.isObj()
		if !obj && !v.isArr() {
			return false
		}
		c, _ := v.child(s)
		if c == nil {
			return obj // a missing key is created from here on
		}
		v = c
	}
	return v.isObj()
}

// set writes val at steps, creating missing intermediate objects. It
// writes nothing when the path crosses a non-object.
func set(root *fv, steps []step, val fv) {
	if !reachable(root, steps) {
		return
	}
	v := root
	for _, s := range steps[:len(steps)-1] {
		c, _ := v.child(s)
		if c == nil {
			v.add(fmem{name: s.name, val: fv{kind: '{'}})
			c = &v.obj[len(v.obj)-1].val
		}
		v = c
	}
	name := steps[len(steps)-1].name
	v.open()
	if i := v.find(name); i >= 0 {
		v.obj[i].val = val
		return
	}
	v.add(fmem{name: name, val: val})
}

// move runs one move. The matches whose destination can be reached in the
// document as it is are removed, then written in match order, so the last
// write to one destination wins; the others stay where they are.
func move(root *fv, c *collector, src, dst []flatmapspec.Seg) {
	c.collect(root, src)
	if len(c.ms) == 0 {
		return
	}
	n := len(dst)
	vals := make([]fv, 0, len(c.ms))
	dsts := make([]step, 0, n*len(c.ms))
	moved := c.ms[:0]
	for _, m := range c.ms {
		dsts = appendDestination(dsts, dst, c.boundOf(m))
		if !reachable(root, dsts[len(dsts)-n:]) {
			dsts = dsts[:len(dsts)-n]
			continue
		}
		vals = append(vals, *at(root, c.stepsOf(m)))
		moved = append(moved, m)
	}
	if len(vals) == 0 {
		return
	}
	for _, m := range moved {
		at(root, c.stepsOf(m)).kind = 'x'
	}
	root.compact()
	for j := range vals {
		set(root, dsts[j*n:(j+1)*n], vals[j])
	}
}

// appendOp runs one append: when both paths hold arrays, dst becomes dst's
// elements followed by src's and src is deleted.
func appendOp(root *fv, src, dst []flatmapspec.Seg) {
	ss, ds := literalSteps(src), literalSteps(dst)
	s, d := resolve(root, ss), resolve(root, ds)
	if s == nil || d == nil || !s.isArr() || !d.isArr() {
		return
	}
	s.open()
	d.open()
	joined := make([]fv, 0, len(d.arr)+len(s.arr))
	joined = append(append(joined, d.arr...), s.arr...)
	d.arr = joined
	if s = resolve(root, ss); s != nil {
		s.kind = 'x'
		root.compact()
	}
}

func literalSteps(p []flatmapspec.Seg) []step {
	out := make([]step, len(p))
	for i, s := range p {
		out[i] = step{name: s.Name, index: s.Index, pos: -1}
	}
	return out
}

// size returns the length of v's compact encoding.
func (v *fv) size() int {
	switch v.kind {
	case '{':
		n := 2
		for i := range v.obj {
			m := &v.obj[i]
			if i > 0 {
				n++
			}
			if m.key != nil {
				n += len(m.key)
			} else {
				n += quotedLen(m.name)
			}
			n += 1 + m.val.size()
		}
		return n
	case '[':
		n := 2
		for i := range v.arr {
			if i > 0 {
				n++
			}
			n += v.arr[i].size()
		}
		return n
	}
	if len(v.raw) == 0 {
		return 4 // null
	}
	return len(v.raw)
}

// quotedLen is the length of the JSON string literal for s.
func quotedLen(s string) int {
	var buf [64]byte
	return len(appendQuoted(buf[:0], s))
}

// appendTo appends v's compact encoding to dst.
func (v *fv) appendTo(dst []byte) []byte {
	switch v.kind {
	case '{':
		dst = append(dst, '{')
		for i := range v.obj {
			m := &v.obj[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			if m.key != nil {
				dst = append(dst, m.key...)
			} else {
				dst = appendQuoted(dst, m.name)
			}
			dst = append(dst, ':')
			dst = m.val.appendTo(dst)
		}
		return append(dst, '}')
	case '[':
		dst = append(dst, '[')
		for i := range v.arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = v.arr[i].appendTo(dst)
		}
		return append(dst, ']')
	}
	if len(v.raw) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, v.raw...)
}

// toObject turns the open root back into an Object; every changed value
// is encoded into one shared buffer.
func (v *fv) toObject() Object {
	total := 0
	for i := range v.obj {
		if v.obj[i].val.kind != 0 {
			total += v.obj[i].val.size()
		}
	}
	var buf []byte
	if total > 0 {
		buf = make([]byte, 0, total)
	}
	out := Object{Members: make([]Member, len(v.obj))}
	for i := range v.obj {
		m := &v.obj[i]
		val := m.val.raw
		if m.val.kind != 0 {
			start := len(buf)
			buf = m.val.appendTo(buf)
			val = buf[start:len(buf):len(buf)]
		} else if len(val) == 0 {
			val = []byte("null")
		}
		out.Members[i] = Member{Name: m.name, Key: m.key, Value: val}
	}
	return out
}
