package backend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Client performs backend calls over one tuned transport (never
// http.DefaultTransport or http.DefaultClient): the fast path for plain-http
// backends, falling back to a tuned [http.Transport] for everything else. It
// is safe for concurrent use; create one per gateway and share it.
type Client struct {
	rt        http.RoundTripper // the fast path, the transport, or a fake in tests
	transport *http.Transport   // nil when rt is a fake
	fast      *fastTransport    // rt when it is the fast path, else nil
	bufs      bufferPool        // read buffers for bodies of unknown length
	bodies    bodyPool          // response bodies, returned by Response.Release
	noHeader  http.Header       // sent when Request.Header is nil; never modified
}

// NewClient returns a Client whose transport is configured by o (see
// [Options] for the defaults of its zero value).
func NewClient(o Options) *Client {
	t := newTransport(o)
	c := &Client{rt: t, transport: t, noHeader: http.Header{}}
	if !o.netHTTPOnly {
		if ft := newFastTransport(o, t); ft != nil {
			c.rt, c.fast = ft, ft
		}
	}
	return c
}

// CloseIdleConnections closes every pooled connection that is not in use.
// Call it when a Lambda environment thaws after a long freeze
// (security.md §4) and when shutting down.
func (c *Client) CloseIdleConnections() {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
	if c.fast != nil {
		c.fast.closeIdle()
	}
}

// Request is one outbound call. The client never modifies it, its Header
// or its Body.
type Request struct {
	// Method is the HTTP method; "" means GET.
	Method string
	// URL is the absolute http or https URL to call.
	URL *url.URL
	// Header is sent as given: the caller has already filtered it
	// (krakend-compat.md §7.1). Host, Content-Length and Transfer-Encoding
	// entries are ignored. Unless DisableCompression or KeepEncoding
	// applies, the transport adds "Accept-Encoding: gzip" when Header has
	// no Accept-Encoding. nil means no headers.
	Header http.Header
	// Body is sent in full with an exact Content-Length; nil (or empty)
	// sends no body. It may still be read for a moment after Do returns
	// when the backend answered before reading it all, so it must not be
	// modified afterwards. Only GET, HEAD and OPTIONS bodies are replayed
	// on a dead pooled connection (security.md §2 rule 16).
	Body []byte
	// MaxBodyBytes caps the response body, counted after decompression
	// (the encoded bytes when the body is kept encoded). 0 or a negative
	// value means DefaultMaxBodyBytes (2 MiB). Over the cap Do fails with
	// ErrTooLarge.
	MaxBodyBytes int64
	// KeepEncoding passes the body through with its Content-Encoding, for a
	// no-op endpoint that forwards the client's Accept-Encoding
	// (krakend-compat.md §13). If Header carries no Accept-Encoding, the
	// transport asks for gzip itself and decodes it, so the body arrives
	// as identity bytes, which is what a client that sent none expects.
	KeepEncoding bool
	// FollowRedirects follows 301, 302, 303, 307 and 308 responses
	// (krakend-compat.md §17.16). When false (the default) a 3xx is
	// returned as a normal response.
	FollowRedirects bool
	// MaxRedirects is the number of redirects followed before Do fails
	// with ErrTooManyRedirects. 0 or a negative value means 3.
	MaxRedirects int
	// RedirectHosts lists extra redirect targets, each "scheme://host[:port]",
	// allowed besides URL's own host and AllowedHosts.
	RedirectHosts []string
	// AllowedHosts lists the backend's configured hosts, each
	// "scheme://host[:port]"; all are valid redirect targets.
	AllowedHosts []string
}

// Response is a whole backend response.
type Response struct {
	// Status is the HTTP status code, whatever its class.
	Status int
	// Header holds the response headers minus hop-by-hop headers, headers
	// named in Connection, Content-Length and Transfer-Encoding, and
	// Content-Encoding when the body was decoded.
	Header http.Header
	// Body is the whole body, decoded unless KeepEncoding kept it encoded.
	// It is nil when empty. It is valid until Release.
	Body []byte

	buf  *[]byte
	pool *bodyPool
}

// Release hands the body's memory back for reuse by later responses. Call
// it once nothing refers to Body any more (the gateway does after writing
// the client response); Body must not be used afterwards. Not calling it is
// safe: the memory is then left to the garbage collector.
func (r *Response) Release() {
	if r == nil || r.buf == nil {
		return
	}
	r.pool.put(r.buf)
	r.buf, r.Body = nil, nil
}

// Do performs the call bounded by ctx (the caller's budget). It returns a
// Response for any status: a non-2xx status is not an error here. The error
// is non-nil only when no whole response was obtained: a connection
// failure, a timeout (see IsTimeout), ErrTooLarge, ErrBadGzip,
// ErrUnsupportedEncoding, ErrRedirectNotAllowed, ErrTooManyRedirects or
// ErrInvalidRequest. Every response body is read or closed before Do
// returns, and Do starts no long-lived goroutine of its own (a cancelled
// context closes the connection of a plain-http call from a short
// context.AfterFunc).
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil request", ErrInvalidRequest)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	u := r.URL
	if err := checkRequest(ctx, u); err != nil {
		return nil, newCallError(method, u, err)
	}
	limit := r.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	header := r.Header
	if header == nil {
		header = c.noHeader
	}
	body := r.Body
	for hops := 0; ; hops++ {
		resp, err := c.roundTrip(ctx, method, u, header, body)
		if err != nil {
			return nil, newCallError(method, u, withContext(ctx, err))
		}
		if r.FollowRedirects && isRedirect(resp.StatusCode) {
			if loc := resp.Header.Get("Location"); loc != "" {
				drain(resp.Body)
				next, err := nextHop(r, u, loc, hops)
				if err != nil {
					return nil, newCallError(method, u, err)
				}
				method, body, header = redirectRequest(resp.StatusCode, method, body, header)
				header = stripCredentials(header, r.URL, next)
				u = next
				continue
			}
		}
		cd := responseCoding(resp, r.KeepEncoding)
		data, err := c.readBody(resp, cd, limit)
		if err != nil {
			return nil, newCallError(method, u, withContext(ctx, err))
		}
		h := resp.Header
		if cd == codingGzip {
			delete(h, "Content-Encoding")
		}
		cleanResponseHeader(h)
		out := &Response{Status: resp.StatusCode, Header: h, pool: &c.bodies}
		if data != nil {
			out.Body, out.buf = *data, data
		}
		return out, nil
	}
}

// checkRequest refuses what the transport cannot or must not send.
func checkRequest(ctx context.Context, u *url.URL) error {
	switch {
	case ctx == nil:
		return fmt.Errorf("%w: nil context", ErrInvalidRequest)
	case u == nil:
		return fmt.Errorf("%w: no URL", ErrInvalidRequest)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: scheme %q is not http or https", ErrInvalidRequest, u.Scheme)
	case u.Host == "":
		return fmt.Errorf("%w: no host", ErrInvalidRequest)
	}
	return nil
}

// roundTrip sends one request through the transport. A plain-http call
// goes to the fast path directly, without the http.Request that
// RoundTrip would need: one allocation less per backend call.
func (c *Client) roundTrip(ctx context.Context, method string, u *url.URL, h http.Header, body []byte) (*http.Response, error) {
	if c.fast != nil && u.Scheme == "http" {
		if resp, ok, err := c.fast.send(ctx, method, u, h, body); ok {
			return resp, err
		}
	}
	return c.transportRT().RoundTrip(newRequest(ctx, method, u, h, body))
}

// transportRT is where a call the fast path does not take goes.
func (c *Client) transportRT() http.RoundTripper {
	if c.fast != nil {
		return c.fast.std
	}
	return c.rt
}

// newRequest builds the net/http request for a call.
func newRequest(ctx context.Context, method string, u *url.URL, h http.Header, body []byte) *http.Request {
	req := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
	}
	if len(body) > 0 {
		req.Body = newBodyReader(body)
		req.ContentLength = int64(len(body))
		if replayable(method) {
			req.GetBody = func() (io.ReadCloser, error) { return newBodyReader(body), nil }
		}
	}
	return req.WithContext(ctx)
}

// replayable reports whether a request body may be sent again on a fresh
// connection after a pooled one turned out dead (security.md §2 rule 16).
func replayable(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// bodyReader is a request body over a byte slice: one allocation, and a
// Close the transport may call. The fast path sends bytes as they are.
type bodyReader struct {
	bytes.Reader
	bytes []byte
}

func newBodyReader(b []byte) *bodyReader {
	r := &bodyReader{bytes: b}
	r.Reset(b)
	return r
}

// Close implements io.Closer; there is nothing to release.
func (*bodyReader) Close() error { return nil }

// withContext makes a failure caused by the end of ctx say so, so that
// IsTimeout sees a budget that ran out while the body was being read even
// when the transport reports it as a closed connection.
func withContext(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if cerr == nil || errors.Is(err, cerr) {
		return err
	}
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnsupportedEncoding) {
		return err
	}
	// The context ended the call: that is the cause. The transport's own
	// wording (local ports, which side closed first) varies between runs
	// and would make identical requests report different errors.
	return cerr
}

// drain reads a little of an unused body so its connection can be reused,
// then closes it.
func drain(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, redirectDrainBytes)
	_ = body.Close()
}
