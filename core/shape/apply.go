package shape

// Apply runs the rules on o in the order target → allow or deny → mapping →
// group (krakend-compat.md §9 steps 4–7) and returns the result. It may reuse
// and overwrite o's backing array, so o must not be used afterwards. A nil
// *Spec returns o.
func (s *Spec) Apply(o Object) Object {
	if s == nil {
		return o
	}
	if s.target != nil {
		o = s.applyTarget(o)
	}
	if s.allow != nil {
		o = applyAllow(o, s.allow)
	} else if s.deny != nil {
		o = applyDeny(o, s.deny)
	}
	if len(s.renames) > 0 {
		o = s.applyMapping(o)
	}
	if s.group != "" {
		v := AppendObject(make([]byte, 0, encodedLen(o)), o)
		ms := o.Members[:0]
		if cap(ms) == 0 {
			ms = make([]Member, 0, 1)
		}
		o = Object{Members: append(ms, Member{Name: s.group, Value: v})}
	}
	return o
}

// applyTarget replaces o with the object at the target path (§11.1); a
// missing path or a value that is not an object gives {}, except an array
// when the spec has TargetArrays, which gives {"collection": [...]}.
func (s *Spec) applyTarget(o Object) Object {
	v, ok := o.Get(s.target[0])
	for _, seg := range s.target[1:] {
		if !ok || !isObject(v) {
			return Object{}
		}
		v, ok = lookup(v, seg)
	}
	if ok && s.arrays && len(v) >= 2 && v[0] == '[' {
		return wrap("collection", v)
	}
	if !ok || !isObject(v) {
		return Object{}
	}
	o, _ = parseObject(v)
	return o
}

// parseObject splits a compact object into members, with names decoded and
// duplicates resolved, and reports whether there were duplicates.
func parseObject(obj []byte) (Object, bool) {
	var buf [spanBuf]valSpan
	spans := buf[:0]
	it := newMembers(obj)
	for {
		sp, ok := it.nextSpan()
		if !ok {
			break
		}
		spans = append(spans, valSpan{sp.vs, sp.ve})
	}
	return buildObject(obj, spans)
}

// nestedBuffer returns the buffer that applyAllow and applyDeny write the
// filtered nested objects of o to: one for them all, never larger than the
// values it replaces, and nil when the tree filters none.
func nestedBuffer(o Object, root *node) []byte {
	size := 0
	for i := range o.Members {
		if k := root.find(o.Members[i].Name); k >= 0 && root.kids[k] != nil {
			size += len(o.Members[i].Value)
		}
	}
	if size == 0 {
		return nil
	}
	return make([]byte, 0, size)
}

// applyAllow keeps only the members on the allow tree (§11.2).
func applyAllow(o Object, root *node) Object {
	buf := nestedBuffer(o, root)
	out := o.Members[:0]
	for _, m := range o.Members {
		k := root.find(m.Name)
		if k < 0 {
			continue
		}
		if kid := root.kids[k]; kid != nil {
			if !isObject(m.Value) {
				continue
			}
			start := len(buf)
			var kept bool
			buf, kept = allowObject(buf, m.Value, kid, 2)
			if !kept {
				buf = buf[:start]
				continue
			}
			m.Value = buf[start:len(buf):len(buf)]
		}
		out = append(out, m)
	}
	clear(o.Members[len(out):])
	return Object{Members: out}
}

// allowed is a member of a nested object kept by allowObject.
type allowed struct {
	kid      int
	key, val []byte
}

// allowObject appends to dst the part of the compact object obj on the allow
// tree n and reports whether anything was kept (when not, dst holds garbage
// past its original length). depth is obj's nesting depth.
func allowObject(dst, obj []byte, n *node, depth int) ([]byte, bool) {
	if depth > MaxDepth+1 {
		return dst, false
	}
	var buf [16]allowed
	keep := buf[:0]
	// slot[kid] is 1 + the index in keep of the member matching child kid.
	var slotBuf [16]int32
	slot := slotBuf[:0]
	if len(n.names) <= len(slotBuf) {
		slot = slotBuf[:len(n.names)]
	} else {
		slot = make([]int32, len(n.names))
	}
	it := newMembers(obj)
	for {
		k, v, ok := it.next()
		if !ok {
			break
		}
		kid := n.findKey(k)
		if kid < 0 {
			continue
		}
		if j := slot[kid]; j > 0 {
			keep[j-1].val = v // a repeated key: the last value wins, at the first position
			continue
		}
		keep = append(keep, allowed{kid: kid, key: k, val: v})
		slot[kid] = int32(len(keep))
	}
	if len(keep) == 0 {
		return dst, false
	}
	dst = append(dst, '{')
	wrote := false
	for _, a := range keep {
		mark := len(dst)
		if wrote {
			dst = append(dst, ',')
		}
		dst = append(dst, a.key...)
		dst = append(dst, ':')
		sub := n.kids[a.kid]
		if sub == nil {
			dst = append(dst, a.val...)
		} else {
			var kept bool
			if isObject(a.val) {
				dst, kept = allowObject(dst, a.val, sub, depth+1)
			}
			if !kept {
				dst = dst[:mark]
				continue
			}
		}
		wrote = true
	}
	if !wrote {
		return dst, false
	}
	return append(dst, '}'), true
}

// applyDeny deletes the members on the deny tree (§11.3).
func applyDeny(o Object, root *node) Object {
	buf := nestedBuffer(o, root)
	out := o.Members[:0]
	for _, m := range o.Members {
		k := root.find(m.Name)
		if k >= 0 {
			kid := root.kids[k]
			if kid == nil {
				continue
			}
			if isObject(m.Value) {
				start := len(buf)
				var changed bool
				buf, changed = denyObject(buf, m.Value, kid, 2)
				if changed {
					m.Value = buf[start:len(buf):len(buf)]
				} else {
					buf = buf[:start]
				}
			}
		}
		out = append(out, m)
	}
	clear(o.Members[len(out):])
	return Object{Members: out}
}

// denyObject appends to dst the compact object obj without the keys on the
// deny tree n and reports whether that changed anything. When it did not,
// nothing is appended and obj is to be kept as sent. depth is obj's nesting
// depth.
func denyObject(dst, obj []byte, n *node, depth int) ([]byte, bool) {
	if depth > MaxDepth+1 {
		return dst, false
	}
	// Most objects hold nothing to delete: check before parsing.
	hit := false
	it := newMembers(obj)
	for {
		k, v, ok := it.next()
		if !ok {
			break
		}
		if kid := n.findKey(k); kid >= 0 && (n.kids[kid] == nil || isObject(v)) {
			hit = true
			break
		}
	}
	if !hit {
		return dst, false
	}
	o, changed := parseObject(obj)
	mark := len(dst)
	dst = append(dst, '{')
	first := true
	for _, m := range o.Members {
		kid := n.find(m.Name)
		if kid >= 0 && n.kids[kid] == nil {
			changed = true
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, m.Key...)
		dst = append(dst, ':')
		if kid >= 0 && isObject(m.Value) {
			var sub bool
			if dst, sub = denyObject(dst, m.Value, n.kids[kid], depth+1); sub {
				changed = true
				continue
			}
		}
		dst = append(dst, m.Value...)
	}
	if !changed {
		return dst[:mark], false
	}
	return append(dst, '}'), true
}

// applyMapping renames top-level keys, all at once and in place (§11.4). A
// renamed member keeps its position; an unrenamed member whose name is taken
// by a rename is dropped.
func (s *Spec) applyMapping(o Object) Object {
	var buf [16]bool
	var made []bool // made[r]: rename r applies to a member of o
	if len(s.renames) <= len(buf) {
		made = buf[:len(s.renames)]
	} else {
		made = make([]bool, len(s.renames))
	}
	hits := false
	for i := range o.Members {
		if r := s.sources.find(o.Members[i].Name); r >= 0 {
			made[r] = true
			hits = true
		}
	}
	if !hits {
		return o
	}
	out := o.Members[:0]
	for _, m := range o.Members {
		if r := s.sources.find(m.Name); r >= 0 {
			if to := s.renames[r].To; to != m.Name {
				m.Name, m.Key = to, nil
			}
		} else if t := s.targets.find(m.Name); t >= 0 && made[t] {
			continue
		}
		out = append(out, m)
	}
	clear(o.Members[len(out):])
	return Object{Members: out}
}
