package fasthttpadapter

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/valyala/fasthttp"
)

// serveNetHTTP answers a request off the hot path through the net/http
// adapter: the request is rebuilt as net/http would have parsed it (the
// same header map, target, host, peer address and body), the adapter
// writes into a recorder, and the recorded answer is sent. The built-in
// endpoints and the adapter's rejections are therefore the net/http
// adapter's own, byte for byte, access log line included.
func (h *Handler) serveNetHTTP(ctx *fasthttp.RequestCtx, head *parsed, target string, body *requestBody) {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		writeNetError(ctx, http.StatusBadRequest, "")
		return
	}
	hdr := head.header
	if hdr == nil {
		hdr = http.Header{}
	}
	r := &http.Request{
		Method:     method(ctx.Method()),
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     hdr,
		Host:       head.host,
		RemoteAddr: ctx.RemoteAddr().String(),
		RequestURI: target,
		Body:       http.NoBody,
	}
	if !ctx.Request.Header.IsHTTP11() {
		r.Proto, r.ProtoMinor = "HTTP/1.0", 0
	}
	if len(head.te) > 0 {
		r.TransferEncoding = []string{"chunked"}
	}
	if body != nil {
		r.Body = io.NopCloser(body)
		r.ContentLength = body.cl
	}
	// A context of its own (canceled when the adapter returns, as
	// net/http's), marked as a server's: the adapter applies its
	// header-field cap to requests a server parsed only.
	rctx, cancel := context.WithCancel(context.WithValue(context.Background(), http.ServerContextKey, h.marker))
	defer cancel()
	r = r.WithContext(rctx)
	rec := &recorder{header: http.Header{}}
	h.builtin.ServeHTTP(rec, r)
	if !rec.wrote {
		rec.WriteHeader(http.StatusOK)
	}
	resp := &ctx.Response
	resp.SetStatusCode(rec.status)
	rh := &resp.Header
	closeConn := false
	for k, vs := range rec.header {
		switch k {
		case "Content-Length", "Transfer-Encoding":
			continue
		case "Connection":
			for _, v := range vs {
				if strings.EqualFold(v, "close") {
					closeConn = true
				}
			}
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
	if ctx.IsHead() {
		// The net/http adapter declares the length of the body it does not
		// send.
		if cl := rec.header.Get("Content-Length"); cl != "" {
			rh.Set("Content-Length", cl)
		}
	} else {
		resp.SetBodyRaw(rec.body.Bytes())
	}
	if closeConn || len(head.te) > 0 {
		ctx.SetConnectionClose()
		if body != nil && !body.eof {
			lingerClose(ctx, body)
		}
	}
}

// recorder is the http.ResponseWriter the net/http adapter writes into.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

// Header implements http.ResponseWriter.
func (w *recorder) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter.
func (w *recorder) WriteHeader(status int) {
	if w.wrote {
		return
	}
	w.wrote, w.status = true, status
}

// Write implements http.ResponseWriter.
func (w *recorder) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}
