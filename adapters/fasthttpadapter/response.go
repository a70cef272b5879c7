package fasthttpadapter

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tributary-gw/tributary/core/exec"
)

// lingerTimeout and lingerBytes bound the lingering drain: after answering
// a request whose body it did not read, the adapter reads and discards what
// the client is still sending for at most this long and this much, then
// closes the connection, as the net/http adapter does.
const (
	lingerTimeout = 5 * time.Second
	lingerBytes   = 64 << 20
)

// write puts resp on ctx: status, headers, Content-Length and the body,
// which fasthttp writes after the handler returns, straight from the
// response's buffers (a segmented body is never joined). resp is released
// once its last byte is written.
// The request id is echoed when the config says so.
func (h *Handler) write(ctx *fasthttp.RequestCtx, resp *exec.Response, head, closeConn bool, id string) {
	r := &ctx.Response
	r.SetStatusCode(resp.Status)
	rh := &r.Header
	_, typed := resp.Header["Content-Type"]
	for k, vs := range resp.Header {
		switch k {
		case "Content-Length", "Transfer-Encoding", "Connection":
			continue
		case "Content-Type":
			if len(vs) > 0 {
				rh.SetContentType(vs[0])
			}
			continue
		}
		for _, v := range vs {
			rh.Add(k, v)
		}
	}
	if closeConn {
		ctx.SetConnectionClose()
	}
	if rid := &h.edge.RequestID; rid.Echo && id != "" {
		rh.Set(rid.Header, id)
	}
	if h.edge.VersionHeader {
		rh.Set("X-Tributary-Version", h.version)
	}
	n := resp.Len()
	if !typed && n > 0 && !head && bodyAllowed(resp.Status) {
		// net/http sniffs the type of a body sent without one.
		b := resp.Bytes()
		rh.SetContentType(http.DetectContentType(b[:min(len(b), 512)]))
	}
	if head || n == 0 || !bodyAllowed(resp.Status) {
		rh.SetContentLength(n)
		resp.Release()
		return
	}
	out := outPool.Get().(*outBody)
	out.resp = resp
	r.SetBodyStream(out, n)
}

// bodyAllowed reports whether a response of status may carry a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// outBody is the body stream of a response: fasthttp copies it to the
// connection through WriteTo, segment by segment, and closes it after the
// last byte, which releases the backend buffers it refers to.
type outBody struct {
	resp *exec.Response
	rest []byte // what Read has left, when fasthttp reads instead
	read bool
}

var outPool = sync.Pool{New: func() any { return new(outBody) }}

// WriteTo implements io.WriterTo.
func (o *outBody) WriteTo(w io.Writer) (int64, error) {
	if o.read {
		n, err := w.Write(o.rest)
		o.rest = o.rest[n:]
		return int64(n), err
	}
	o.read = true
	return o.resp.WriteTo(w)
}

// Read implements io.Reader; fasthttp uses WriteTo.
func (o *outBody) Read(p []byte) (int, error) {
	if !o.read {
		o.read = true
		o.rest = o.resp.Bytes()
	}
	if len(o.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, o.rest)
	o.rest = o.rest[n:]
	return n, nil
}

// Close implements io.Closer: the body is written, or will never be.
func (o *outBody) Close() error {
	if o.resp != nil {
		o.resp.Release()
	}
	*o = outBody{}
	outPool.Put(o)
	return nil
}

// lingerClose takes over the connection once the handler returns: it
// writes the answer already set on ctx itself, then reads and discards the
// rest of body for at most lingerTimeout and lingerBytes before the
// connection closes (a lingering close), so that a client that sends its
// whole body before reading gets the answer instead of a reset. fasthttp
// would close a connection whose answer says Connection: close without
// reading on, so the answer is serialized here and fasthttp told to write
// nothing; this path is taken only for abandoned bodies.
func lingerClose(ctx *fasthttp.RequestCtx, body *requestBody) {
	r := &ctx.Response
	r.SetConnectionClose()
	out := append([]byte(nil), r.Header.Header()...)
	if !ctx.IsHead() {
		var b bytes.Buffer
		_ = r.BodyWriteTo(&b)
		out = append(out, b.Bytes()...)
	}
	stream := body.stream
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		_ = c.SetWriteDeadline(time.Now().Add(lingerTimeout))
		if _, err := c.Write(out); err != nil {
			return
		}
		if err := c.SetReadDeadline(time.Now().Add(lingerTimeout)); err != nil {
			return
		}
		_, _ = io.CopyN(io.Discard, stream, lingerBytes)
	})
}

// writeNetError answers as the net/http adapter's listener does for what
// net/http's server refuses on its own: status, the JSON error body with
// the code and message the Lambda adapter uses for the same fault, and
// Connection: close. text is net/http's reason ("" when it gives none).
func writeNetError(ctx *fasthttp.RequestCtx, status int, text string) {
	code, msg := describe(status, text, 0)
	writeError(ctx, status, code, msg)
}

// writeError writes a gateway error document and closes the connection.
func writeError(ctx *fasthttp.RequestCtx, status int, code, msg string) {
	ctx.Response.Reset()
	ctx.SetStatusCode(status)
	ctx.Response.Header.SetContentType(exec.ContentTypeJSON)
	ctx.Response.Header.Set(exec.HeaderCompleted, "false")
	ctx.SetConnectionClose()
	ctx.Response.SetBodyRaw(exec.ErrorBody(code, msg))
}

// describe words a refusal of status the way the net/http adapter's
// listener does; maxHeaderBytes is named in a 431.
func describe(status int, text string, maxHeaderBytes int) (code, msg string) {
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		return "headers_too_large", "the request headers are larger than " + strconv.Itoa(maxHeaderBytes) + " bytes"
	case http.StatusNotImplemented:
		return "not_implemented", "unsupported transfer encoding"
	case http.StatusBadRequest:
		switch text {
		case "malformed Host header":
			return "bad_request", "invalid Host header"
		case "":
			return "bad_request", "malformed HTTP request"
		}
		return "bad_request", text
	}
	if text == "" {
		text = http.StatusText(status)
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_"), text
}
