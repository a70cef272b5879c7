package httpadapter

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// lingerTimeout bounds the lingering drain: how long, after answering a
// request whose body it did not read, the handler keeps reading and
// discarding what the client is still sending before the connection
// closes. It lets a client that sends its whole body before reading (Python
// urllib and http.client, many SDKs) finish and read the answer, instead
// of being reset mid-upload; a client still sending after it is cut off.
// nginx calls this a lingering close.
const lingerTimeout = 5 * time.Second

// lingerBytes bounds the lingering drain by size: at most this much of an
// unwanted body is read and discarded before the connection closes,
// whichever of lingerTimeout and lingerBytes comes first.
const lingerBytes = 64 << 20

// netHTTPDiscardBytes mirrors net/http's maxPostHandlerReadBytes: when a
// handler answers with less than this left of a body of known length,
// net/http reads the rest itself before writing the answer and keeps the
// connection; with more left it gives up and closes, resetting a client
// that is still sending.
const netHTTPDiscardBytes = 256 << 10

// requestBody is a request body as the handler reads it: behind
// http.MaxBytesReader, so no reader takes more than the adapter's cap and
// net/http learns when the client sent more, and counting what was read,
// so that after answering the handler knows whether the client may still
// be sending. It is only read from the handler's goroutine.
type requestBody struct {
	orig    io.ReadCloser // the body net/http (or the Lambda adapter) handed over
	capped  io.ReadCloser // orig behind http.MaxBytesReader
	n       int64         // bytes read through capped
	touched bool          // Read was called at least once
	eof     bool          // the body was read to its end
}

// newRequestBody wraps body for the request answered through w, capped at
// limit bytes.
func newRequestBody(w http.ResponseWriter, body io.ReadCloser, limit int64) *requestBody {
	return &requestBody{orig: body, capped: http.MaxBytesReader(w, body, limit)}
}

// Read implements io.Reader.
func (b *requestBody) Read(p []byte) (int, error) {
	b.touched = true
	n, err := b.capped.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// lingers reports whether, after answering r with status, the handler
// must drain the rest of the body and close the connection (a lingering
// close): the body was not read to its end, the client was allowed to
// send it, and net/http would not read the rest itself. Every 413 lingers;
// any other answer lingers when the rest of the body is of unknown length
// (chunked) or too long for net/http's own discard.
func (b *requestBody) lingers(r *http.Request, status int) bool {
	switch {
	case b.eof:
		return false
	case !b.touched && expectsContinue(r):
		// net/http sends 100 Continue on the first read only: the client
		// was never asked for the body, and net/http closes the connection.
		return false
	case status == http.StatusRequestEntityTooLarge, r.ContentLength < 0:
		return true
	}
	return r.ContentLength-b.n >= netHTTPDiscardBytes
}

// linger sends the answer already written to the client, then reads and
// discards the rest of the body for at most lingerTimeout and lingerBytes.
// The connection closes when the handler returns (the answer carries
// Connection: close). Without a connection behind rc (the Lambda
// adapter's writer, a recorder) nothing is read: the body is not on a wire,
// and with no read deadline a read might never return.
func (b *requestBody) linger(rc *http.ResponseController) {
	_ = rc.Flush()
	if err := rc.SetReadDeadline(time.Now().Add(lingerTimeout)); err != nil {
		return
	}
	// Through the cap first: a read past it tells net/http the limit was
	// hit, and net/http then half-closes and waits before closing the
	// socket, which gives the client more time to read the answer. Then
	// the rest straight from the connection.
	start := b.n
	_, err := io.CopyN(io.Discard, b, lingerBytes)
	if _, over := errors.AsType[*http.MaxBytesError](err); over {
		_, _ = io.CopyN(io.Discard, b.orig, lingerBytes-(b.n-start))
	}
}

// expectsContinue reports whether r asked for 100 Continue before sending
// its body (net/http's own test).
func expectsContinue(r *http.Request) bool {
	for _, v := range r.Header["Expect"] {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "100-continue") {
				return true
			}
		}
	}
	return false
}
