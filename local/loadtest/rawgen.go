package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// rawGen is a lean HTTP/1.1 generator, closer in cost to wrk than net/http:
// each worker writes one pre-built GET on its own keep-alive connection and
// parses the answer from a bufio.Reader without allocating. It understands
// Content-Length, chunked and close-delimited bodies.
type rawGen struct{}

// rawReadBuffer is each connection's read buffer; a header line longer than
// it is an error.
const rawReadBuffer = 32 << 10

// errMalformed reports a response the raw generator cannot parse.
var errMalformed = errors.New("malformed HTTP response")

// rawResponse is what readResponse learned about one answer.
type rawResponse struct {
	status     int
	incomplete bool // X-Tributary-Completed: false
	close      bool // the server will close the connection
	bodyBytes  int64
}

func (rawGen) run(ctx context.Context, spec loadSpec, w window) (loadResult, error) {
	u, err := url.Parse(spec.URL)
	if err != nil {
		return loadResult{}, fmt.Errorf("load URL: %w", err)
	}
	if u.Scheme != "http" || u.Host == "" {
		return loadResult{}, fmt.Errorf("load URL %q: the raw generator speaks plain http only", spec.URL)
	}
	req, err := rawRequest(u, spec.Headers)
	if err != nil {
		return loadResult{}, err
	}
	addr := u.Host
	return closedLoop(ctx, spec, w, func(ctx context.Context, measuring *atomic.Bool, s *workerStats) {
		var (
			conn net.Conn
			br   *bufio.Reader
			stop func() bool
		)
		drop := func() {
			if conn != nil {
				stop()
				_ = conn.Close()
				conn = nil
			}
		}
		defer drop()
		d := net.Dialer{Timeout: 5 * time.Second}
		for ctx.Err() == nil {
			t0 := time.Now()
			if conn == nil {
				c, err := d.DialContext(ctx, "tcp", addr)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					if measuring.Load() {
						s.transport++
					}
					sleepCtx(ctx, errorBackoff)
					continue
				}
				conn = c
				// Closing the connection when the run ends unblocks a
				// pending read; no per-request deadline is needed.
				stop = context.AfterFunc(ctx, func() { _ = c.Close() })
				if br == nil {
					br = bufio.NewReaderSize(c, rawReadBuffer)
				} else {
					br.Reset(c)
				}
			}
			var resp rawResponse
			_, err := conn.Write(req)
			if err == nil {
				resp, err = readResponse(br)
			}
			dur := time.Since(t0)
			if err != nil {
				drop()
				if ctx.Err() != nil {
					return
				}
				if measuring.Load() {
					s.transport++
				}
				continue
			}
			if resp.close {
				drop()
			}
			if measuring.Load() {
				s.record(dur, resp.status, resp.incomplete, resp.bodyBytes)
			}
		}
	})
}

// rawRequest builds the GET every worker sends: Host, User-Agent and
// Accept, each replaced by a header of hs with the same name, then the
// other headers of hs in order.
func rawRequest(u *url.URL, hs []header) ([]byte, error) {
	if err := validHeaders(hs); err != nil {
		return nil, err
	}
	fixed := []header{{"Host", u.Host}, {"User-Agent", "tributary-loadtest"}, {"Accept", "*/*"}}
	var extra []header
	for _, h := range hs {
		replaced := false
		for i := range fixed {
			if strings.EqualFold(fixed[i].Name, h.Name) {
				fixed[i].Value, replaced = h.Value, true
			}
		}
		if !replaced {
			extra = append(extra, h)
		}
	}
	var b strings.Builder
	b.WriteString("GET " + u.RequestURI() + " HTTP/1.1\r\n")
	for _, h := range append(fixed, extra...) {
		b.WriteString(h.Name + ": " + h.Value + "\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String()), nil
}

// readResponse reads one response to a GET from r, body included.
func readResponse(r *bufio.Reader) (rawResponse, error) {
	var resp rawResponse
	line, err := readLine(r)
	if err != nil {
		return resp, err
	}
	// "HTTP/1.x SSS reason"
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return resp, errMalformed
	}
	resp.close = line[7] == '0'
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return resp, errMalformed
		}
		resp.status = resp.status*10 + int(c-'0')
	}
	length := int64(-1)
	chunked := false
	for {
		line, err = readLine(r)
		if err != nil {
			return resp, err
		}
		if len(line) == 0 {
			break
		}
		colon := indexByte(line, ':')
		if colon <= 0 {
			return resp, errMalformed
		}
		name, value := line[:colon], trimSpace(line[colon+1:])
		switch {
		case equalFoldASCII(name, "content-length"):
			n, ok := parseDecimal(value)
			if !ok {
				return resp, errMalformed
			}
			length = n
		case equalFoldASCII(name, "transfer-encoding"):
			chunked = equalFoldASCII(value, "chunked")
		case equalFoldASCII(name, "connection"):
			if equalFoldASCII(value, "close") {
				resp.close = true
			}
		case equalFoldASCII(name, "x-tributary-completed"):
			resp.incomplete = equalFoldASCII(value, "false")
		}
	}
	switch {
	case resp.status/100 == 1 || resp.status == 204 || resp.status == 304:
		return resp, nil
	case chunked:
		resp.bodyBytes, err = discardChunked(r)
	case length >= 0:
		var n int
		n, err = r.Discard(int(min(length, int64(1<<40))))
		resp.bodyBytes = int64(n)
	default:
		resp.close = true
		resp.bodyBytes, err = io.Copy(io.Discard, r)
	}
	return resp, err
}

// discardChunked reads a chunked body and its trailers.
func discardChunked(r *bufio.Reader) (int64, error) {
	var total int64
	for {
		line, err := readLine(r)
		if err != nil {
			return total, err
		}
		if i := indexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, ok := parseHex(trimSpace(line))
		if !ok {
			return total, errMalformed
		}
		if size == 0 {
			for {
				line, err = readLine(r)
				if err != nil {
					return total, err
				}
				if len(line) == 0 {
					return total, nil
				}
			}
		}
		n, err := r.Discard(int(size))
		total += int64(n)
		if err != nil {
			return total, err
		}
		line, err = readLine(r)
		if err != nil {
			return total, err
		}
		if len(line) != 0 {
			return total, errMalformed
		}
	}
}

// readLine returns the next line without its CRLF (or LF). The slice is
// only valid until the next read.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFoldASCII compares b with the lower-case ASCII string s, ignoring
// ASCII case in b.
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// parseDecimal parses a non-negative decimal of at most 15 digits.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseHex parses a chunk size of at most 10 hex digits.
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}
