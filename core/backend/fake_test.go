package backend

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// roundTripFunc is a fake transport for error paths sockets cannot reach.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// trackedBody records whether it was closed.
type trackedBody struct {
	io.Reader
	closed *atomic.Int32
}

func (b trackedBody) Close() error {
	b.closed.Add(1)
	return nil
}

// fakeResponse builds a response the way the transport would hand it over.
func fakeResponse(status int, h http.Header, body io.Reader, length int64) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	rc, ok := body.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(body)
	}
	return &http.Response{StatusCode: status, Header: h, Body: rc, ContentLength: length}
}

// fakeClient returns a Client over rt.
func fakeClient(rt http.RoundTripper) *Client {
	return &Client{rt: rt, noHeader: http.Header{}}
}

func TestDoClosesEveryBody(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		header  http.Header
		body    string
		length  int64
		req     Request
		wantErr error
	}{
		{"ok", 200, nil, "hello", 5, Request{}, nil},
		{"ok unknown length", 200, nil, "hello", -1, Request{}, nil},
		{"too large declared", 200, nil, "hello", 5, Request{MaxBodyBytes: 4}, ErrTooLarge},
		{"too large streamed", 200, nil, "hello", -1, Request{MaxBodyBytes: 4}, ErrTooLarge},
		{"bad gzip", 200, http.Header{"Content-Encoding": {"gzip"}}, "plain", -1, Request{}, ErrBadGzip},
		{"unsupported", 200, http.Header{"Content-Encoding": {"br"}}, "x", 1, Request{}, ErrUnsupportedEncoding},
		{"redirect refused", 302, http.Header{"Location": {"http://169.254.169.254/"}}, "moved", 5, Request{FollowRedirects: true}, ErrRedirectNotAllowed},
		{"redirect loop", 302, http.Header{"Location": {"/again"}}, "moved", 5, Request{FollowRedirects: true, MaxRedirects: 2}, ErrTooManyRedirects},
		{"redirect not followed", 302, http.Header{"Location": {"/x"}}, "moved", 5, Request{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opened, closed atomic.Int32
			rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
				opened.Add(1)
				body := trackedBody{Reader: strings.NewReader(tc.body), closed: &closed}
				return fakeResponse(tc.status, tc.header.Clone(), body, tc.length), nil
			})
			r := tc.req
			r.URL = mustURL(t, "http://backend.test/start")
			_, err := fakeClient(rt).Do(testCtx(t), &r)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("error = %v, want %v", err, tc.wantErr)
			}
			if opened.Load() == 0 || opened.Load() != closed.Load() {
				t.Errorf("%d bodies opened, %d closed", opened.Load(), closed.Load())
			}
		})
	}
}

func TestDoRequestShape(t *testing.T) {
	tests := []struct {
		method      string
		body        []byte
		wantGetBody bool
	}{
		{"GET", []byte("q"), true},
		{"HEAD", []byte("q"), true},
		{"OPTIONS", []byte("q"), true},
		{"POST", []byte("q"), false},
		{"PUT", []byte("q"), false},
		{"DELETE", []byte("q"), false},
		{"POST", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			h := http.Header{"X-A": {"1"}}
			ctx := testCtx(t)
			var seen *http.Request
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				seen = r
				return fakeResponse(200, nil, http.NoBody, 0), nil
			})
			if _, err := fakeClient(rt).Do(ctx, &Request{Method: tc.method, URL: mustURL(t, "http://backend.test/"), Header: h, Body: tc.body}); err != nil {
				t.Fatal(err)
			}
			if seen.Context() != ctx {
				t.Error("request does not carry the caller's context")
			}
			if seen.ContentLength != int64(len(tc.body)) {
				t.Errorf("ContentLength = %d", seen.ContentLength)
			}
			if (seen.GetBody != nil) != tc.wantGetBody {
				t.Errorf("GetBody set = %v, want %v (only GET, HEAD and OPTIONS may be replayed)", seen.GetBody != nil, tc.wantGetBody)
			}
			if seen.GetBody != nil {
				rc, _ := seen.GetBody()
				b, _ := io.ReadAll(rc)
				if !bytes.Equal(b, tc.body) {
					t.Errorf("GetBody replays %q", b)
				}
			}
			if len(seen.Header) != 1 || seen.Header.Get("X-A") != "1" {
				t.Errorf("header sent = %v", seen.Header)
			}
		})
	}
}

// errAfter returns data, then err.
type errAfter struct {
	data []byte
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) > 0 {
		n := copy(p, e.data)
		e.data = e.data[n:]
		return n, nil
	}
	return 0, e.err
}

func TestDoBodyReadErrors(t *testing.T) {
	closedConn := &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed}
	tests := []struct {
		name        string
		err         error
		expire      bool // the context ends while the body is read
		length      int64
		wantTimeout bool
	}{
		{"connection reset, unknown length", closedConn, false, -1, false},
		{"connection reset, declared length", closedConn, false, 100, false},
		{"closed after the deadline", closedConn, true, -1, true},
		{"closed after the deadline, declared length", closedConn, true, 100, true},
		{"no progress", nil, false, -1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			if tc.expire {
				var c2 context.CancelFunc
				ctx, c2 = context.WithDeadline(ctx, time.Now().Add(-time.Second))
				defer c2()
			}
			rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
				return fakeResponse(200, nil, &errAfter{data: []byte("partial"), err: tc.err}, tc.length), nil
			})
			resp, err := fakeClient(rt).Do(ctx, &Request{URL: mustURL(t, "http://backend.test/")})
			if err == nil || resp != nil {
				t.Fatalf("got %v, %v; want an error", resp, err)
			}
			if IsTimeout(err) != tc.wantTimeout {
				t.Errorf("IsTimeout(%v) = %v, want %v", err, IsTimeout(err), tc.wantTimeout)
			}
			if tc.err == nil && !errors.Is(err, io.ErrNoProgress) {
				t.Errorf("error = %v, want io.ErrNoProgress", err)
			}
		})
	}
}

func TestDoTransportError(t *testing.T) {
	boom := errors.New("boom")
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom })
	_, err := fakeClient(rt).Do(testCtx(t), &Request{Method: "PUT", URL: mustURL(t, "http://backend.test/p")})
	if !errors.Is(err, boom) || err.Error() != "PUT http://backend.test/p: boom" {
		t.Errorf("error = %v", err)
	}
}

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestIsTimeout(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.DeadlineExceeded, true},
		{newCallError("GET", nil, context.DeadlineExceeded), true},
		{&net.OpError{Op: "dial", Err: timeoutErr{}}, true},
		{newCallError("GET", nil, &net.OpError{Op: "dial", Err: timeoutErr{}}), true},
		{context.Canceled, false},
		{newCallError("GET", nil, context.Canceled), false},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{ErrTooLarge, false},
		{ErrBadGzip, false},
		{errors.New("other"), false},
	}
	for _, tc := range tests {
		if got := IsTimeout(tc.err); got != tc.want {
			t.Errorf("IsTimeout(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
