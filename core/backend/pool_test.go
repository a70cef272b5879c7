package backend

import "testing"

func TestBodyPoolClasses(t *testing.T) {
	prev := 0
	for n := 1; n <= maxPooledBody; n += 997 {
		idx, size := class(n)
		if size < n || size < minPooledBody {
			t.Fatalf("class(%d) = %d bytes: too small", n, size)
		}
		if n > minPooledBody && size > n+n/4+1 {
			t.Fatalf("class(%d) = %d bytes: wastes more than 25%%", n, size)
		}
		if idx < prev {
			t.Fatalf("class index went down at %d", n)
		}
		prev = idx
		if idx2, size2 := class(size); idx2 != idx || size2 != size {
			t.Fatalf("class(%d) = (%d,%d) but its capacity maps to (%d,%d)", n, idx, size, idx2, size2)
		}
	}
}

func TestBodyPoolReuse(t *testing.T) {
	var p bodyPool
	b := p.get(10_000)
	if len(*b) != 10_000 {
		t.Fatalf("len = %d", len(*b))
	}
	(*b)[0] = 'x'
	p.put(b)
	// A put buffer is only ever handed out again at its class size or less.
	c := p.get(9_000)
	if len(*c) != 9_000 || cap(*c) < 9_000 {
		t.Fatalf("len %d cap %d", len(*c), cap(*c))
	}
	big := p.get(maxPooledBody + 1)
	p.put(big) // dropped, not pooled: must not panic
	foreign := make([]byte, 5000, 5000)
	p.put(&foreign) // not a class size: dropped
}

func TestResponseReleaseTwiceIsSafe(t *testing.T) {
	var p bodyPool
	buf := p.get(5000)
	r := &Response{Body: *buf, buf: buf, pool: &p}
	r.Release()
	r.Release()
	if r.Body != nil {
		t.Fatal("Body kept after Release")
	}
	var nilResp *Response
	nilResp.Release()
}
