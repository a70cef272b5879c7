package samlocal

import (
	"encoding/base64"
	"errors"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Fixed identifiers of `sam local` events (docs/lambda.md#local-runs).
const (
	accountID   = "123456789012"
	apiID       = "1234567890"
	resourceID  = "123456"
	localDomain = "localhost"
	// requestTimeLayout is API Gateway's requestTime / time format.
	requestTimeLayout = "02/Jan/2006:15:04:05 -0700"
)

// errBodyNotText is returned for a REST request whose body is neither
// valid UTF-8 nor of a binary media type: `sam local` cannot put it in an
// event and answers 502.
var errBodyNotText = errors.New("the request body is not UTF-8 text and its Content-Type is not a binary media type")

// requestInfo is what an event carries besides the HTTP request.
type requestInfo struct {
	// port is sent as X-Forwarded-Port: the port start-api listens on.
	port string
	// requestID is requestContext.requestId.
	requestID string
	// now is the request time.
	now time.Time
}

// buildEvent builds the event that API Gateway (as `sam local start-api`
// emulates it) sends to route's function for req, whose body has been read
// into body.
func buildEvent(req *http.Request, body []byte, ev *Event, routeKey string, params []Param, info requestInfo) ([]byte, error) {
	if ev.V2() {
		return buildV2(req, body, routeKey, params, info), nil
	}
	return buildV1(req, body, ev, routeKey, params, info)
}

// buildV1 builds a payload 1.0 event: REST (Api) events, and HttpApi events
// with PayloadFormatVersion "1.0". `path` keeps the request's
// percent-encoding, as API Gateway sends it; requestContext.path is the
// resource path, as `sam local` sends it. Headers and query parameters come
// as single-value maps (the last value) and multi-value maps; the body is
// base64-encoded when its Content-Type matches a binary media type.
func buildV1(req *http.Request, body []byte, ev *Event, routeKey string, params []Param, info requestInfo) ([]byte, error) {
	resource := routeKey
	if _, p, ok := strings.Cut(routeKey, " "); ok {
		resource = p
	}
	isBase64 := len(body) > 0 && ev.Type == EventREST && binaryType(ev.BinaryMediaTypes, mediaType(req.Header.Get("Content-Type")))
	if ev.Type == EventHTTP {
		isBase64 = len(body) > 0 && !textBody(req.Header.Get("Content-Type"), body)
	}
	if !isBase64 && !utf8.Valid(body) {
		return nil, errBodyNotText
	}
	headers := v1Headers(req, info.port)
	query := parseQuery(req.URL.RawQuery)

	w := jsonWriter{b: make([]byte, 0, 1024+len(body)*4/3)}
	w.open('{')
	w.strField("version", "1.0")
	w.strField("resource", resource)
	w.strField("path", req.URL.EscapedPath())
	w.strField("httpMethod", req.Method)
	w.key("headers")
	writeMulti(&w, headers, false)
	w.key("multiValueHeaders")
	writeMulti(&w, headers, true)
	w.key("queryStringParameters")
	writeMulti(&w, query, false)
	w.key("multiValueQueryStringParameters")
	writeMulti(&w, query, true)
	w.key("pathParameters")
	writeParams(&w, params)
	w.key("stageVariables")
	w.null()

	w.key("requestContext")
	w.open('{')
	w.strField("resourceId", resourceID)
	w.strField("resourcePath", resource)
	w.strField("httpMethod", req.Method)
	w.strField("extendedRequestId", info.requestID)
	w.strField("requestTime", info.now.UTC().Format(requestTimeLayout))
	w.strField("path", resource)
	w.strField("accountId", accountID)
	w.strField("protocol", req.Proto)
	w.strField("stage", ev.Stage)
	w.key("requestTimeEpoch")
	w.integer(info.now.UnixMilli())
	w.strField("requestId", info.requestID)
	w.key("identity")
	w.open('{')
	w.strField("sourceIp", sourceIP(req))
	w.strField("userAgent", req.UserAgent())
	w.close('}')
	w.strField("domainName", req.Host)
	w.strField("apiId", apiID)
	w.close('}')

	w.key("body")
	writeBody(&w, body, isBase64)
	w.key("isBase64Encoded")
	w.boolean(isBase64)
	w.close('}')
	return w.b, nil
}

// buildV2 builds a payload 2.0 event. rawPath is the decoded path without
// any stage prefix, as `sam local` sends it (API Gateway adds /<stage> for
// a named stage); header names are lower case and repeated headers are
// joined with commas; the Cookie header becomes cookies[]; domainName is
// "localhost"; a body that is not text, JSON or XML (or not UTF-8) is
// base64-encoded. Keys API Gateway leaves out when empty (cookies,
// queryStringParameters, pathParameters, body) are left out.
func buildV2(req *http.Request, body []byte, routeKey string, params []Param, info requestInfo) []byte {
	isBase64 := len(body) > 0 && !textBody(req.Header.Get("Content-Type"), body)
	var cookies []string
	for _, line := range req.Header.Values("Cookie") {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				cookies = append(cookies, c)
			}
		}
	}
	headers := v2Headers(req, info.port)
	query := parseQuery(req.URL.RawQuery)

	w := jsonWriter{b: make([]byte, 0, 1024+len(body)*4/3)}
	w.open('{')
	w.strField("version", "2.0")
	w.strField("routeKey", routeKey)
	w.strField("rawPath", req.URL.Path)
	w.strField("rawQueryString", req.URL.RawQuery)
	if len(cookies) > 0 {
		w.key("cookies")
		w.strings(cookies)
	}
	w.key("headers")
	w.open('{')
	for _, h := range headers {
		w.strField(h.name, strings.Join(h.values, ","))
	}
	w.close('}')
	if len(query) > 0 {
		w.key("queryStringParameters")
		w.open('{')
		for _, q := range query {
			w.strField(q.name, strings.Join(q.values, ","))
		}
		w.close('}')
	}
	if len(params) > 0 {
		w.key("pathParameters")
		writeParams(&w, params)
	}

	w.key("requestContext")
	w.open('{')
	w.strField("accountId", accountID)
	w.strField("apiId", apiID)
	w.strField("domainName", localDomain)
	w.strField("domainPrefix", localDomain)
	w.key("http")
	w.open('{')
	w.strField("method", req.Method)
	w.strField("path", req.URL.Path)
	w.strField("protocol", req.Proto)
	w.strField("sourceIp", sourceIP(req))
	w.strField("userAgent", req.UserAgent())
	w.close('}')
	w.strField("requestId", info.requestID)
	w.strField("routeKey", routeKey)
	w.strField("stage", DefaultHTTPStage)
	w.strField("time", info.now.UTC().Format(requestTimeLayout))
	w.key("timeEpoch")
	w.integer(info.now.UnixMilli())
	w.close('}')

	if len(body) > 0 {
		w.key("body")
		writeBody(&w, body, isBase64)
	}
	w.key("isBase64Encoded")
	w.boolean(isBase64)
	w.close('}')
	return w.b
}

// multi is one name with its values, in arrival order.
type multi struct {
	name   string
	values []string
}

// v1Headers returns the request headers as sent (Go's canonical names),
// Host included, with X-Forwarded-Proto and X-Forwarded-Port set as `sam
// local` sets them, sorted by name.
func v1Headers(req *http.Request, port string) []multi {
	out := make([]multi, 0, len(req.Header)+3)
	for name, vs := range req.Header {
		switch name {
		case "Host", "X-Forwarded-Proto", "X-Forwarded-Port":
			continue
		}
		out = append(out, multi{name, vs})
	}
	out = append(out,
		multi{"Host", []string{req.Host}},
		multi{"X-Forwarded-Proto", []string{"http"}},
		multi{"X-Forwarded-Port", []string{port}})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// v2Headers returns the request headers with lower-case names, without
// Cookie (it travels in cookies[]), sorted by name.
func v2Headers(req *http.Request, port string) []multi {
	out := make([]multi, 0, len(req.Header)+3)
	for name, vs := range req.Header {
		switch name {
		case "Cookie", "Host", "X-Forwarded-Proto", "X-Forwarded-Port":
			continue
		}
		out = append(out, multi{strings.ToLower(name), vs})
	}
	out = append(out,
		multi{"host", []string{req.Host}},
		multi{"x-forwarded-proto", []string{"http"}},
		multi{"x-forwarded-port", []string{port}})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// parseQuery splits a raw query into decoded names and values, names
// sorted, each name's values in arrival order. A malformed escape is kept
// as sent.
func parseQuery(raw string) []multi {
	if raw == "" {
		return nil
	}
	var out []multi
	index := map[string]int{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if i, ok := index[k]; ok {
			out[i].values = append(out[i].values, v)
			continue
		}
		index[k] = len(out)
		out = append(out, multi{k, []string{v}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func queryUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// writeMulti writes ms as an object of last values (multiValue false) or of
// value arrays, or null when empty.
func writeMulti(w *jsonWriter, ms []multi, multiValue bool) {
	if len(ms) == 0 {
		w.null()
		return
	}
	w.open('{')
	for _, m := range ms {
		w.key(m.name)
		if multiValue {
			w.strings(m.values)
		} else {
			w.str(m.values[len(m.values)-1])
		}
	}
	w.close('}')
}

// writeParams writes path parameters as an object, or null when none.
func writeParams(w *jsonWriter, params []Param) {
	if len(params) == 0 {
		w.null()
		return
	}
	w.open('{')
	for _, p := range params {
		w.strField(p.Name, p.Value)
	}
	w.close('}')
}

// writeBody writes the body as a string (base64 when isBase64), or null
// when empty.
func writeBody(w *jsonWriter, body []byte, isBase64 bool) {
	switch {
	case len(body) == 0:
		w.null()
	case isBase64:
		w.b = append(w.b, '"')
		w.b = base64.StdEncoding.AppendEncode(w.b, body)
		w.b = append(w.b, '"')
	default:
		w.str(string(body))
	}
}

// sourceIP is the client address without its port.
func sourceIP(req *http.Request) string {
	if host, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		return host
	}
	return req.RemoteAddr
}

// mediaType returns the lower-case media type of a Content-Type value,
// without parameters; "" when there is none.
func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// textBody reports whether an HTTP API sends body as text: a text, JSON or
// XML media type, and valid UTF-8. Everything else, form posts and bodies
// without a Content-Type included, travels base64-encoded.
func textBody(contentType string, body []byte) bool {
	mt := mediaType(contentType)
	textual := strings.HasPrefix(mt, "text/") ||
		mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) ||
		mt == "application/xml" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+xml"))
	return textual && utf8.Valid(body)
}

// binaryType reports whether media type mt matches one of the binary media
// types: exactly, as "type/*", or through "*/*" (which matches everything,
// even a missing type, as in `sam local`).
func binaryType(types []string, mt string) bool {
	for _, t := range types {
		if mediaMatch(t, mt) {
			return true
		}
	}
	return false
}

// mediaMatch matches a media range ("*/*", "image/*", "image/png") against
// a media type, case-insensitively.
func mediaMatch(pattern, mt string) bool {
	if pattern == "*/*" {
		return true
	}
	if mt == "" {
		return false
	}
	if prefix, ok := strings.CutSuffix(pattern, "/*"); ok {
		typ, _, _ := strings.Cut(mt, "/")
		return strings.EqualFold(typ, prefix)
	}
	return strings.EqualFold(pattern, mt)
}
