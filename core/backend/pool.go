package backend

import (
	"math/bits"
	"sync"
)

// Response bodies are the gateway's largest allocations (up to the body
// cap per call). They come from size-classed pools and go back when the
// caller calls Response.Release after the client response is written, so a
// steady load of large bodies reuses memory instead of feeding the garbage
// collector. Classes step by a quarter power of two (waste ≤ 25%); bodies
// above maxPooledBody are plain allocations.
const (
	minPooledBody = 4 << 10
	maxPooledBody = 4 << 20
)

// bodyPool is a set of sync.Pools, one per size class.
type bodyPool struct {
	classes [4 * 23]sync.Pool // index e*4+q-1 for capacities up to 4 MiB = 2^22
}

// class returns the size-class index for n bytes and the class's capacity.
func class(n int) (int, int) {
	if n < minPooledBody {
		n = minPooledBody
	}
	// e = floor(log2(n-1)); the class sizes within [2^e, 2^(e+1)) are
	// 2^e × {1.25, 1.5, 1.75, 2}.
	e := bits.Len(uint(n-1)) - 1
	base := 1 << e
	step := base >> 2
	q := (n - base + step - 1) / step // 1..4
	return e*4 + q - 1, base + q*step
}

// get returns a buffer of length n from the pool (contents undefined).
func (p *bodyPool) get(n int) *[]byte {
	if n > maxPooledBody {
		b := make([]byte, n)
		return &b
	}
	idx, size := class(n)
	if b, ok := p.classes[idx].Get().(*[]byte); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, size)
	return &b
}

// put returns b to its class; buffers outside the pooled range are dropped.
func (p *bodyPool) put(b *[]byte) {
	c := cap(*b)
	if c < minPooledBody || c > maxPooledBody {
		return
	}
	idx, size := class(c)
	if size != c {
		return // not one of ours
	}
	*b = (*b)[:0]
	p.classes[idx].Put(b)
}
