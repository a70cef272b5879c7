package fasthttpadapter

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// parsed is what the adapter reads off a request head, in the form
// net/http would have handed it to the http adapter.
type parsed struct {
	// header holds every field but Host and Transfer-Encoding, names
	// canonical, one value per field line in arrival order (net/http's
	// Request.Header).
	header http.Header
	// host is the Host field's value; hosts counts the Host lines.
	host  string
	hosts int
	// te are the Transfer-Encoding values (net/http's
	// Request.TransferEncoding before validation).
	te []string
	// fields counts the field lines as the http adapter counts them.
	fields int
	// badHeader reports a field line net/http refuses; badName that its
	// name is not a token.
	badHeader, badName bool
}

// commonNames maps the canonical spelling of common field names to
// itself, so that a name already in that spelling costs no allocation.
var commonNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control",
		"Connection", "Content-Length", "Content-Type", "Cookie", "Expect", "Host",
		"If-Modified-Since", "If-None-Match", "Origin", "Pragma", "Referer",
		"Transfer-Encoding", "User-Agent", "X-Forwarded-For", "X-Forwarded-Host",
		"X-Forwarded-Proto", "X-Real-Ip", "X-Request-Id", "Upgrade",
	} {
		m[n] = n
	}
	return m
}()

// canonical returns the canonical form of the name raw (a slice of the
// string the header block was copied into), as net/http spells it.
func canonical(raw string) string {
	if c, ok := commonNames[raw]; ok {
		return c
	}
	return textproto.CanonicalMIMEHeaderKey(raw)
}

// parseHead turns the raw header block fasthttp kept (every field line as
// received, obs-folds included) into the fields net/http would show. The
// block is copied into one string; names and values are slices of it.
func parseHead(raw []byte) parsed {
	var p parsed
	if len(raw) == 0 {
		return p
	}
	block := string(raw)
	lines := strings.Count(block, "\n")
	p.header = make(http.Header, lines)
	// One backing array for every value list: each name takes a
	// capacity-limited window, so appends past it reallocate instead of
	// overwriting a neighbour.
	store := make([]string, 0, lines)
	var last string // canonical name of the previous field line
	for len(block) > 0 {
		line, rest, _ := strings.Cut(block, "\n")
		block = rest
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			// obs-fold: net/http joins a continuation line to the previous
			// value with one space.
			if last == "" {
				p.badHeader = true
				continue
			}
			vs := p.header[last]
			if len(vs) > 0 {
				vs[len(vs)-1] = vs[len(vs)-1] + " " + strings.Trim(line, " \t")
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			p.badHeader = true
			continue
		}
		if !validName(name) {
			p.badHeader, p.badName = true, true
			continue
		}
		value = strings.Trim(value, " \t")
		key := canonical(name)
		last = key
		p.fields++
		switch key {
		case "Host":
			p.hosts++
			p.host = value
			last = ""
			continue
		case "Transfer-Encoding":
			p.te = append(p.te, value)
			last = ""
			continue
		}
		vs, seen := p.header[key]
		if !seen {
			store = append(store, value)
			n := len(store)
			p.header[key] = store[n-1 : n : n]
			continue
		}
		p.header[key] = append(vs, value)
	}
	return p
}

// validName reports whether name is an HTTP token (RFC 9110 §5.6.2).
func validName(name string) bool {
	for i := 0; i < len(name); i++ {
		if !isTokenByte(name[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validHost reports whether a Host value passes net/http's check: only
// the bytes a URI authority may hold.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		}
		if strings.IndexByte("!$%&'()*+,-.:;=[]_~", c) < 0 {
			return false
		}
	}
	return true
}

// validTarget reports whether an origin-form request target parses the
// way net/http requires (url.ParseRequestURI): no control bytes and, in
// the path, every '%' followed by two hex digits.
func validTarget(t string) bool {
	inPath := true
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < ' ' || c == 0x7f {
			return false
		}
		if c == '?' {
			inPath = false
		}
		if inPath && c == '%' {
			if i+2 >= len(t) || !httpsyntax.IsHex(t[i+1]) || !httpsyntax.IsHex(t[i+2]) {
				return false
			}
		}
	}
	return true
}

// method returns m as a string, without allocating for the usual methods.
func method(m []byte) string {
	switch string(m) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	case http.MethodPut:
		return http.MethodPut
	case http.MethodPatch:
		return http.MethodPatch
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodHead:
		return http.MethodHead
	case http.MethodOptions:
		return http.MethodOptions
	}
	return string(m)
}

// errBodyTooLarge is what a read past the adapter's cap returns, as
// net/http's MaxBytesReader does; the core never reads that far (it reads
// one byte past its own cap to tell an oversize body).
var errBodyTooLarge = errors.New("http: request body too large")

// requestBody is the request body as the core reads it: fasthttp's body
// stream behind the adapter's cap, counting what was read so that the
// handler knows, once it has answered, whether the client may still be
// sending (see lingers).
type requestBody struct {
	stream  io.Reader
	limit   int64 // bytes the readers may still take
	n       int64 // bytes read
	cl      int64 // declared length, -1 for chunked
	touched bool
	eof     bool
}

// Read implements io.Reader.
func (b *requestBody) Read(p []byte) (int, error) {
	b.touched = true
	if b.eof {
		return 0, io.EOF
	}
	if b.limit <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.limit {
		p = p[:b.limit]
	}
	n, err := b.stream.Read(p)
	b.n += int64(n)
	b.limit -= int64(n)
	switch {
	case err == nil:
	case err == io.EOF:
		b.eof = true
	case b.cl < 0 && !errors.Is(err, io.ErrUnexpectedEOF) && !isTimeout(err):
		err = chunkError(err)
	}
	return n, err
}

// chunkError words a chunked-framing fault as net/http's reader does, so
// that the core's 400 says the same on both servers.
func chunkError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "chunk size") || strings.Contains(msg, "hex") {
		return errChunkLength
	}
	return errChunkFraming
}

var (
	errChunkLength  = errors.New("invalid byte in chunk length")
	errChunkFraming = errors.New("malformed chunked encoding")
)

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// lingers reports whether, after answering with status, the rest of the
// body must be drained before the connection closes (a lingering close):
// the body was not read to its end and either the answer is 413, or the
// rest is of unknown length (chunked), or at least 256 KiB of it is
// left, more than fasthttp discards by itself before the next request.
// Those are the http adapter's rules; fasthttp has already sent 100
// Continue to a client that asked, so that case is not special here.
func (b *requestBody) lingers(status int) bool {
	switch {
	case b.eof:
		return false
	case status == http.StatusRequestEntityTooLarge, b.cl < 0:
		return true
	}
	return b.cl-b.n >= maxUnreadBody
}

// maxUnreadBody mirrors the amount of an unread body (256 KiB) that both
// net/http and fasthttp read and discard themselves to keep a connection.
const maxUnreadBody = 256 << 10

// streamOf returns ctx's request body stream, or nil when the request has
// no body.
func streamOf(ctx *fasthttp.RequestCtx) (io.Reader, int64) {
	cl := int64(ctx.Request.Header.ContentLength())
	if cl == 0 || cl == -2 {
		return nil, 0
	}
	s := ctx.RequestBodyStream()
	if s == nil {
		return nil, 0
	}
	if cl < 0 {
		cl = -1
	}
	return s, cl
}
