package backend

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// Limits of the fast path's response parser (security.md §3).
const (
	// maxInterimResponses bounds the 1xx responses skipped before the final
	// one, as net/http does.
	maxInterimResponses = 5
	// maxChunkLine bounds a chunk-size line with its extensions.
	maxChunkLine = 4 << 10
	// maxTrailerBytes bounds the trailer section of a chunked body.
	maxTrailerBytes = 16 << 10
)

// Response parsing errors of the fast path. They wrap errMalformed.
var (
	errMalformed      = errors.New("malformed HTTP response")
	errHeaderTooLarge = fmt.Errorf("%w: server response headers exceeded %d bytes; aborted", errMalformed, MaxResponseHeaderBytes)
	errLineTooLong    = fmt.Errorf("%w: line too long", errMalformed)
)

// framing is how a response body is delimited (RFC 9112 §6.3).
type framing uint8

const (
	frameNone    framing = iota // no body: HEAD, 1xx, 204, 304
	frameLength                 // Content-Length bytes
	frameChunked                // chunked transfer coding
	frameEOF                    // until the connection closes
)

// parsedResponse is a response head and how its body is framed.
type parsedResponse struct {
	resp      *http.Response
	frame     framing
	length    int64 // for frameLength
	keepAlive bool  // the connection may carry another request afterwards
}

// readLine reads one CRLF-terminated line from br, appending it to *buf,
// and returns it without the CRLF. Its length is charged to *budget; over
// budget the error is tooLong. A bare LF, or a CR or NUL inside the line,
// is an error.
func readLine(br *bufio.Reader, buf *[]byte, budget *int, tooLong error) ([]byte, error) {
	start := len(*buf)
	for {
		frag, err := br.ReadSlice('\n')
		if len(frag) > *budget {
			return nil, tooLong
		}
		*budget -= len(frag)
		*buf = append(*buf, frag...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF && len(*buf) > start {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	line := (*buf)[start:]
	n := len(line)
	if n < 2 || line[n-2] != '\r' {
		return nil, fmt.Errorf("%w: line not terminated by CRLF", errMalformed)
	}
	line = line[:n-2]
	for _, b := range line {
		if b == '\r' || b == '\n' || b == 0 {
			return nil, fmt.Errorf("%w: control character in line", errMalformed)
		}
	}
	*buf = (*buf)[:start+n-2]
	return line, nil
}

// readResponse reads a response head for a request of method from br,
// into resp, skipping interim 1xx responses (101 is an error). scratch is
// reused memory for the head. The header block, interim responses included, is
// capped at MaxResponseHeaderBytes.
func readResponse(br *bufio.Reader, method string, scratch *[]byte, resp *http.Response) (parsedResponse, error) {
	budget := MaxResponseHeaderBytes
	for interim := 0; ; interim++ {
		*scratch = (*scratch)[:0]
		p, err := readHead(br, method, scratch, &budget, resp)
		if err != nil {
			return parsedResponse{}, err
		}
		code := p.resp.StatusCode
		if code >= 200 {
			return p, nil
		}
		if code == http.StatusSwitchingProtocols {
			return parsedResponse{}, fmt.Errorf("%w: unexpected 101 Switching Protocols", errMalformed)
		}
		if interim >= maxInterimResponses {
			return parsedResponse{}, fmt.Errorf("%w: too many 1xx responses", errMalformed)
		}
	}
}

// readHead reads one status line and header section into resp and decides
// framing.
func readHead(br *bufio.Reader, method string, blk *[]byte, budget *int, resp *http.Response) (parsedResponse, error) {
	// Collect the head as lines joined by '\n', then make one string of it:
	// every header name and value is a substring of that string.
	var ends [64]int // end offsets of the first 64 lines; later ones are searched
	n := 0
	for {
		if len(*blk) > 0 {
			*blk = append(*blk, '\n')
		}
		line, err := readLine(br, blk, budget, errHeaderTooLarge)
		if err != nil {
			return parsedResponse{}, err
		}
		if len(line) == 0 {
			if len(*blk) > 0 {
				*blk = (*blk)[:len(*blk)-1] // the separator added for the blank line
			}
			break
		}
		if n < len(ends) {
			ends[n] = len(*blk)
		}
		n++
	}
	if n == 0 {
		return parsedResponse{}, fmt.Errorf("%w: empty status line", errMalformed)
	}
	s := string(*blk)
	if err := parseStatusLine(s[:ends[0]], resp); err != nil {
		return parsedResponse{}, err
	}
	h := make(http.Header, n-1)
	resp.Header = h
	vals := make([]string, n-1)
	for i, pos := 1, ends[0]+1; i < n; i++ {
		var e int
		if i < len(ends) {
			e = ends[i]
		} else if j := strings.IndexByte(s[pos:], '\n'); j >= 0 {
			e = pos + j
		} else {
			e = len(s)
		}
		key, value, err := parseHeaderLine(s[pos:e])
		if err != nil {
			return parsedResponse{}, err
		}
		pos = e + 1
		if old, ok := h[key]; ok {
			h[key] = append(old, value)
		} else {
			vals[i-1] = value
			h[key] = vals[i-1 : i : i]
		}
	}
	conn := h["Connection"]
	p := parsedResponse{resp: resp}
	if resp.ProtoMinor == 1 {
		p.keepAlive = !hasToken(conn, "close")
	} else {
		p.keepAlive = hasToken(conn, "keep-alive") && !hasToken(conn, "close")
	}
	if err := frame(&p, method, h["Content-Length"], h["Transfer-Encoding"]); err != nil {
		return parsedResponse{}, err
	}
	resp.Close = !p.keepAlive
	return p, nil
}

// frame sets p's body framing from the method, the status and the framing
// headers (RFC 9112 §6.3). Both Content-Length and Transfer-Encoding,
// Content-Length values that disagree, and a transfer coding other than
// chunked are errors.
func frame(p *parsedResponse, method string, cl, te []string) error {
	resp := p.resp
	code := resp.StatusCode
	if len(te) > 0 && len(cl) > 0 {
		return fmt.Errorf("%w: both Transfer-Encoding and Content-Length", errMalformed)
	}
	length := int64(-1)
	if len(cl) > 0 {
		n, ok := parseContentLength(cl[0])
		if !ok {
			return fmt.Errorf("%w: bad Content-Length %q", errMalformed, truncate(cl[0]))
		}
		for _, v := range cl[1:] {
			if m, ok := parseContentLength(v); !ok || m != n {
				return fmt.Errorf("%w: conflicting Content-Length values", errMalformed)
			}
		}
		length = n
	}
	chunked := false
	if len(te) > 0 {
		if len(te) != 1 || !strings.EqualFold(strings.Trim(te[0], " \t"), "chunked") {
			return fmt.Errorf("%w: unsupported Transfer-Encoding %q", errMalformed, truncate(strings.Join(te, ", ")))
		}
		if resp.ProtoMinor == 0 {
			return fmt.Errorf("%w: Transfer-Encoding in an HTTP/1.0 response", errMalformed)
		}
		chunked = true
	}
	resp.ContentLength = length
	switch {
	case method == http.MethodHead || code < 200 || code == http.StatusNoContent || code == http.StatusNotModified:
		p.frame = frameNone
		if code == http.StatusNoContent {
			resp.ContentLength = 0
		}
		// A 204 announcing a body, or a 304 announcing a chunked one,
		// leaves the framing in doubt: the server may send those bytes
		// anyway. The connection is not reused.
		if code == http.StatusNoContent && (length > 0 || chunked) || code == http.StatusNotModified && chunked {
			p.keepAlive = false
		}
	case chunked:
		p.frame = frameChunked
		resp.TransferEncoding = []string{"chunked"}
	case length >= 0:
		p.frame, p.length = frameLength, length
	default:
		p.frame = frameEOF
		p.keepAlive = false
	}
	return nil
}

// parseContentLength parses a Content-Length value: 1 to 18 decimal digits
// with optional surrounding whitespace.
func parseContentLength(v string) (int64, bool) {
	v = strings.Trim(v, " \t")
	if v == "" || len(v) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseStatusLine parses "HTTP/1.x DDD[ reason]" into a reset *resp.
func parseStatusLine(line string, resp *http.Response) error {
	if len(line) < 12 || line[:7] != "HTTP/1." || (line[7] != '0' && line[7] != '1') ||
		line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return fmt.Errorf("%w: bad status line %q", errMalformed, truncate(line))
	}
	code := 0
	for i := 9; i < 12; i++ {
		c := line[i]
		if c < '0' || c > '9' {
			return fmt.Errorf("%w: bad status code %q", errMalformed, truncate(line))
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return fmt.Errorf("%w: bad status code %q", errMalformed, truncate(line))
	}
	*resp = http.Response{
		Status:     line[9:],
		StatusCode: code,
		Proto:      line[:8],
		ProtoMajor: 1,
		ProtoMinor: int(line[7] - '0'),
	}
	return nil
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}

// parseHeaderLine splits "Name: value" into the canonical name (as
// net/textproto canonicalises it) and the trimmed value. Obsolete line
// folding, invalid names and control characters in values are refused.
func parseHeaderLine(line string) (string, string, error) {
	colon := strings.IndexByte(line, ':')
	if colon <= 0 {
		return "", "", fmt.Errorf("%w: bad header line %q", errMalformed, truncate(line))
	}
	name := line[:colon]
	canonical, upper := true, true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !httpsyntax.IsTokenByte(c) {
			return "", "", fmt.Errorf("%w: bad header name %q", errMalformed, truncate(name))
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			canonical = false
		}
		upper = c == '-'
	}
	if !canonical {
		name = http.CanonicalHeaderKey(name)
	}
	value := strings.Trim(line[colon+1:], " \t")
	if !httpsyntax.IsFieldValue(value) {
		return "", "", fmt.Errorf("%w: control character in header %q", errMalformed, truncate(name))
	}
	return name, value, nil
}

// hasToken reports whether the comma-separated values vs hold token,
// compared case-insensitively.
func hasToken(vs []string, token string) bool {
	for _, v := range vs {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.Trim(f, " \t"), token) {
				return true
			}
		}
	}
	return false
}
