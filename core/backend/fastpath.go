package backend

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// fastTransport is an [http.RoundTripper]: a lean HTTP/1.1 client for
// http:// backends that hands every other call to net/http's transport (std).
// It keeps pooled
// keep-alive connections, requests written by hand in one write, responses
// parsed strictly (RFC 9112) without the per-connection goroutines of
// net/http. Whatever it does not cover goes to std:
//   - https, userinfo in the URL, opaque URLs, non-ASCII hosts;
//   - every call when Options.ExpectContinueTimeout > 0.
//
// Each of these is decided by the URL or the options alone, so every call to
// a given host takes the same path and the host has one pool and one
// MaxConnsPerHost cap: at the cap, a call waits for a connection within its
// deadline (getConn).
//
// A pooled connection carries another request only when nothing arrived on
// it while it sat idle (fastConn.quiet, one non-blocking peek right before
// the request is written): a backend that writes after the end of its
// response cannot have those bytes read as the next request's response.
// This is the check net/http makes with a background read per connection
// ("Unsolicited response received on idle HTTP channel"), done here without
// the goroutine. Like net/http, it cannot see bytes that arrive after the
// next request was written: HTTP/1.1 gives a client no way to tell them from
// the answer.
//
// Differences from net/http: over MaxIdleConns the returning connection is
// closed (net/http evicts the oldest idle one); the request body is written
// before the response is read, so a backend that answers early without
// reading a large body stalls the call until its deadline.
type fastTransport struct {
	std            http.RoundTripper // net/http's transport, for what the fast path does not cover
	dialer         net.Dialer
	keepAlive      bool
	compress       bool
	rht            time.Duration // ResponseHeaderTimeout, 0 for none
	idleTimeout    time.Duration
	maxIdlePerHost int
	maxIdle        int // 0: no global cap

	readers sync.Pool // *bufio.Reader
	writers sync.Pool // *bufio.Writer
	gzips   sync.Pool // *gzip.Reader

	mu        sync.Mutex
	hosts     map[string]*hostConns
	idleTotal int
	sweep     *time.Timer // closes expired idle connections
	sweeping  bool        // sweep is armed

	retired atomic.Int64 // pooled connections that failed the idle check
}

// newFastTransport returns the fast path for o in front of std, or nil
// when o asks for something only net/http does.
func newFastTransport(o Options, std http.RoundTripper) *fastTransport {
	if o.ExpectContinueTimeout > 0 {
		return nil
	}
	perHost := o.MaxIdleConnsPerHost
	if perHost <= 0 {
		perHost = DefaultMaxIdleConnsPerHost
	}
	return &fastTransport{
		std: std,
		dialer: net.Dialer{
			Timeout:       positiveOr(o.DialTimeout, DefaultDialTimeout),
			KeepAlive:     nonZeroOr(o.DialKeepAlive, DefaultDialKeepAlive),
			FallbackDelay: nonZeroOr(o.DialFallbackDelay, DefaultDialFallbackDelay),
		},
		keepAlive:      !o.DisableKeepAlives,
		compress:       !o.DisableCompression,
		rht:            max(o.ResponseHeaderTimeout, 0),
		idleTimeout:    positiveOr(o.IdleConnTimeout, DefaultIdleConnTimeout),
		maxIdlePerHost: perHost,
		maxIdle:        max(o.MaxIdleConns, 0),
		hosts:          make(map[string]*hostConns),
	}
}

// RoundTrip implements [http.RoundTripper]. A plain-http request whose
// body is empty or came from this package's request builder takes the fast
// path; any other goes to net/http's transport.
func (t *fastTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	switch b := req.Body.(type) {
	case nil:
	case *bodyReader:
		if int64(b.Len()) != b.Size() || req.ContentLength != b.Size() {
			return t.std.RoundTrip(req) // partly read: only net/http knows what to do
		}
		body = b.bytes
	default:
		if req.Body != http.NoBody {
			return t.std.RoundTrip(req)
		}
	}
	if req.URL == nil || req.URL.Scheme != "http" || req.Close || len(req.TransferEncoding) > 0 || len(req.Trailer) > 0 {
		return t.std.RoundTrip(req)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	resp, ok, err := t.send(req.Context(), method, req.URL, req.Header, body)
	if !ok {
		return t.std.RoundTrip(req)
	}
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}

// send sends one request. ok is false when the fast path does not apply
// and the caller must use std; nothing was sent then.
func (t *fastTransport) send(ctx context.Context, method string, u *url.URL, h http.Header, body []byte) (*http.Response, bool, error) {
	var buf [maxSortedKeys]string
	var o outRequest
	keys, ok, err := t.prepare(&o, method, u, h, body, buf[:0])
	if !ok || err != nil {
		return nil, ok, err
	}
	for attempt := 0; ; attempt++ {
		c, reused, err := t.getConn(ctx, u.Host, u, attempt > 0)
		if err != nil {
			return nil, true, err
		}
		resp, retry, err := c.roundTrip(ctx, &o, keys)
		if err == nil {
			return resp, true, nil
		}
		if err == errStale {
			// Bytes or an EOF arrived while it sat idle: nothing was sent
			// on it, so any method may take the next connection.
			attempt--
			continue
		}
		// A reused connection the server had closed: nothing of a response
		// arrived, so an idempotent request without side effects may go
		// once more on a fresh connection (security.md §2 rule 16).
		if retry && reused && attempt == 0 && replayable(method) && ctx.Err() == nil {
			continue
		}
		return nil, true, err
	}
}

// roundTrip writes o on c and reads the response head. retry reports a
// failure before any response byte arrived on a dead connection.
func (c *fastConn) roundTrip(ctx context.Context, o *outRequest, keys []string) (*http.Response, bool, error) {
	t := c.t
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		_ = c.nc.SetDeadline(deadline)
		c.hasDeadline = true
	}
	if ctx.Done() != nil {
		c.stop = context.AfterFunc(ctx, c.abortFn)
	}
	bw, _ := t.writers.Get().(*bufio.Writer)
	if bw == nil {
		bw = bufio.NewWriterSize(c.nc, 4<<10)
	} else {
		bw.Reset(c.nc)
	}
	// The idle check runs as late as it can, right before the first byte
	// of the request is written: a response to this request cannot have
	// started yet, so whatever is there was sent unasked.
	if c.reused && !c.quiet() {
		bw.Reset(nil)
		t.writers.Put(bw)
		t.retired.Add(1)
		c.fail()
		return nil, false, errStale
	}
	err := o.write(bw, keys)
	if err == nil {
		err = bw.Flush()
	}
	bw.Reset(nil)
	t.writers.Put(bw)
	if err != nil {
		c.fail()
		return nil, c.reused && connGone(err), deadlineErr(err, deadline, hasDeadline)
	}
	c.br, _ = t.readers.Get().(*bufio.Reader)
	if c.br == nil {
		c.br = bufio.NewReaderSize(c.nc, 4<<10)
	} else {
		c.br.Reset(c.nc)
	}
	if t.rht > 0 {
		if d := time.Now().Add(t.rht); !hasDeadline || d.Before(deadline) {
			_ = c.nc.SetReadDeadline(d)
		}
	}
	if _, err := c.br.Peek(1); err != nil {
		c.fail()
		return nil, c.reused && connGone(err), deadlineErr(err, deadline, hasDeadline)
	}
	fr := &fastResponse{}
	p, err := readResponse(c.br, o.method, &c.head, &fr.resp)
	if err != nil {
		c.fail()
		return nil, false, deadlineErr(err, deadline, hasDeadline)
	}
	if t.rht > 0 {
		_ = c.nc.SetReadDeadline(deadline) // zero when ctx has none
	}
	resp := p.resp
	keep := p.keepAlive && !o.close
	if p.frame == frameNone || p.frame == frameLength && p.length == 0 {
		resp.Body = http.NoBody
		c.done(keep)
		return resp, false, nil
	}
	fr.body = fastBody{br: c.br, frame: p.frame, remain: p.length, keepAlive: keep, conn: c,
		deadline: deadline, hasDeadline: hasDeadline}
	resp.Body = &fr.body
	if o.gzip && strings.EqualFold(first(resp.Header, "Content-Encoding"), "gzip") {
		resp.Body = &lazyGzip{body: resp.Body, pool: &t.gzips}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	return resp, false, nil
}

// errStale reports a pooled connection that failed the idle check before
// anything was written on it.
var errStale = errors.New("pooled connection received data while idle")

// fastResponse puts a response and its body reader in one allocation.
type fastResponse struct {
	resp http.Response
	body fastBody
}

// fail ends the call in flight on an error: the connection is closed.
func (c *fastConn) fail() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	if c.br != nil {
		c.br.Reset(nil)
		c.t.readers.Put(c.br)
		c.br = nil
	}
	c.t.closeConn(c)
}

// deadlineErr makes a connection timeout that fired at the context's
// deadline say so, as net/http does: the conn deadline can fire a moment
// before the context records its own end. The socket-level detail (local
// port, "i/o timeout" or "use of closed network connection", depending on
// which side noticed first) is dropped: it varies from run to run and would
// make error messages (return_error_msg) differ between identical requests.
func deadlineErr(err error, deadline time.Time, has bool) error {
	if has && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	return err
}

// connGone reports whether err means the peer had closed the connection.
func connGone(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
