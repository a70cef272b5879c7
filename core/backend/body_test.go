package backend

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestDoBodyCap(t *testing.T) {
	checkLeaks(t)
	const limit = 1000
	plain := bytes.Repeat([]byte("0123456789"), 100) // exactly limit bytes
	over := append(append([]byte{}, plain...), '!')
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body := plain
		if r.URL.Query().Get("over") == "1" {
			body = over
		}
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write(body)
		case "/chunked":
			for _, b := range body {
				_, _ = w.Write([]byte{b})
				if b == '9' {
					w.(http.Flusher).Flush()
				}
			}
		case "/gzip": // decoded size counts, not the (tiny) encoded size
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gzipped(t, body))
		}
	})
	c := newClient(t, Options{})
	for _, path := range []string{"/length", "/chunked", "/gzip"} {
		t.Run(path, func(t *testing.T) {
			resp, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL+path), MaxBodyBytes: limit})
			if err != nil {
				t.Fatalf("exact cap: %v", err)
			}
			if !bytes.Equal(resp.Body, plain) {
				t.Errorf("exact cap: body %d bytes, want %d", len(resp.Body), limit)
			}
			resp, err = c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL+path+"?over=1"), MaxBodyBytes: limit})
			if !errors.Is(err, ErrTooLarge) || resp != nil {
				t.Errorf("cap+1: got %v, %v; want ErrTooLarge", resp, err)
			}
			if IsTimeout(err) {
				t.Error("ErrTooLarge reported as a timeout")
			}
		})
	}
}

func TestDoGzip(t *testing.T) {
	checkLeaks(t)
	doc := []byte(`{"data":"` + strings.Repeat("abc", 1000) + `"}`)
	zipped := gzipped(t, doc)
	var sawAE string
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		sawAE = r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Encoding", r.URL.Query().Get("ce"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(zipped)
	})
	tests := []struct {
		name   string
		opts   Options
		header http.Header
		ce     string
		wantAE string
	}{
		{"requested and decoded by the transport", Options{}, nil, "gzip", "gzip"},
		{"compression disabled, backend gzips anyway", Options{DisableCompression: true}, nil, "gzip", ""},
		{"x-gzip alias", Options{DisableCompression: true}, nil, "x-gzip", ""},
		{"upper case", Options{DisableCompression: true}, nil, "GZIP", ""},
		{"caller set Accept-Encoding without KeepEncoding", Options{}, http.Header{"Accept-Encoding": {"gzip, br"}}, "gzip", "gzip, br"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.opts)
			resp, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL+"/?ce="+tc.ce), Header: tc.header})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, doc) {
				t.Errorf("body not decoded: %d bytes", len(resp.Body))
			}
			if v, ok := resp.Header["Content-Encoding"]; ok {
				t.Errorf("Content-Encoding %q kept on a decoded body", v)
			}
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Error("Content-Type lost")
			}
			if sawAE != tc.wantAE {
				t.Errorf("backend saw Accept-Encoding %q, want %q", sawAE, tc.wantAE)
			}
		})
	}
}

// bomb is a gzip stream that inflates to n zero bytes (n a multiple of
// 1 MiB): one member holding 1 MiB of zeros, repeated. Gzip readers decode
// concatenated members as one stream (RFC 1952 §2.2), so this is cheap to
// build and as hostile as a single huge member.
func bomb(t testing.TB, n int) []byte {
	t.Helper()
	member := gzipped(t, make([]byte, 1<<20))
	return bytes.Repeat(member, n>>20)
}

func TestDoGzipBombStopsAtCap(t *testing.T) {
	checkLeaks(t)
	const inflated = 1 << 30 // 1 GiB of zeros, about 1 MiB on the wire
	z := bomb(t, inflated)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(z)
	})
	for _, opts := range []Options{{}, {DisableCompression: true}} {
		c := newClient(t, opts)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		resp, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL), MaxBodyBytes: 1 << 20})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooLarge) || resp != nil {
			t.Fatalf("DisableCompression=%v: got %v, %v; want ErrTooLarge", opts.DisableCompression, resp, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
			t.Errorf("DisableCompression=%v: allocated %d bytes for a 1 MiB cap", opts.DisableCompression, grew)
		}
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestGzipBombReadsLittleInput(t *testing.T) {
	z := bomb(t, 256<<20)
	src := &countingReader{r: bytes.NewReader(z)}
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return fakeResponse(200, http.Header{"Content-Encoding": {"gzip"}}, src, -1), nil
	})
	c := &Client{rt: rt, noHeader: http.Header{}}
	_, err := c.Do(testCtx(t), &Request{URL: mustURL(t, "http://backend.test/"), MaxBodyBytes: 64 << 10})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error = %v, want ErrTooLarge", err)
	}
	// 64 KiB of zeros needs well under 1 KiB of input; allow a few buffers.
	if src.n > 32<<10 {
		t.Errorf("read %d of %d compressed bytes to fill a 64 KiB cap", src.n, len(z))
	}
}

func TestDoBadGzip(t *testing.T) {
	checkLeaks(t)
	valid := gzipped(t, []byte(strings.Repeat("payload ", 200)))
	badSum := append([]byte{}, valid...)
	badSum[len(badSum)-5] ^= 0xff // CRC-32 in the trailer
	corrupt := append([]byte{}, valid...)
	for i := 12; i < 40; i++ {
		corrupt[i] = 0xff
	}
	bodies := map[string][]byte{
		"plain":     []byte("this is not gzip at all, just text"),
		"short":     []byte("hi"),
		"truncated": valid[:len(valid)/2],
		"checksum":  badSum,
		"corrupt":   corrupt,
		"trailing":  append(append([]byte{}, valid...), "garbage after the member"...),
	}
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bodies[r.URL.Query().Get("b")])
	})
	for _, opts := range []Options{{}, {DisableCompression: true}} {
		c := newClient(t, opts)
		for name := range bodies {
			t.Run(name+"/DisableCompression="+strconv.FormatBool(opts.DisableCompression), func(t *testing.T) {
				resp, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL+"/?b="+name)})
				if !errors.Is(err, ErrBadGzip) || resp != nil {
					t.Errorf("got %v, %v; want ErrBadGzip", resp, err)
				}
				if IsTimeout(err) {
					t.Error("bad gzip reported as a timeout")
				}
			})
		}
	}
}

func TestDoContentEncodings(t *testing.T) {
	checkLeaks(t)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		for _, v := range r.URL.Query()["ce"] {
			w.Header().Add("Content-Encoding", v)
		}
		_, _ = io.WriteString(w, "raw bytes")
	})
	tests := []struct {
		ce   []string
		keep bool
		ok   bool
	}{
		{nil, false, true},
		{[]string{"identity"}, false, true},
		{[]string{"Identity"}, false, true},
		{[]string{"br"}, false, false},
		{[]string{"deflate"}, false, false},
		{[]string{"zstd"}, false, false},
		{[]string{"gzip, br"}, false, false},
		{[]string{"identity", "br"}, false, false},
		{[]string{"br"}, true, true},
		{[]string{"deflate"}, true, true},
	}
	c := newClient(t, Options{})
	for _, tc := range tests {
		name := strings.Join(tc.ce, "+") + "/keep=" + strconv.FormatBool(tc.keep)
		t.Run(name, func(t *testing.T) {
			q := ""
			for _, v := range tc.ce {
				q += "&ce=" + strings.ReplaceAll(v, " ", "%20")
			}
			r := &Request{URL: mustURL(t, s.URL+"/?x=1"+q), KeepEncoding: tc.keep}
			if tc.keep {
				r.Header = http.Header{"Accept-Encoding": {"br, deflate"}}
			}
			resp, err := c.Do(testCtx(t), r)
			if !tc.ok {
				if !errors.Is(err, ErrUnsupportedEncoding) {
					t.Errorf("error = %v, want ErrUnsupportedEncoding", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "raw bytes" {
				t.Errorf("body = %q", resp.Body)
			}
			if tc.keep && len(resp.Header.Values("Content-Encoding")) != len(tc.ce) {
				t.Errorf("Content-Encoding = %q, want %q kept", resp.Header.Values("Content-Encoding"), tc.ce)
			}
		})
	}
}

func TestDoKeepEncoding(t *testing.T) {
	checkLeaks(t)
	doc := []byte(strings.Repeat(`{"k":"v"}`, 500))
	zipped := gzipped(t, doc)
	var sawAE string
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		sawAE = r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(zipped)
	})
	c := newClient(t, Options{})
	h := http.Header{"Accept-Encoding": {"gzip"}}

	// The cap counts encoded bytes: exactly len(zipped) passes, one less fails.
	resp, err := c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL), Header: h, KeepEncoding: true, MaxBodyBytes: int64(len(zipped))})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, zipped) || resp.Header.Get("Content-Encoding") != "gzip" || sawAE != "gzip" {
		t.Errorf("kept body %d bytes (want %d), Content-Encoding %q, backend saw Accept-Encoding %q",
			len(resp.Body), len(zipped), resp.Header.Get("Content-Encoding"), sawAE)
	}
	_, err = c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL), Header: h, KeepEncoding: true, MaxBodyBytes: int64(len(zipped) - 1)})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("encoded cap-1: error = %v, want ErrTooLarge", err)
	}

	// The client sent no Accept-Encoding: the body arrives decoded.
	resp, err = c.Do(testCtx(t), &Request{URL: mustURL(t, s.URL), KeepEncoding: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, doc) || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("no Accept-Encoding: body %d bytes, Content-Encoding %q; want decoded", len(resp.Body), resp.Header.Get("Content-Encoding"))
	}
}
