package backend

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

// fuzzBodyLimit bounds the bodies read while fuzzing.
const fuzzBodyLimit = 1 << 20

// parseFast reads a whole response (head and body) with the fast path's
// parser, as Do would.
func parseFast(data []byte, method string) (int, []byte, error) {
	br := bufio.NewReaderSize(bytes.NewReader(data), 64)
	var scratch []byte
	p, err := readResponse(br, method, &scratch, &http.Response{})
	if err != nil {
		return 0, nil, err
	}
	if p.frame == frameNone {
		return p.resp.StatusCode, nil, nil
	}
	body := &fastBody{br: br, frame: p.frame, remain: p.length}
	b, err := io.ReadAll(io.LimitReader(body, fuzzBodyLimit))
	_ = body.Close()
	return p.resp.StatusCode, b, err
}

// parseStd reads the same response with net/http, skipping 1xx responses
// as the fast path does.
func parseStd(data []byte, method string) (int, []byte, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	for range maxInterimResponses + 1 {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return 0, nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != 101 {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, fuzzBodyLimit))
		_ = resp.Body.Close()
		return resp.StatusCode, b, err
	}
	return 0, nil, io.ErrUnexpectedEOF
}

// FuzzReadResponse checks that the fast path's parser never panics and
// never accepts a response that net/http's http.ReadResponse rejects; when
// both accept, they agree on the status and the body.
func FuzzReadResponse(f *testing.F) {
	seeds := []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil eof",
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA \r\n0123456789\r\n0\r\n\r\n",
		"HTTP/1.1 101 Switching\r\n\r\n",
		"HTTP/1.1 200\r\nX: a\r\n b\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		code, body, err := parseFast(data, method)
		if err != nil {
			return
		}
		scode, sbody, serr := parseStd(data, method)
		if serr != nil {
			t.Fatalf("fast path accepted (%d, %q) what net/http rejects: %v", code, body, serr)
		}
		if code != scode || !bytes.Equal(body, sbody) {
			t.Fatalf("fast path read (%d, %q), net/http (%d, %q)", code, body, scode, sbody)
		}
	})
}
