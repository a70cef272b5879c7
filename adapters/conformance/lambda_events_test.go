package conformance

// Event builders and reply decoders for the Lambda suites. They follow what
// AWS sends and expects (lambda.md §2.2, §3 R6, P1-P11), written
// independently of lambdaadapter so that one misunderstanding cannot hide
// in both (lambda.md §8 item 7).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// lamClientIP is the client address every event reports: the loopback
// address the HTTP reference's client connects from.
const lamClientIP = "127.0.0.1"

// lamTrigger is one way a Lambda function is invoked with an HTTP request.
type lamTrigger struct {
	name string
	// event builds the trigger's event for a request, or says why the
	// trigger cannot carry it (an exclusion lambda.md names).
	event func(in *lamInput) (event []byte, excluded string)
	// decode parses the function's reply into status, header fields and
	// body bytes, checking the envelope's shape on the way.
	decode func(reply []byte) (*observed, error)
	// project turns the HTTP server's answer into what this trigger's
	// reply can express (lambda.md R6).
	project func(ref *observed) *observed
	// forward is the request as this trigger's front end hands it on, in
	// HTTP terms (lambda.md §2.2): the HTTP server's answer to it is what
	// the function must answer.
	forward func(req *caseRequest) *caseRequest
}

// lamTriggers are every HTTP-shaped trigger (lambda.md §2.1).
var lamTriggers = []lamTrigger{
	{name: "rest-v1", event: lamRESTEvent, decode: lamDecodeREST, project: lamProjectMulti, forward: lamForwardREST},
	{name: "http-v2", event: lamV2Event, decode: lamDecodeV2, project: lamProjectV2, forward: lamForwardV2},
	{name: "alb-single", event: lamALBEvent(false), decode: lamDecodeALB(false), project: lamProjectALBSingle, forward: lamForwardALB(false)},
	{name: "alb-multi", event: lamALBEvent(true), decode: lamDecodeALB(true), project: lamProjectMulti, forward: lamForwardALB(true)},
	{name: "function-url", event: lamURLEvent, decode: lamDecodeV2, project: lamProjectV2, forward: lamForwardV2},
}

// lamInput is a case request in the parts events are built from.
type lamInput struct {
	method   string
	rawPath  string // as sent on the request line, encoding kept
	rawQuery string // verbatim, without "?"
	hasQuery bool
	host     string
	// fields are the header fields other than Host, in a fixed order:
	// names sorted, values in the case's order.
	fields [][2]string
	body   []byte
}

// lamNewInput splits a case request into event parts.
func lamNewInput(req *caseRequest) (*lamInput, error) {
	body, err := req.requestBody()
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	in := &lamInput{method: req.method(), host: lamHost, body: body}
	in.rawPath, in.rawQuery, in.hasQuery = strings.Cut(req.target(), "?")
	for _, k := range sortedNames(req.Headers) {
		for _, v := range req.Headers[k].values {
			if http.CanonicalHeaderKey(k) == "Host" {
				in.host = v
				continue
			}
			in.fields = append(in.fields, [2]string{k, v})
		}
	}
	return in, nil
}

// grouped returns the header fields by name, values in order. It
// lower-cases names when lower is set, and groups every spelling of a name
// under the first one.
func (in *lamInput) grouped(lower bool) (names []string, vals map[string][]string) {
	vals = map[string][]string{}
	canon := map[string]string{}
	for _, f := range in.fields {
		name := f[0]
		if lower {
			name = strings.ToLower(name)
		}
		key := http.CanonicalHeaderKey(name)
		if first, ok := canon[key]; ok {
			name = first
		} else {
			canon[key] = name
			names = append(names, name)
		}
		vals[name] = append(vals[name], f[1])
	}
	return names, vals
}

// userAgent is the request's User-Agent, or "".
func (in *lamInput) userAgent() string {
	for _, f := range in.fields {
		if http.CanonicalHeaderKey(f[0]) == "User-Agent" {
			return f[1]
		}
	}
	return ""
}

// contentType is the request's Content-Type, or "".
func (in *lamInput) contentType() string {
	for _, f := range in.fields {
		if http.CanonicalHeaderKey(f[0]) == "Content-Type" {
			return f[1]
		}
	}
	return ""
}

// textBody reports whether HTTP API, Function URL and ALB pass the body as
// text: a text/*, JSON or XML type and valid UTF-8 (lambda.md §2.2: expect
// base64 for everything else, form posts included).
func (in *lamInput) textBody() bool {
	if !utf8.Valid(in.body) {
		return false
	}
	mt, _, err := mime.ParseMediaType(in.contentType())
	if err != nil {
		return false
	}
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/xml" ||
		strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")
}

// lamRESTEvent builds an API Gateway REST (payload 1.0) event behind the
// generated RestApi (stage "prod", BinaryMediaTypes */*, so every body is
// base64): path with its encoding kept, names as sent, the query decoded
// into multi-value maps.
func lamRESTEvent(in *lamInput) ([]byte, string) {
	names, vals := in.grouped(false)
	single := map[string]string{"Host": in.host}
	multi := map[string][]string{"Host": {in.host}}
	for _, n := range names {
		single[n] = vals[n][len(vals[n])-1]
		multi[n] = vals[n]
	}
	var qs map[string]string
	var mvqs map[string][]string
	if in.rawQuery != "" {
		qs, mvqs = map[string]string{}, map[string][]string{}
		for _, kv := range strings.Split(in.rawQuery, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			k, v = lamUnescapeOrKeep(k), lamUnescapeOrKeep(v)
			qs[k] = v
			mvqs[k] = append(mvqs[k], v)
		}
	}
	ev := map[string]any{
		"resource":                        "/{proxy+}",
		"path":                            in.rawPath,
		"httpMethod":                      in.method,
		"headers":                         single,
		"multiValueHeaders":               multi,
		"queryStringParameters":           qs,
		"multiValueQueryStringParameters": mvqs,
		"pathParameters":                  map[string]string{"proxy": strings.TrimPrefix(in.rawPath, "/")},
		"stageVariables":                  nil,
		"requestContext": map[string]any{
			"accountId":    "123456789012",
			"apiId":        "restapi01",
			"domainName":   in.host,
			"httpMethod":   in.method,
			"identity":     map[string]any{"sourceIp": lamClientIP, "userAgent": in.userAgent()},
			"path":         "/prod" + in.rawPath,
			"protocol":     "HTTP/1.1",
			"requestId":    "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			"resourcePath": "/{proxy+}",
			"stage":        "prod",
		},
		"body":            nil,
		"isBase64Encoded": false,
	}
	if in.body != nil {
		ev["body"] = base64.StdEncoding.EncodeToString(in.body)
		ev["isBase64Encoded"] = true
	}
	return lamMarshal(ev), ""
}

// lamUnescapeOrKeep percent-decodes s as API Gateway does for REST query
// values ('+' stays '+'); an invalid escape is passed on as sent.
func lamUnescapeOrKeep(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

// lamV2Event builds an HTTP API (payload 2.0) event on the $default stage:
// rawPath percent-decoded (P3), rawQueryString verbatim, header names in
// lower case with repeats joined by "," (P1), cookies in cookies[] (P2).
// A path with an encoded "/", or one that is not UTF-8 once decoded, is
// excluded: the HTTP API decodes it before routing, so the function cannot
// see the original path (lambda.md P3, security.md §4).
func lamV2Event(in *lamInput) ([]byte, string) {
	if strings.Contains(strings.ToLower(in.rawPath), "%2f") {
		return nil, "HTTP API decodes the path before routing, so an encoded slash cannot be told from a real one (lambda.md P3): " + in.rawPath
	}
	path, err := url.PathUnescape(in.rawPath)
	if err != nil {
		return nil, "HTTP API decodes the path before routing (lambda.md P3); this one does not decode: " + in.rawPath
	}
	if !utf8.ValidString(path) {
		return nil, "HTTP API decodes the path before routing (lambda.md P3); decoded, it is not UTF-8, which a JSON event cannot carry: " + in.rawPath
	}
	ev := lamV2Common(in, path)
	rc := ev["requestContext"].(map[string]any)
	rc["domainName"] = "api01.execute-api.us-east-1.amazonaws.com"
	rc["domainPrefix"] = "api01"
	rc["apiId"] = "api01"
	rc["stage"] = "$default"
	return lamMarshal(ev), ""
}

// lamURLEvent builds a Function URL event: the v2 shape with the path's
// encoding kept and a *.lambda-url.* domain.
func lamURLEvent(in *lamInput) ([]byte, string) {
	ev := lamV2Common(in, in.rawPath)
	rc := ev["requestContext"].(map[string]any)
	rc["domainName"] = "abcdefghijklmnop.lambda-url.us-east-1.on.aws"
	rc["domainPrefix"] = "abcdefghijklmnop"
	rc["apiId"] = "abcdefghijklmnop"
	return lamMarshal(ev), ""
}

// lamV2Common is the payload 2.0 shape HTTP API and Function URL share.
func lamV2Common(in *lamInput, path string) map[string]any {
	names, vals := in.grouped(true)
	headers := map[string]string{"host": in.host}
	var cookies []string
	for _, n := range names {
		if n == "cookie" {
			for _, v := range vals[n] {
				for part := range strings.SplitSeq(v, ";") {
					if part = strings.TrimSpace(part); part != "" {
						cookies = append(cookies, part)
					}
				}
			}
			continue
		}
		headers[n] = strings.Join(vals[n], ",")
	}
	var qs map[string]string
	if in.rawQuery != "" {
		qs = map[string]string{}
		for _, kv := range strings.Split(in.rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			k, v = lamUnescapeOrKeep(k), lamUnescapeOrKeep(v)
			if old, ok := qs[k]; ok {
				v = old + "," + v
			}
			qs[k] = v
		}
	}
	ev := map[string]any{
		"version":               "2.0",
		"routeKey":              "$default",
		"rawPath":               path,
		"rawQueryString":        in.rawQuery,
		"headers":               headers,
		"queryStringParameters": qs,
		"requestContext": map[string]any{
			"accountId": "123456789012",
			"http": map[string]any{
				"method":    in.method,
				"path":      path,
				"protocol":  "HTTP/1.1",
				"sourceIp":  lamClientIP,
				"userAgent": in.userAgent(),
			},
			"requestId": "JKJaXmPLvHcESHA=",
			"routeKey":  "$default",
			"time":      "25/Nov/2025:10:00:00 +0000",
			"timeEpoch": 1764064800000,
		},
		"isBase64Encoded": false,
	}
	if cookies != nil {
		ev["cookies"] = cookies
	}
	if in.body != nil {
		if in.textBody() {
			ev["body"] = string(in.body)
		} else {
			ev["body"] = base64.StdEncoding.EncodeToString(in.body)
			ev["isBase64Encoded"] = true
		}
	}
	return ev
}

// lamALBEvent builds an ALB target-group event, in multi-value mode or not:
// path and query exactly as sent, never decoded (P7); header names in lower
// case; the host only in the header maps (P8); the ALB's own address entry
// appended to X-Forwarded-For. In single-value mode the last value of a
// repeated header or query key is the one sent.
func lamALBEvent(multi bool) func(in *lamInput) ([]byte, string) {
	return func(in *lamInput) ([]byte, string) {
		names, vals := in.grouped(true)
		hs := map[string][]string{"host": {in.host}}
		for _, n := range names {
			hs[n] = slices.Clone(vals[n])
		}
		if xff := hs["x-forwarded-for"]; len(xff) > 0 {
			xff[len(xff)-1] += ", " + lamClientIP
		} else {
			hs["x-forwarded-for"] = []string{lamClientIP}
		}
		qs := map[string][]string{}
		if in.rawQuery != "" {
			for _, kv := range strings.Split(in.rawQuery, "&") {
				k, v, _ := strings.Cut(kv, "=")
				qs[k] = append(qs[k], v)
			}
		}
		ev := map[string]any{
			"requestContext": map[string]any{"elb": map[string]any{
				"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tributary/6d0ecf831eec9f09",
			}},
			"httpMethod":      in.method,
			"path":            in.rawPath,
			"body":            "",
			"isBase64Encoded": false,
		}
		if multi {
			ev["multiValueHeaders"] = hs
			ev["multiValueQueryStringParameters"] = qs
		} else {
			single := map[string]string{}
			for k, v := range hs {
				single[k] = v[len(v)-1]
			}
			singleQ := map[string]string{}
			for k, v := range qs {
				singleQ[k] = v[len(v)-1]
			}
			ev["headers"] = single
			ev["queryStringParameters"] = singleQ
		}
		if in.body != nil {
			if in.textBody() {
				ev["body"] = string(in.body)
			} else {
				ev["body"] = base64.StdEncoding.EncodeToString(in.body)
				ev["isBase64Encoded"] = true
			}
		}
		return lamMarshal(ev), ""
	}
}

// lamMarshal encodes an event; every value in it is encodable.
func lamMarshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"lamMarshal":` + strconv.Quote(err.Error()) + `}`)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// lamReply is every key a reply may carry; decoding refuses others.
type lamReply struct {
	StatusCode        *int                `json:"statusCode"`
	StatusDescription *string             `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              *string             `json:"body"`
	IsBase64Encoded   *bool               `json:"isBase64Encoded"`
}

// lamDecodeReply decodes a reply, refusing unknown keys (REST answers 502
// for them) and keys outside allowed, and returns the body bytes.
func lamDecodeReply(reply []byte, allowed ...string) (*lamReply, []byte, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(reply, &keys); err != nil {
		return nil, nil, fmt.Errorf("the reply is not a JSON object: %w: %s", err, lamClip(reply))
	}
	for k := range keys {
		if !slices.Contains(allowed, k) {
			return nil, nil, fmt.Errorf("the reply has key %q; this trigger allows only %v", k, allowed)
		}
	}
	var r lamReply
	dec := json.NewDecoder(bytes.NewReader(reply))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, nil, fmt.Errorf("decoding the reply: %w", err)
	}
	if r.StatusCode == nil || r.Body == nil || r.IsBase64Encoded == nil {
		return nil, nil, fmt.Errorf("the reply lacks statusCode, body or isBase64Encoded: %s", lamClip(reply))
	}
	body := []byte(*r.Body)
	if *r.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(*r.Body); err != nil {
			return nil, nil, fmt.Errorf("isBase64Encoded with a body that is not base64: %w", err)
		}
	}
	return &r, body, nil
}

// lamDecodeREST decodes a REST reply (events.APIGatewayProxyResponse):
// headers in multiValueHeaders.
func lamDecodeREST(reply []byte) (*observed, error) {
	r, body, err := lamDecodeReply(reply, "statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded")
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	for k, vs := range r.Headers {
		h[k] = []string{vs}
	}
	for k, vs := range r.MultiValueHeaders {
		h[k] = vs
	}
	return &observed{status: *r.StatusCode, header: h, body: body}, nil
}

// lamDecodeV2 decodes an HTTP API or Function URL reply: headers joined,
// cookies apart (they come back as Set-Cookie).
func lamDecodeV2(reply []byte) (*observed, error) {
	r, body, err := lamDecodeReply(reply, "statusCode", "headers", "cookies", "body", "isBase64Encoded")
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	for k, v := range r.Headers {
		h[k] = []string{v}
	}
	if len(r.Cookies) > 0 {
		if _, dup := h["Set-Cookie"]; dup {
			return nil, errors.New("Set-Cookie is both in headers and in cookies[]")
		}
		h["Set-Cookie"] = r.Cookies
	}
	return &observed{status: *r.StatusCode, header: h, body: body}, nil
}

// lamDecodeALB decodes an ALB reply: statusDescription "<code> <text>",
// and exactly the header key of the request's mode (P9).
func lamDecodeALB(multi bool) func(reply []byte) (*observed, error) {
	return func(reply []byte) (*observed, error) {
		key := "headers"
		if multi {
			key = "multiValueHeaders"
		}
		r, body, err := lamDecodeReply(reply, "statusCode", "statusDescription", key, "body", "isBase64Encoded")
		if err != nil {
			return nil, err
		}
		if want := strconv.Itoa(*r.StatusCode) + " " + http.StatusText(*r.StatusCode); r.StatusDescription == nil || *r.StatusDescription != strings.TrimSpace(want) {
			return nil, fmt.Errorf("statusDescription = %v, want %q", r.StatusDescription, want)
		}
		h := http.Header{}
		if multi {
			if r.MultiValueHeaders == nil {
				return nil, errors.New("a multi-value ALB reply without multiValueHeaders")
			}
			for k, vs := range r.MultiValueHeaders {
				h[k] = vs
			}
		} else {
			if r.Headers == nil {
				return nil, errors.New("a single-value ALB reply without headers")
			}
			for k, v := range r.Headers {
				h[k] = []string{v}
			}
		}
		return &observed{status: *r.StatusCode, header: h, body: body}, nil
	}
}

// lamIgnored are the response fields the comparison leaves out: framing
// and per-connection fields the Lambda reply has no room for, which AWS
// adds itself (lambda.md §3).
var lamIgnored = []string{"Date", "Content-Length", "Connection"}

// lamBase copies the HTTP answer without the ignored fields.
func lamBase(ref *observed) http.Header {
	h := ref.header.Clone()
	lamDropIgnored(h)
	return h
}

// lamDropIgnored deletes the fields the comparison leaves out.
func lamDropIgnored(h http.Header) {
	for _, k := range lamIgnored {
		delete(h, k)
	}
}

// lamProjectMulti is the reference as REST and multi-value ALB replies
// carry it: every value of every field.
func lamProjectMulti(ref *observed) *observed {
	return &observed{status: ref.status, header: lamBase(ref), body: ref.body}
}

// lamProjectV2 is the reference as HTTP API and Function URL replies carry
// it: Set-Cookie values apart, any other repeated field joined with ", ".
func lamProjectV2(ref *observed) *observed {
	h := lamBase(ref)
	for k, vs := range h {
		if k != "Set-Cookie" && len(vs) > 1 {
			h[k] = []string{strings.Join(vs, ", ")}
		}
	}
	return &observed{status: ref.status, header: h, body: ref.body}
}

// lamProjectALBSingle is the reference as a single-value ALB reply carries
// it: repeats joined with ", ", and only the first Set-Cookie.
func lamProjectALBSingle(ref *observed) *observed {
	h := lamBase(ref)
	for k, vs := range h {
		switch {
		case k == "Set-Cookie":
			h[k] = vs[:1]
		case len(vs) > 1:
			h[k] = []string{strings.Join(vs, ", ")}
		}
	}
	return &observed{status: ref.status, header: h, body: ref.body}
}

// lamDiff lists how got differs from want: status, each header field, and
// the body bytes. gotName and wantName label the two sides.
func lamDiff(want, got *observed, gotName, wantName string) []string {
	var out []string
	if got.status != want.status {
		out = append(out, fmt.Sprintf("status: %s %d, %s %d", gotName, got.status, wantName, want.status))
	}
	for _, k := range sortedNames(lamUnion(want.header, got.header)) {
		if w, g := want.header[k], got.header[k]; !slices.Equal(w, g) {
			out = append(out, fmt.Sprintf("header %s: %s %q, %s %q", k, gotName, g, wantName, w))
		}
	}
	if !bytes.Equal(got.body, want.body) && !lamClockOnly(got.body, want.body) {
		out = append(out, fmt.Sprintf("body:\n  %-7s %s\n  %-7s %s", gotName+":", lamClip(got.body), wantName+":", lamClip(want.body)))
	}
	return out
}

// lamClockOnly reports whether a and b differ only in the time of a
// /__health document ("now":"<RFC 3339>"), taken a moment apart by the two
// transports, and by at most a few seconds.
func lamClockOnly(a, b []byte) bool {
	const key = `"now":"`
	i, j := bytes.Index(a, []byte(key)), bytes.Index(b, []byte(key))
	if i < 0 || i != j || !bytes.Equal(a[:i], b[:i]) {
		return false
	}
	ea, eb := bytes.IndexByte(a[i+len(key):], '"'), bytes.IndexByte(b[i+len(key):], '"')
	if ea < 0 || eb < 0 || !bytes.Equal(a[i+len(key)+ea:], b[i+len(key)+eb:]) {
		return false
	}
	ta, errA := time.Parse(time.RFC3339, string(a[i+len(key):i+len(key)+ea]))
	tb, errB := time.Parse(time.RFC3339, string(b[i+len(key):i+len(key)+eb]))
	return errA == nil && errB == nil && ta.Sub(tb).Abs() <= 10*time.Second
}

// lamUnion returns every field name of a and b.
func lamUnion(a, b http.Header) map[string]bool {
	u := make(map[string]bool, len(a)+len(b))
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// lamClip shortens bytes for a failure message.
func lamClip(b []byte) string {
	const n = 400
	if len(b) <= n {
		return strconv.Quote(string(b))
	}
	return strconv.Quote(string(b[:n])) + "…(" + strconv.Itoa(len(b)) + " bytes)"
}
