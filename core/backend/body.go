package backend

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// DefaultMaxBodyBytes is the body cap when Request.MaxBodyBytes is 0
// (krakend-compat.md §17.16, max_backend_response_bytes).
const DefaultMaxBodyBytes = 2 << 20

const (
	// firstReadSize is the initial size of a pooled read buffer, used for
	// bodies of unknown length (chunked or decoded).
	firstReadSize = 4 << 10
	// maxPooledBuffer is the largest buffer returned to the pool; bigger
	// ones are left to the garbage collector so the pool never pins memory
	// grown by one large response.
	maxPooledBuffer = 256 << 10
	// redirectDrainBytes is how much of a followed redirect's body is read
	// so its connection can be reused; a larger body closes the connection.
	redirectDrainBytes = 4 << 10
	// maxEmptyReads bounds consecutive (0, nil) reads before giving up with
	// io.ErrNoProgress, so a misbehaving reader cannot spin forever.
	maxEmptyReads = 100
)

// bufferPool holds read buffers for bodies of unknown length.
type bufferPool struct{ p sync.Pool }

func (bp *bufferPool) get() *[]byte {
	if b, ok := bp.p.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, firstReadSize)
	return &b
}

func (bp *bufferPool) put(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	bp.p.Put(b)
}

// coding is what the body reader must do with the response body.
type coding uint8

const (
	codingNone     coding = iota // identity, kept encoding, or already decoded by the transport
	codingGzip                   // gzip the transport did not decode: decode here
	codingDecoded                // gzip decoded by the transport (errors may be gzip errors)
	codingRejected               // any other content coding
)

// responseCoding decides how to treat resp's body. With keep the body is
// passed through encoded. The transport decodes gzip itself when it asked
// for it (resp.Uncompressed); a gzip body it did not ask for (compression
// disabled, or an Accept-Encoding set by the caller) is decoded here.
func responseCoding(resp *http.Response, keep bool) coding {
	if resp.Uncompressed {
		return codingDecoded
	}
	if keep {
		return codingNone
	}
	ce := resp.Header["Content-Encoding"]
	switch len(ce) {
	case 0:
		return codingNone
	case 1:
		v := strings.TrimSpace(ce[0])
		switch {
		case v == "" || strings.EqualFold(v, "identity"):
			return codingNone
		case strings.EqualFold(v, "gzip") || strings.EqualFold(v, "x-gzip"):
			return codingGzip
		}
	}
	return codingRejected
}

// readBody reads the whole of resp.Body into a pooled buffer (nil when
// empty), at most limit bytes after
// decoding, and closes it. It never reads more than limit+1 bytes of the
// (decoded) stream, so a gzip bomb stops at the cap.
func (c *Client) readBody(resp *http.Response, cd coding, limit int64) (*[]byte, error) {
	body := resp.Body
	defer body.Close()
	if body == http.NoBody {
		return nil, nil
	}
	switch cd {
	case codingRejected:
		return nil, fmt.Errorf("%w %q", ErrUnsupportedEncoding, strings.Join(resp.Header["Content-Encoding"], ", "))
	case codingNone:
		if n := resp.ContentLength; n >= 0 {
			return c.readExact(body, n, limit)
		}
		return c.readUnknown(body, limit, false)
	case codingGzip:
		zr, err := gzip.NewReader(body)
		if err != nil {
			if err == io.EOF { // an empty body is an empty document, as in the transport
				return nil, nil
			}
			return nil, fmt.Errorf("%w: %w", ErrBadGzip, err)
		}
		return c.readUnknown(zr, limit, true)
	default: // codingDecoded
		return c.readUnknown(body, limit, true)
	}
}

// readExact reads a body whose length n the response declared.
func (c *Client) readExact(r io.Reader, n, limit int64) (*[]byte, error) {
	if n > limit {
		return nil, tooLarge(limit)
	}
	if n == 0 {
		return nil, nil
	}
	// One spare byte lets the final read observe EOF, which hands the
	// connection back to the pool before Close.
	bp := c.bodies.get(int(n) + 1)
	buf := *bp
	if _, err := io.ReadFull(r, buf[:n]); err != nil {
		c.bodies.put(bp)
		return nil, err
	}
	if m, err := r.Read(buf[n:]); m > 0 {
		c.bodies.put(bp)
		return nil, tooLarge(limit) // more than declared: a framing bug, refuse it
	} else if err != nil && err != io.EOF {
		c.bodies.put(bp)
		return nil, err
	}
	*bp = buf[:n]
	return bp, nil
}

// readUnknown reads a body of unknown length into a pooled read buffer and
// returns a copy in a pooled body buffer of the exact length. decoded marks a gzip stream, whose read
// errors are reported as ErrBadGzip.
func (c *Client) readUnknown(r io.Reader, limit int64, decoded bool) (*[]byte, error) {
	bp := c.bufs.get()
	defer c.bufs.put(bp)
	buf := *bp
	stop := limit + 1 // read one byte past the cap to detect an oversize body
	for empty := 0; ; {
		if len(buf) == cap(buf) {
			if int64(len(buf)) >= stop {
				break
			}
			grown := min(int64(cap(buf))*2, stop)
			nb := make([]byte, len(buf), grown)
			copy(nb, buf)
			buf = nb
		}
		end := min(int64(cap(buf)), stop)
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if n == 0 && err == nil {
			if empty++; empty >= maxEmptyReads {
				err = io.ErrNoProgress
			}
		} else {
			empty = 0
		}
		if err != nil {
			*bp = buf
			if decoded && isGzipError(err) {
				return nil, fmt.Errorf("%w: %w", ErrBadGzip, err)
			}
			return nil, err
		}
		if int64(len(buf)) >= stop {
			break
		}
	}
	*bp = buf
	if int64(len(buf)) > limit {
		return nil, tooLarge(limit)
	}
	if len(buf) == 0 {
		return nil, nil
	}
	out := c.bodies.get(len(buf))
	copy(*out, buf)
	return out, nil
}

// isGzipError reports whether err comes from decoding a gzip stream rather
// than from the connection or the context.
func isGzipError(err error) bool {
	var ce flate.CorruptInputError
	var ie flate.InternalError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ce) || errors.As(err, &ie)
}

// tooLarge is the ErrTooLarge failure for a cap of limit bytes.
func tooLarge(limit int64) error {
	return fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, limit)
}
