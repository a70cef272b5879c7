package shape

// This file holds the value look-up the sequential proxy's
// {resp<N>_<path>} placeholders use; it sits beside the flatmap code
// because both walk documents by dot path.

// PathText returns the value at the dot path segs (through objects only)
// of o, rendered for a URL placeholder (krakend-compat.md §6.2): a string
// as its decoded text, a number as its exact literal, a boolean as true or
// false, an array of those joined with ",". It reports false for null, an
// object, an array holding anything else, and a missing path.
func (o Object) PathText(segs []string) (string, bool) {
	if len(segs) == 0 {
		return "", false
	}
	v, ok := o.Get(segs[0])
	for _, s := range segs[1:] {
		if !ok || !isObject(v) {
			return "", false
		}
		v, ok = lookup(v, s)
	}
	if !ok || len(v) == 0 {
		return "", false
	}
	if v[0] != '[' {
		b, ok := appendScalarText(nil, v)
		return string(b), ok
	}
	var out []byte
	i, n := 1, 0
	for i < len(v) && v[i] != ']' {
		j := skipValue(v, i)
		if j <= i {
			return "", false
		}
		if n > 0 {
			out = append(out, ',')
		}
		if out, ok = appendScalarText(out, v[i:j]); !ok {
			return "", false
		}
		n++
		i = j
		if i < len(v) && v[i] == ',' {
			i++
		}
	}
	return string(out), true
}

// appendScalarText appends the text of a compact string, number or boolean.
func appendScalarText(dst, v []byte) ([]byte, bool) {
	switch {
	case len(v) == 0:
		return dst, false
	case v[0] == '"':
		if len(v) < 2 {
			return dst, false
		}
		return appendUnescaped(dst, v[1:len(v)-1]), true
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		return append(dst, v...), true
	case string(v) == "true" || string(v) == "false":
		return append(dst, v...), true
	}
	return dst, false
}
