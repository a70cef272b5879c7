package telemetry

import "io"

// MaxLineBytes is the largest log line, newline included (security.md §3).
const MaxLineBytes = 16 << 10

// TruncationMark ends every line that was cut to fit [MaxLineBytes].
const TruncationMark = "…(truncated)"

// maxJSONDepth bounds the nesting the JSON cutter follows; deeper lines are
// replaced by fallbackJSONLine.
const maxJSONDepth = 128

// The texts the JSON cutter appends, by where it cuts.
const (
	cutInString    = TruncationMark + `"`
	cutObjectFirst = `"` + TruncationMark + `":true`
	cutArrayFirst  = `"` + TruncationMark + `"`
	cutObjectNext  = "," + cutObjectFirst
	cutArrayNext   = "," + cutArrayFirst
)

// fallbackJSONLine replaces a long JSON line the cutter cannot follow
// (malformed, or nested deeper than maxJSONDepth).
const fallbackJSONLine = `{"msg":"` + TruncationMark + `"}` + "\n"

// lineCapWriter caps every Write at limit bytes. The slog handlers issue
// exactly one Write per record, so a Write is a line.
type lineCapWriter struct {
	w     io.Writer
	limit int
	json  bool
}

// Write writes p, cut to the limit when longer. It reports len(p) on
// success, since the whole line was dealt with.
func (c lineCapWriter) Write(p []byte) (int, error) {
	if len(p) <= c.limit {
		return c.w.Write(p)
	}
	line := truncateText(p, c.limit)
	if c.json {
		line = truncateJSON(p, c.limit)
	}
	if _, err := c.w.Write(line); err != nil {
		return 0, err
	}
	return len(p), nil
}

// truncateText cuts line to at most limit bytes (limit > len(TruncationMark)+1),
// on a UTF-8 character boundary, ending in TruncationMark and a newline.
func truncateText(line []byte, limit int) []byte {
	cut := min(limit-len(TruncationMark)-1, len(line))
	for cut > 0 && line[cut]&0xC0 == 0x80 {
		cut--
	}
	out := make([]byte, 0, cut+len(TruncationMark)+1)
	out = append(out, line[:cut]...)
	out = append(out, TruncationMark...)
	return append(out, '\n')
}

// truncateJSON cuts line, one JSON value (normally an object) optionally
// followed by a newline, to at most limit bytes (limit ≥ len(fallbackJSONLine))
// of valid JSON ending in a newline. It keeps the longest prefix that can be
// closed: inside a string value (never inside a key, an escape or a UTF-8
// sequence) or just after a complete member or element. The cut is marked
// with TruncationMark: at the end of the cut string, or as an extra member
// ("…(truncated)":true) or element. Open objects and arrays are then closed.
func truncateJSON(line []byte, limit int) []byte {
	end := min(len(line), limit+1)
	_, best, add, ok := scanJSON(line, end, limit, true)
	if !ok || best < 0 {
		return []byte(fallbackJSONLine)
	}
	st, _, _, ok := scanJSON(line, best, limit, false)
	if !ok {
		return []byte(fallbackJSONLine)
	}
	out := make([]byte, 0, best+len(add)+st.depth+1)
	out = append(out, line[:best]...)
	out = append(out, add...)
	for i := st.depth - 1; i >= 0; i-- {
		out = append(out, st.closers[i])
	}
	return append(out, '\n')
}

// jsonState is the cutter's position in a JSON text.
type jsonState struct {
	closers   [maxJSONDepth]byte // '}' or ']' for each open container
	depth     int
	inString  bool
	isKey     bool // the current string is an object key
	escaped   bool // the previous byte was a backslash inside a string
	hexLeft   int  // hex digits of a \uXXXX escape still to skip
	expectKey bool // inside an object, the next string is a key
}

// cutText is what to append when cutting just after a complete member or
// element (next) or just after the container opened (first).
func (s *jsonState) cutText(next bool) string {
	obj := s.closers[s.depth-1] == '}'
	switch {
	case obj && next:
		return cutObjectNext
	case obj:
		return cutObjectFirst
	case next:
		return cutArrayNext
	default:
		return cutArrayFirst
	}
}

// scanJSON walks line[:end] and returns the state after it. With record set
// it also returns the last cut position (best, -1 if none) whose result, with
// add appended, the closers and a newline, fits in limit. ok is false when the
// text is malformed in a way the walk notices or nests too deep.
func scanJSON(line []byte, end, limit int, record bool) (st *jsonState, best int, add string, ok bool) {
	st = &jsonState{}
	best = -1
	consider := func(pos int, text string) {
		if record && pos+len(text)+st.depth+1 <= limit {
			best, add = pos, text
		}
	}
	for i := 0; i < end; i++ {
		b := line[i]
		if st.inString {
			switch {
			case st.hexLeft > 0:
				st.hexLeft--
				continue
			case st.escaped:
				st.escaped = false
				if b == 'u' {
					st.hexLeft = 4
				}
				continue
			}
			if !st.isKey && b&0xC0 != 0x80 {
				consider(i, cutInString)
			}
			switch b {
			case '\\':
				st.escaped = true
			case '"':
				st.inString = false
			}
			continue
		}
		switch b {
		case '{', '[':
			if st.depth == maxJSONDepth {
				return st, best, add, false
			}
			st.closers[st.depth] = b + 2 // '{'+2 == '}', '['+2 == ']'
			st.depth++
			st.expectKey = b == '{'
			consider(i+1, st.cutText(false))
		case '}', ']':
			if st.depth == 0 {
				return st, best, add, false
			}
			if !openedJustBefore(line, i) {
				consider(i, st.cutText(true))
			}
			st.depth--
			st.expectKey = false
		case ',':
			if st.depth == 0 {
				return st, best, add, false
			}
			consider(i, st.cutText(true))
			st.expectKey = st.closers[st.depth-1] == '}'
		case ':':
			st.expectKey = false
		case '"':
			st.inString = true
			st.isKey = st.depth > 0 && st.closers[st.depth-1] == '}' && st.expectKey
		}
	}
	return st, best, add, true
}

// openedJustBefore reports whether the closer at line[i] ends an empty
// container, that is whether the previous non-space byte is an opener.
func openedJustBefore(line []byte, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch line[j] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			return true
		default:
			return false
		}
	}
	return false
}
