package backend

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
	"time"
)

// fastBody reads one response body off a fast-path connection, exactly as
// framed, and hands the connection back (or closes it) once the body ends.
type fastBody struct {
	br        *bufio.Reader
	frame     framing
	remain    int64 // bytes left in the body (frameLength) or current chunk
	inChunk   bool  // frameChunked: inside a chunk's data
	err       error // sticky: io.EOF once done
	keepAlive bool
	conn      *fastConn // nil when parsing without a connection (fuzzing)
	line      []byte    // scratch for chunk-size and trailer lines

	deadline    time.Time // the context's deadline, if hasDeadline
	hasDeadline bool
}

// Read implements io.Reader.
func (b *fastBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var err error
	switch b.frame {
	case frameLength:
		n, err = b.readLength(p)
	case frameChunked:
		n, err = b.readChunked(p)
	case frameEOF:
		n, err = b.br.Read(p)
		if err == io.EOF {
			b.finish(false, io.EOF)
		}
	default:
		b.finish(true, io.EOF)
		return 0, io.EOF
	}
	if err != nil && err != io.EOF && b.err == nil {
		err = deadlineErr(err, b.deadline, b.hasDeadline)
		b.finish(false, err)
	}
	return n, err
}

// readLength reads a body of declared length.
func (b *fastBody) readLength(p []byte) (int, error) {
	if b.remain == 0 {
		b.finish(true, io.EOF)
		return 0, io.EOF
	}
	if int64(len(p)) > b.remain {
		p = p[:b.remain]
	}
	n, err := b.br.Read(p)
	b.remain -= int64(n)
	if err == io.EOF {
		if b.remain > 0 {
			return n, io.ErrUnexpectedEOF
		}
		err = nil
	}
	if err != nil {
		return n, err
	}
	if b.remain == 0 {
		b.finish(true, io.EOF)
		return n, io.EOF
	}
	return n, nil
}

// readChunked reads a chunked body (RFC 9112 §7.1).
func (b *fastBody) readChunked(p []byte) (int, error) {
	if !b.inChunk {
		size, err := b.chunkSize()
		if err != nil {
			return 0, err
		}
		if size == 0 {
			if err := b.trailers(); err != nil {
				return 0, err
			}
			b.finish(true, io.EOF)
			return 0, io.EOF
		}
		b.remain, b.inChunk = size, true
	}
	if int64(len(p)) > b.remain {
		p = p[:b.remain]
	}
	n, err := b.br.Read(p)
	b.remain -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return n, err
	}
	if b.remain == 0 {
		b.inChunk = false
		var crlf [2]byte
		if _, err := io.ReadFull(b.br, crlf[:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
		if crlf != [2]byte{'\r', '\n'} {
			return n, fmt.Errorf("%w: chunk data not followed by CRLF", errMalformed)
		}
	}
	return n, nil
}

// chunkSize reads a chunk-size line: 1 to 15 hex digits, then either
// chunk extensions (";…", ignored) or optional whitespace, then CRLF.
func (b *fastBody) chunkSize() (int64, error) {
	budget := maxChunkLine
	b.line = b.line[:0]
	line, err := readLine(b.br, &b.line, &budget, errLineTooLong)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	var size int64
	i := 0
	for ; i < len(line); i++ {
		d, ok := hexDigit(line[i])
		if !ok {
			break
		}
		if i >= 15 {
			return 0, fmt.Errorf("%w: chunk size too large", errMalformed)
		}
		size = size<<4 | int64(d)
	}
	if i == 0 {
		return 0, fmt.Errorf("%w: bad chunk size", errMalformed)
	}
	if i < len(line) && line[i] != ';' {
		// Only trailing whitespace may follow the size without an
		// extension; net/http refuses whitespace before ';' too.
		for _, c := range line[i:] {
			if c != ' ' && c != '\t' {
				return 0, fmt.Errorf("%w: bad chunk size", errMalformed)
			}
		}
	} else if i < len(line) {
		for _, c := range line[i+1:] {
			if c < ' ' && c != '\t' || c == 0x7f {
				return 0, fmt.Errorf("%w: bad chunk extension", errMalformed)
			}
		}
	}
	return size, nil
}

// hexDigit returns the value of the hex digit c.
func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// trailers reads and discards the trailer section after the last chunk,
// at most maxTrailerBytes.
func (b *fastBody) trailers() error {
	budget := maxTrailerBytes
	for {
		b.line = b.line[:0]
		line, err := readLine(b.br, &b.line, &budget, errLineTooLong)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if len(line) == 0 {
			return nil
		}
		if _, _, err := parseHeaderLine(string(line)); err != nil {
			return err
		}
	}
}

// finish ends the body: clean reports framing that ended exactly, so the
// connection may be reused; err becomes the sticky result of Read.
func (b *fastBody) finish(clean bool, err error) {
	if b.err != nil {
		return
	}
	b.err = err
	if c := b.conn; c != nil {
		b.conn = nil
		c.done(clean && b.keepAlive)
	}
}

// Close implements io.Closer: a body not read to its end closes the
// connection.
func (b *fastBody) Close() error {
	if b.err == nil {
		b.finish(false, errBodyClosed)
	}
	return nil
}

// errBodyClosed is what Read returns after Close.
var errBodyClosed = fmt.Errorf("%w: read on closed body", io.ErrClosedPipe)

// lazyGzip decodes a gzip body the fast path asked for, creating (or
// reusing) the decoder on the first Read, as net/http's transport does.
type lazyGzip struct {
	body io.ReadCloser
	zr   *gzip.Reader
	pool *sync.Pool
	err  error
}

// Read implements io.Reader.
func (g *lazyGzip) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.zr == nil {
		zr, _ := g.pool.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(g.body)
		} else if err = zr.Reset(g.body); err != nil {
			g.pool.Put(zr)
		}
		if err != nil {
			g.err = err
			return 0, err
		}
		g.zr = zr
	}
	return g.zr.Read(p)
}

// Close implements io.Closer.
func (g *lazyGzip) Close() error {
	if g.zr != nil {
		g.pool.Put(g.zr)
		g.zr = nil
	}
	if g.err == nil {
		g.err = errBodyClosed
	}
	return g.body.Close()
}
