package shape

// Merge shallow-merges src into dst (krakend-compat.md §12.1, §13): a key new
// to dst is appended, a key dst already has keeps its first position (and
// Key) and takes src's value. Merge writes to dst's backing array, and may
// append to it, so dst must not be used afterwards; src is never modified.
// Call it in backend declaration order for a deterministic result.
func Merge(dst, src Object) Object { return merge(dst, src, false) }

// merge is Merge, or MergeDeep when deep is set: the two differ only in
// the value a colliding key takes.
func merge(dst, src Object, deep bool) Object {
	if len(src.Members) == 0 {
		return dst
	}
	ms := dst.Members
	n := len(ms)
	if cap(ms) == 0 {
		ms = make([]Member, 0, len(src.Members))
	}
	collide := func(old, new []byte) []byte {
		if deep {
			return deepValue(old, new)
		}
		return new
	}
	if n*len(src.Members) <= linearLimit {
		for _, m := range src.Members {
			j := 0
			for j < n && ms[j].Name != m.Name {
				j++
			}
			if j < n {
				ms[j].Value = collide(ms[j].Value, m.Value)
			} else {
				ms = append(ms, m)
			}
		}
		return Object{Members: ms}
	}
	x := newNameIndex(n + len(src.Members))
	for i := range ms {
		x.find(ms, i)
	}
	for _, m := range src.Members {
		ms = append(ms, m)
		if j := x.find(ms, len(ms)-1); j >= 0 {
			ms[j].Value = collide(ms[j].Value, m.Value)
			ms = ms[:len(ms)-1]
		}
	}
	return Object{Members: ms}
}

// MergeAll merges objs in order into one new Object, as repeated calls to
// Merge would, with a single allocation for the members. None of objs is
// modified.
func MergeAll(objs ...Object) Object {
	total := 0
	for _, o := range objs {
		total += len(o.Members)
	}
	if total == 0 {
		return Object{}
	}
	out := Object{Members: make([]Member, 0, total)}
	for _, o := range objs {
		out = Merge(out, o)
	}
	return out
}
