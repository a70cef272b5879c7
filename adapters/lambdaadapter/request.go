package lambdaadapter

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// inbound is a validated request, ready to become an *http.Request.
type inbound struct {
	method     string
	url        *url.URL
	header     http.Header
	host       string
	remoteAddr string
	body       []byte
}

// requestURI is the origin-form request target, as net/http sets it.
func (in *inbound) requestURI() string {
	p := in.url.EscapedPath()
	if in.url.RawQuery == "" {
		return p
	}
	return p + "?" + in.url.RawQuery
}

// lambdaTLS marks every Lambda request as HTTPS: API Gateway, ALB and
// Function URLs terminate TLS before invoking the function, so the
// handler sees what a TLS server would (security/http HSTS and the
// HTTPS redirect). It is shared and never modified.
var lambdaTLS = &tls.ConnectionState{HandshakeComplete: true}

// newRequest builds the server-side request for in, carrying ctx (and so
// the invoke deadline). It counts as an HTTPS request (lambdaTLS).
func newRequest(ctx context.Context, in *inbound) *http.Request {
	normalizeLength(in.header, len(in.body))
	r := &http.Request{
		Method:        in.method,
		URL:           in.url,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        in.header,
		Body:          http.NoBody,
		ContentLength: int64(len(in.body)),
		Host:          in.host,
		RemoteAddr:    in.remoteAddr,
		RequestURI:    in.requestURI(),
		TLS:           lambdaTLS,
	}
	if len(in.body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(in.body))
	}
	return r.WithContext(ctx)
}

// normalizeLength makes the framing headers describe the body as a server
// would see it: no Transfer-Encoding, and a Content-Length equal to the
// body size (absent for an empty body).
func normalizeLength(h http.Header, n int) {
	delete(h, "Transfer-Encoding")
	delete(h, "Content-Length")
	if n > 0 {
		h["Content-Length"] = []string{strconv.Itoa(n)}
	}
}

// buildV2 converts an HTTP API v2 or Function URL event (lambda.md §2.2).
// The HTTP API's rawPath is already percent-decoded (P3); a Function URL's
// keeps its encoding.
func (a *Adapter) buildV2(ev *rawEvent, t trigger) (*inbound, *httpError) {
	if ev.version != "2.0" {
		return nil, errInvalidEvent("unsupported payload format version " + strconv.Quote(truncate(ev.version, 16)) + "; want \"2.0\"")
	}
	if e := checkMethod(ev.httpCtxMethod); e != nil {
		return nil, e
	}
	p := ev.rawPath
	if p == "" || p[0] != '/' {
		return nil, errInvalidPath("the path must start with /")
	}
	p = a.trimBase(trimSegmentPrefix(p, stagePrefix(ev.stage)))
	var u *url.URL
	if t == trigV2 {
		u = &url.URL{Path: p}
	} else {
		var e *httpError
		if u, e = parseEscapedPath(p); e != nil {
			return nil, e
		}
	}
	if e := checkRawQuery(ev.rawQuery); e != nil {
		return nil, e
	}
	u.RawQuery = ev.rawQuery

	hb := newHeaderBuilder(len(ev.headers)+1, a.maxHeaderBytes)
	var cookieHeader []string
	for _, f := range ev.headers {
		if strings.EqualFold(f.k, "cookie") {
			cookieHeader = append(cookieHeader, f.v)
			continue
		}
		if !hb.add(f.k, f.v) {
			return nil, hb.err
		}
	}
	if len(cookieHeader) > 0 || len(ev.cookies) > 0 {
		if e := a.addCookies(hb, cookieHeader, ev.cookies); e != nil {
			return nil, e
		}
	}
	host, e := takeHost(hb.h, ev.domainName)
	if e != nil {
		return nil, e
	}
	body, e := decodeBody(ev.body, ev.isBase64)
	if e != nil {
		return nil, e
	}
	return &inbound{
		method:     ev.httpCtxMethod,
		url:        u,
		header:     hb.h,
		host:       host,
		remoteAddr: clientAddr(ev.httpCtxSource),
		body:       body,
	}, nil
}

// addCookies adds the one Cookie header of a v2 event (lambda.md P2): the
// pairs of headers.cookie first, then each cookies[] entry not already
// present, joined with "; ".
func (a *Adapter) addCookies(hb *headerBuilder, fromHeader, list []string) *httpError {
	total := 0
	for _, s := range fromHeader {
		total += len(s) + 2
	}
	for _, s := range list {
		total += len(s) + 2
	}
	if total > a.maxHeaderBytes {
		return errHeadersTooLarge("the request headers are larger than " + strconv.Itoa(a.maxHeaderBytes) + " bytes")
	}
	pairs := make([]string, 0, len(list)+2*len(fromHeader))
	for _, v := range fromHeader {
		for part := range strings.SplitSeq(v, ";") {
			if part = strings.TrimSpace(part); part != "" {
				pairs = append(pairs, part)
			}
		}
	}
	var seen map[string]struct{}
	if len(pairs)+len(list) > 16 {
		seen = make(map[string]struct{}, len(pairs)+len(list))
		for _, p := range pairs {
			seen[p] = struct{}{}
		}
	}
	for _, c := range list {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if seen != nil {
			if _, dup := seen[c]; dup {
				continue
			}
			seen[c] = struct{}{}
		} else if slices.Contains(pairs, c) {
			continue
		}
		pairs = append(pairs, c)
	}
	if len(pairs) == 0 {
		return nil
	}
	if !hb.add("Cookie", strings.Join(pairs, "; ")) {
		return hb.err
	}
	return nil
}

// buildALB converts an ALB event. Its query values arrive exactly as the
// client sent them and are copied verbatim (P7); the host is only in the
// header maps (P8); the client IP is the rightmost X-Forwarded-For entry,
// the one the ALB appended.
func (a *Adapter) buildALB(ev *rawEvent) (*inbound, *httpError) {
	if e := checkMethod(ev.httpMethod); e != nil {
		return nil, e
	}
	if ev.path == "" || ev.path[0] != '/' {
		return nil, errInvalidPath("the path must start with /")
	}
	u, e := parseEscapedPath(a.trimBase(ev.path))
	if e != nil {
		return nil, e
	}
	qs := ev.query
	if ev.hasMVQuery {
		qs = ev.mvQuery
	}
	u.RawQuery = sortedQuery(qs, false)
	if e := checkRawQuery(u.RawQuery); e != nil {
		return nil, e
	}
	hs := ev.headers
	if ev.hasMVHeaders {
		hs = ev.mvHeaders
	}
	hb := newHeaderBuilder(len(hs), a.maxHeaderBytes)
	for _, f := range hs {
		if !hb.add(f.k, f.v) {
			return nil, hb.err
		}
	}
	host, e := takeHost(hb.h, "")
	if e != nil {
		return nil, e
	}
	body, e := decodeBody(ev.body, ev.isBase64)
	if e != nil {
		return nil, e
	}
	return &inbound{
		method:     ev.httpMethod,
		url:        u,
		header:     hb.h,
		host:       host,
		remoteAddr: rightmostForwardedFor(hb.h),
		body:       body,
	}, nil
}

// buildREST validates a REST v1 event and computes what the api-proxy
// guard enforces. The body is validated here and decoded by api-proxy.
func (a *Adapter) buildREST(ev *rawEvent) (*inbound, *httpError) {
	if !ev.hasRC {
		return nil, errInvalidEvent("the event has no requestContext")
	}
	if e := checkMethod(ev.httpMethod); e != nil {
		return nil, e
	}
	if ev.path == "" || ev.path[0] != '/' {
		return nil, errInvalidPath("the path must start with /")
	}
	u, e := parseEscapedPath(a.trimBase(ev.path))
	if e != nil {
		return nil, e
	}
	qs := ev.mvQuery
	if len(qs) == 0 {
		qs = ev.query
	}
	u.RawQuery = sortedQuery(qs, true)
	hs := ev.headers
	if ev.hasMVHeaders {
		hs = ev.mvHeaders
	}
	hb := newHeaderBuilder(len(hs), a.maxHeaderBytes)
	for _, f := range hs {
		if !hb.add(f.k, f.v) {
			return nil, hb.err
		}
	}
	host, e := takeHost(hb.h, ev.domainName)
	if e != nil {
		return nil, e
	}
	if ev.isBase64 {
		if _, err := base64.StdEncoding.DecodeString(ev.body); err != nil {
			return nil, errInvalidBody("the body is not valid base64")
		}
	}
	return &inbound{
		method:     ev.httpMethod,
		url:        u,
		header:     hb.h,
		host:       host,
		remoteAddr: clientAddr(ev.identitySource),
	}, nil
}
