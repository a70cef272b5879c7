package backend

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// body300 is the 300-byte document of the benchmarks.
var body300 = []byte(`{"id":1,"name":"` + strings.Repeat("x", 300-27) + `","ok":true}`)

func benchServer(b *testing.B) (*Client, string) {
	b.Helper()
	zipped := gzipped(b, []byte(strings.Repeat(`{"k":"value"},`, 2000)))
	s := newServer(b, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/300":
			_, _ = w.Write(body300)
		case "/chunked":
			for range 4 {
				_, _ = w.Write(body300)
				w.(http.Flusher).Flush()
			}
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(zipped)
		}
	})
	return newClient(b, Options{}), s.URL
}

func benchDo(b *testing.B, path string) {
	c, base := benchServer(b)
	req := &Request{Method: http.MethodGet, URL: mustURL(b, base+path), Header: http.Header{"User-Agent": {"Tributary"}}}
	ctx := testCtx(b)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Do(ctx, req)
		if err != nil || resp.Status != 200 {
			b.Fatal(resp, err)
		}
	}
}

// BenchmarkDo is the hot path: a 300-byte response with Content-Length.
func BenchmarkDo(b *testing.B) { benchDo(b, "/300") }

// BenchmarkDoChunked reads a 1200-byte chunked body of unknown length.
func BenchmarkDoChunked(b *testing.B) { benchDo(b, "/chunked") }

// BenchmarkDoGzip reads a gzip body that inflates to 28 000 bytes.
func BenchmarkDoGzip(b *testing.B) { benchDo(b, "/gzip") }

// BenchmarkStdlibBaseline is the floor: the same call through a plain
// http.Client and io.ReadAll.
func BenchmarkStdlibBaseline(b *testing.B) {
	_, base := benchServer(b)
	tr := &http.Transport{MaxIdleConnsPerHost: 250}
	b.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	ctx := testCtx(b)
	u := base + "/300"
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		req.Header.Set("User-Agent", "Tributary")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
}

// rawBackend is a loopback HTTP/1.1 server that answers every request with
// one canned 300-byte response and allocates nothing per request, so a
// benchmark against it measures the client alone.
func rawBackend(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	canned := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body300)) + "\r\n\r\n" + string(body300))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Go(func() {
				br := bufio.NewReader(conn)
				for {
					for { // skip the request head; benchmark requests carry no body
						line, err := br.ReadSlice('\n')
						if err != nil {
							return
						}
						if len(line) <= 2 {
							break
						}
					}
					if _, err := conn.Write(canned); err != nil {
						return
					}
				}
			})
		}
	})
	b.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// BenchmarkDoClientOnly measures Do's own cost (time and allocations)
// against a backend that does no work.
func BenchmarkDoClientOnly(b *testing.B) {
	base := rawBackend(b)
	c := newClient(b, Options{})
	req := &Request{Method: http.MethodGet, URL: mustURL(b, base+"/300"), Header: http.Header{"User-Agent": {"Tributary"}}}
	ctx := testCtx(b)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Do(ctx, req)
		if err != nil || len(resp.Body) != len(body300) {
			b.Fatal(resp, err)
		}
	}
}
