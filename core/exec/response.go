package exec

import (
	"io"

	"github.com/tributary-gw/tributary/core/shape"
)

// segmentThreshold is the encoded size above which a JSON document is
// written as a list of byte ranges, most of them slices of the backend
// bodies themselves, instead of being copied into one buffer. Below it one
// contiguous copy is cheaper than many small writes.
const segmentThreshold = 64 << 10

// bigValue is the member value size from which a segmented document refers
// to the backend bytes instead of copying them.
const bigValue = 4 << 10

// Len is the body's length in bytes (Content-Length).
func (r *Response) Len() int {
	if r.segments != nil {
		return r.size
	}
	return len(r.body)
}

// Backends is the number of backends the request's endpoint called, for
// access logs: 0 when the request was answered before any backend call
// (no route, a refused request, a stage's reply); shadow calls are not
// counted.
func (r *Response) Backends() int { return r.backends }

// WriteTo writes the whole body to w. A segmented body is written range by
// range without being joined first.
func (r *Response) WriteTo(w io.Writer) (int64, error) {
	if r.segments == nil {
		n, err := w.Write(r.body)
		return int64(n), err
	}
	var total int64
	for _, s := range r.segments {
		n, err := w.Write(s)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Bytes returns the whole body as one slice (joining a segmented body). It
// is meant for tests and small consumers; adapters use Len and WriteTo.
// The slice must not be modified.
func (r *Response) Bytes() []byte {
	if r.segments == nil {
		return r.body
	}
	out := make([]byte, 0, r.size)
	for _, s := range r.segments {
		out = append(out, s...)
	}
	return out
}

// Release returns the backend bodies the response refers to for reuse.
// Call it after the body has been written; the response must not be used
// afterwards. Not calling it is safe (the memory is garbage collected).
func (r *Response) Release() {
	for _, b := range r.release {
		b.Release()
	}
	r.release, r.segments, r.body = nil, nil, nil
}

// keep records backend responses whose bodies the response may refer to.
func (r *Response) keep(results []result) {
	for i := range results {
		if results[i].resp != nil {
			r.release = append(r.release, results[i].resp)
		}
	}
}

// encodedLen is the exact length AppendObject would produce.
func encodedLen(o shape.Object) int {
	n := 2 // {}
	for i, m := range o.Members {
		if i > 0 {
			n++ // ,
		}
		if m.Key != nil {
			n += len(m.Key)
		} else {
			n += len(shape.AppendString(nil, m.Name))
		}
		n += 1 + len(m.Value) // :
	}
	return n
}

// setJSON stores o as the body: one buffer when small, byte ranges that
// refer to the backend bodies when large.
func (r *Response) setJSON(o shape.Object) {
	size := encodedLen(o)
	if size <= segmentThreshold {
		r.body = shape.AppendObject(make([]byte, 0, size), o)
		return
	}
	var segs [][]byte
	small := make([]byte, 0, 256)
	small = append(small, '{')
	for i, m := range o.Members {
		if i > 0 {
			small = append(small, ',')
		}
		if m.Key != nil {
			small = append(small, m.Key...)
		} else {
			small = shape.AppendString(small, m.Name)
		}
		small = append(small, ':')
		if len(m.Value) < bigValue {
			small = append(small, m.Value...)
			continue
		}
		segs = append(segs, small, m.Value)
		small = make([]byte, 0, 256)
	}
	small = append(small, '}')
	r.segments = append(segs, small)
	r.size = size
}
