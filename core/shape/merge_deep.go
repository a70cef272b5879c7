package shape

// MergeDeep merges src into dst like Merge, except when a key is in both and
// both values are objects: the two objects are then merged the same way,
// recursively, and the result replaces dst's value. Every other collision
// takes src's value (an array replaces an array; arrays are never
// concatenated). Keys keep the position of their first appearance, nested
// keys included. This is the Tributary extension "merge": "deep"; Merge is
// the default. As with Merge, dst must not be used afterwards and src is
// never modified; merged nested values are written to new buffers.
func MergeDeep(dst, src Object) Object { return merge(dst, src, true) }

// deepValue is the value a colliding key takes under MergeDeep: the
// recursive merge of a and b when both are objects, else b. Values are
// compact JSON, whose nesting the decoder bounds, so the recursion is
// bounded too.
func deepValue(a, b []byte) []byte {
	if !isObject(a) || !isObject(b) {
		return b
	}
	oa, _ := parseObject(a)
	ob, _ := parseObject(b)
	if len(oa.Members) == 0 {
		return b
	}
	if len(ob.Members) == 0 {
		return a
	}
	o := MergeDeep(oa, ob)
	return AppendObject(make([]byte, 0, encodedLen(o)), o)
}
