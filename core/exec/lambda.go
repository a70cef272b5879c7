package exec

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tributary-gw/tributary/core/backend"
	"github.com/tributary-gw/tributary/core/backend/awslambda"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/internal/httpsyntax"
)

// maxFunctionErrorText bounds the function's errorMessage kept for
// return_error_msg.
const maxFunctionErrorText = 512

// invokeLambda calls a Lambda backend (krakend-compat §17.11) and turns its
// answer into a backend response, which then goes through the normal
// response processing. u is the rendered url_pattern (its host is a
// stand-in), header the forwarded headers.
func (c *call) invokeLambda(ctx context.Context, b *plan.Backend, method string, u *url.URL, header http.Header, body []byte) (*backend.Response, error) {
	l := b.Lambda
	name := l.FunctionName
	if l.FunctionParam != "" {
		name, _ = c.lookup(l.FunctionParam) // checked by the endpoint's stage
	}
	payload, err := c.lambdaPayload(b, method, u, header, body)
	if err != nil {
		return nil, fmt.Errorf("backend %d: building the Lambda event: %w", b.Index, err)
	}
	res, err := l.Invoker.Invoke(ctx, c.g.client, &awslambda.Request{
		FunctionName: name,
		Region:       l.Region,
		Endpoint:     l.Endpoint,
		MaxRetries:   l.MaxRetries,
		Payload:      payload,
	})
	if err != nil {
		return nil, fmt.Errorf("backend %d: %w", b.Index, err)
	}
	if res.FunctionError != "" {
		return nil, fmt.Errorf("backend %d: lambda function error (%s): %s", b.Index, clipText(res.FunctionError, 64), functionErrorMessage(res.Payload))
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("backend %d: lambda invoke returned status %d", b.Index, res.StatusCode)
	}
	resp, err := lambdaResponse(res.Payload, l.Unwrap)
	if err != nil {
		return nil, fmt.Errorf("backend %d: %w", b.Index, err)
	}
	if b.MaxResponseBytes > 0 && int64(len(resp.Body)) > b.MaxResponseBytes {
		return nil, fmt.Errorf("backend %d: %w", b.Index, backend.ErrTooLarge)
	}
	return resp, nil
}

// functionErrorMessage is the errorMessage of a function error document,
// bounded.
func functionErrorMessage(payload []byte) string {
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(payload, &doc) != nil || doc.ErrorMessage == "" {
		return "(no message)"
	}
	return clipText(doc.ErrorMessage, maxFunctionErrorText)
}

func clipText(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// lambdaPayload builds the event the function receives.
func (c *call) lambdaPayload(b *plan.Backend, method string, u *url.URL, header http.Header, body []byte) ([]byte, error) {
	switch b.Lambda.Event {
	case plan.LambdaEventAPIGatewayV1:
		return json.Marshal(c.eventV1(b, method, u, header, body))
	case plan.LambdaEventAPIGatewayV2:
		return json.Marshal(c.eventV2(method, u, header, body))
	}
	if method != http.MethodGet {
		if len(body) == 0 {
			// An empty body is not JSON; the Invoke API wants a document.
			return []byte("{}"), nil
		}
		return body, nil
	}
	// GET: the path params, keys lower-cased, in a JSON object.
	params := make(map[string]string, len(c.params))
	for _, p := range c.params {
		k := strings.ToLower(p.Name)
		if _, dup := params[k]; !dup {
			params[k] = p.Value
		}
	}
	return json.Marshal(params)
}

// eventBody is the body of a proxy event: as it is when it is valid UTF-8,
// else base64 with isBase64Encoded.
func eventBody(body []byte) (*string, bool) {
	if len(body) == 0 {
		return nil, false
	}
	if utf8.Valid(body) {
		s := string(body)
		return &s, false
	}
	s := base64.StdEncoding.EncodeToString(body)
	return &s, true
}

func (c *call) pathParams() map[string]string {
	if len(c.params) == 0 {
		return nil
	}
	m := make(map[string]string, len(c.params))
	for _, p := range c.params {
		m[p.Name] = p.Value
	}
	return m
}

func (c *call) sourceIP() string {
	if c.x != nil {
		return c.x.ClientIP
	}
	return ""
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// eventV1 is a REST API (payload 1.0) proxy event.
type eventV1 struct {
	Resource          string              `json:"resource"`
	Path              string              `json:"path"`
	HTTPMethod        string              `json:"httpMethod"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Query             map[string]string   `json:"queryStringParameters"`
	MultiValueQuery   map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters    map[string]string   `json:"pathParameters"`
	StageVariables    map[string]string   `json:"stageVariables"`
	RequestContext    struct {
		RequestID    string `json:"requestId"`
		Stage        string `json:"stage"`
		HTTPMethod   string `json:"httpMethod"`
		Path         string `json:"path"`
		ResourcePath string `json:"resourcePath"`
		Identity     struct {
			SourceIP  string `json:"sourceIp"`
			UserAgent string `json:"userAgent,omitempty"`
		} `json:"identity"`
		RequestTimeEpoch int64 `json:"requestTimeEpoch"`
	} `json:"requestContext"`
	Body            *string `json:"body"`
	IsBase64Encoded bool    `json:"isBase64Encoded"`
}

func resourceOf(pattern string) string {
	p, _, _ := strings.Cut(pattern, "?")
	return p
}

func (c *call) eventV1(b *plan.Backend, method string, u *url.URL, header http.Header, body []byte) *eventV1 {
	e := &eventV1{
		Resource:       resourceOf(b.Pattern),
		Path:           u.EscapedPath(), // a REST API keeps the encoding
		HTTPMethod:     method,
		PathParameters: c.pathParams(),
	}
	if len(header) > 0 {
		e.Headers = make(map[string]string, len(header))
		e.MultiValueHeaders = make(map[string][]string, len(header))
		for k, v := range header {
			if len(v) > 0 {
				e.Headers[k] = v[len(v)-1]
				e.MultiValueHeaders[k] = v
			}
		}
	}
	if q, _ := url.ParseQuery(u.RawQuery); len(q) > 0 {
		e.Query = make(map[string]string, len(q))
		e.MultiValueQuery = q
		for k, v := range q {
			e.Query[k] = v[len(v)-1]
		}
	}
	rc := &e.RequestContext
	rc.RequestID, rc.Stage, rc.HTTPMethod, rc.Path, rc.ResourcePath = requestID(), "$default", method, e.Path, e.Resource
	rc.Identity.SourceIP = c.sourceIP()
	rc.Identity.UserAgent = header.Get("User-Agent")
	rc.RequestTimeEpoch = time.Now().UnixMilli()
	e.Body, e.IsBase64Encoded = eventBody(body)
	return e
}

// eventV2 is an HTTP API (payload 2.0) proxy event.
type eventV2 struct {
	Version        string            `json:"version"`
	RouteKey       string            `json:"routeKey"`
	RawPath        string            `json:"rawPath"`
	RawQueryString string            `json:"rawQueryString"`
	Cookies        []string          `json:"cookies,omitempty"`
	Headers        map[string]string `json:"headers"`
	Query          map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters map[string]string `json:"pathParameters,omitempty"`
	RequestContext struct {
		HTTP struct {
			Method    string `json:"method"`
			Path      string `json:"path"`
			Protocol  string `json:"protocol"`
			SourceIP  string `json:"sourceIp"`
			UserAgent string `json:"userAgent"`
		} `json:"http"`
		RequestID string `json:"requestId"`
		RouteKey  string `json:"routeKey"`
		Stage     string `json:"stage"`
		TimeEpoch int64  `json:"timeEpoch"`
	} `json:"requestContext"`
	Body            *string `json:"body,omitempty"`
	IsBase64Encoded bool    `json:"isBase64Encoded"`
}

func (c *call) eventV2(method string, u *url.URL, header http.Header, body []byte) *eventV2 {
	e := &eventV2{
		Version:        "2.0",
		RouteKey:       "$default",
		RawPath:        u.Path, // an HTTP API sends it percent-decoded
		RawQueryString: u.RawQuery,
		Headers:        make(map[string]string, len(header)),
		PathParameters: c.pathParams(),
	}
	for k, v := range header {
		if len(v) == 0 {
			continue
		}
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, line := range v {
				for _, ck := range strings.Split(line, ";") {
					if ck = strings.TrimSpace(ck); ck != "" {
						e.Cookies = append(e.Cookies, ck)
					}
				}
			}
			continue
		}
		e.Headers[lk] = strings.Join(v, ",")
	}
	if q, _ := url.ParseQuery(u.RawQuery); len(q) > 0 {
		e.Query = make(map[string]string, len(q))
		for k, v := range q {
			e.Query[k] = strings.Join(v, ",")
		}
	}
	h := &e.RequestContext.HTTP
	h.Method, h.Path, h.Protocol, h.SourceIP, h.UserAgent = method, u.Path, "HTTP/1.1", c.sourceIP(), header.Get("User-Agent")
	rc := &e.RequestContext
	rc.RequestID, rc.RouteKey, rc.Stage, rc.TimeEpoch = requestID(), "$default", "$default", time.Now().UnixMilli()
	e.Body, e.IsBase64Encoded = eventBody(body)
	return e
}

// lambdaResponse turns a function's answer into a backend response: an
// unwrapped {statusCode, headers, body} document when unwrap is on and the
// answer is one, else the whole payload as a 200 JSON body.
func lambdaResponse(payload []byte, unwrap bool) (*backend.Response, error) {
	if unwrap {
		if resp, ok, err := unwrapLambda(payload); ok || err != nil {
			return resp, err
		}
	}
	var body []byte
	if len(payload) > 0 {
		body = payload
	}
	return &backend.Response{
		Status: http.StatusOK,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	}, nil
}

// errBadWrapped fails an answer that has the wrapped shape but cannot be
// used.
var errBadWrapped = errors.New("invalid Lambda proxy response")

// unwrapLambda reads a wrapped answer. ok is false when the payload does
// not have the wrapped shape: an object with an integer statusCode, an
// optional string body, and no members but headers, multiValueHeaders,
// cookies and isBase64Encoded, each of its proper type.
func unwrapLambda(payload []byte) (*backend.Response, bool, error) {
	p := bytes.TrimSpace(payload)
	if len(p) == 0 || p[0] != '{' {
		return nil, false, nil
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(p, &doc) != nil {
		return nil, false, nil
	}
	var (
		status  int
		hasCode bool
		body    *string
		single  map[string]string
		multi   map[string][]string
		cookies []string
		b64     bool
	)
	for k, v := range doc {
		var err error
		switch k {
		case "statusCode":
			hasCode = isInteger(v)
			if hasCode {
				status, err = strconv.Atoi(string(bytes.TrimSpace(v)))
				if err != nil {
					return nil, true, fmt.Errorf("%w: statusCode %s", errBadWrapped, clipText(string(v), 16))
				}
			}
		case "body":
			err = json.Unmarshal(v, &body)
		case "headers":
			err = json.Unmarshal(v, &single)
		case "multiValueHeaders":
			err = json.Unmarshal(v, &multi)
		case "cookies":
			err = json.Unmarshal(v, &cookies)
		case "isBase64Encoded":
			err = json.Unmarshal(v, &b64)
		default:
			return nil, false, nil
		}
		if err != nil {
			return nil, false, nil
		}
	}
	if !hasCode {
		return nil, false, nil
	}
	if status < 100 || status > 599 {
		return nil, true, fmt.Errorf("%w: statusCode %d", errBadWrapped, status)
	}
	resp := &backend.Response{Status: status, Header: make(http.Header, len(single)+len(multi)+1)}
	for k, vs := range multi {
		for _, v := range vs {
			addLambdaHeader(resp.Header, k, v)
		}
	}
	for k, v := range single {
		if _, done := multi[k]; !done {
			addLambdaHeader(resp.Header, k, v)
		}
	}
	for _, ck := range cookies {
		addLambdaHeader(resp.Header, "Set-Cookie", ck)
	}
	if body != nil && *body != "" {
		if b64 {
			raw, err := base64.StdEncoding.DecodeString(*body)
			if err != nil {
				return nil, true, fmt.Errorf("%w: body is not valid base64", errBadWrapped)
			}
			resp.Body = raw
		} else {
			resp.Body = []byte(*body)
		}
	}
	return resp, true, nil
}

// isInteger reports a JSON number without fraction or exponent.
func isInteger(v json.RawMessage) bool {
	s := bytes.TrimSpace(v)
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 9 {
		return false
	}
	return !slices.ContainsFunc(s, func(c byte) bool { return c < '0' || c > '9' })
}

// addLambdaHeader adds a header of the function's answer, skipping what
// an HTTP response could not carry or what the gateway sets itself.
func addLambdaHeader(h http.Header, k, v string) {
	if !httpsyntax.IsToken(k) || !httpsyntax.IsFieldValue(v) || httpsyntax.IsHopByHop(k) {
		return
	}
	k = http.CanonicalHeaderKey(k)
	switch k {
	case "Content-Length", "Transfer-Encoding", "Connection":
		return
	}
	h[k] = append(h[k], v)
}

// runLambda is the call and response processing of a Lambda backend, as
// run does them for HTTP: a failure is a transport-like failure (a timeout
// when the budget or the backend timeout expired), and a response goes
// through the martian response modifiers and the normal processing.
func (c *call) runLambda(ctx context.Context, b *plan.Backend, sc *stage.Call, method string, u *url.URL, header http.Header, body []byte) result {
	resp, err := c.invokeLambda(ctx, b, method, u, header, body)
	if err != nil {
		if discardsBody(c.ep, b) && errors.Is(err, backend.ErrTooLarge) {
			return result{ok: true}
		}
		return result{err: err, timeout: backend.IsTimeout(err) || errors.Is(ctx.Err(), context.DeadlineExceeded)}
	}
	if sc != nil {
		if resp.Status, resp.Header, resp.Body, err = stage.ModifyResponse(b.Stages, sc, resp.Status, resp.Header, resp.Body); err != nil {
			return result{err: fmt.Errorf("backend %d: %w", b.Index, err), resp: resp}
		}
	}
	return c.process(b, resp)
}
