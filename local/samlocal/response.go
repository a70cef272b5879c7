package samlocal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	jsoniter "github.com/json-iterator/go"
)

// response is what start-api sends back for one request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errMalformed marks a function reply that API Gateway would refuse
// ("Malformed Lambda proxy response").
var errMalformed = errors.New("malformed Lambda proxy response")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// Gateway-generated answers, byte for byte as API Gateway sends them.
const (
	restFailureBody  = `{"message": "Internal server error"}`
	httpFailureBody  = `{"message":"Internal Server Error"}`
	restNotFoundBody = `{"message":"Missing Authentication Token"}`
	httpNotFoundBody = `{"message":"Not Found"}`
	tooLargeBody     = `{"message":"Request Entity Too Large"}`
	restTimeoutBody  = `{"message": "Endpoint request timed out"}`
	httpTimeoutBody  = `{"message":"Service Unavailable"}`
)

// gatewayResponse is an answer API Gateway makes up itself.
func gatewayResponse(status int, body string) *response {
	h := make(http.Header, 1)
	h.Set("Content-Type", "application/json")
	return &response{status: status, header: h, body: []byte(body)}
}

// failure is the answer to a function error, a timeout or a malformed
// reply: 502 for a REST API, 500 for an HTTP API.
func failure(rest bool) *response {
	if rest {
		return gatewayResponse(http.StatusBadGateway, restFailureBody)
	}
	return gatewayResponse(http.StatusInternalServerError, httpFailureBody)
}

// notFound is the answer for a request no route matches: the REST API's
// 403 Missing Authentication Token, or the HTTP API's 404.
func notFound(rest bool) *response {
	if rest {
		return gatewayResponse(http.StatusForbidden, restNotFoundBody)
	}
	return gatewayResponse(http.StatusNotFound, httpNotFoundBody)
}

// integrationTimeout is the answer when the function has not answered in
// time: REST 504, HTTP API 503.
func integrationTimeout(rest bool) *response {
	if rest {
		return gatewayResponse(http.StatusGatewayTimeout, restTimeoutBody)
	}
	return gatewayResponse(http.StatusServiceUnavailable, httpTimeoutBody)
}

// FunctionError reports whether an emulator answer (status and body) is a
// function error rather than a function result: a status other than 200
// (the runtime crashed), a body that is not JSON (the emulator's "Task
// timed out after …" text), or a JSON object carrying errorType or
// errorMessage and no statusCode (a handler error; the emulator sets no
// X-Amz-Function-Error header).
func FunctionError(status int, body []byte) bool {
	_, ok := result(status, body)
	return !ok
}

// result parses an emulator answer; ok is false for a function error.
func result(status int, body []byte) (rep *reply, ok bool) {
	if status != http.StatusOK || !json.Valid(body) {
		return nil, false
	}
	rep = parseReply(body)
	return rep, !(rep.errorKeys && !rep.hasStatus)
}

// reply is a function result as API Gateway reads it. Type errors in the
// known keys are recorded in bad, not returned, because whether they
// matter depends on the API (a payload 2.0 object without statusCode is a
// body, whatever it holds).
type reply struct {
	object    bool   // the result is a JSON object
	raw       []byte // the result, surrounding space trimmed
	hasStatus bool
	status    string // statusCode as written (a JSON number)
	headers   []multi
	mvHeaders []multi
	cookies   []string
	// hasCookies: the cookies key is present (payload 2.0 only; REST
	// refuses it).
	hasCookies bool
	body       string
	isBase64   bool
	unknown    string // the first top-level key outside the REST set
	errorKeys  bool   // errorType or errorMessage is present
	bad        string // the first type error in a known key
}

// parseReply reads a function result that json.Valid accepted.
func parseReply(data []byte) *reply {
	rep := &reply{raw: bytes.TrimSpace(data)}
	it := jsoniter.ParseBytes(jsoniter.ConfigDefault, rep.raw)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return rep
	}
	rep.object = true
	it.ReadMapCB(func(it *jsoniter.Iterator, key string) bool {
		switch key {
		case "statusCode":
			if it.WhatIsNext() == jsoniter.NilValue {
				it.Skip()
				return true
			}
			rep.hasStatus = true
			if it.WhatIsNext() != jsoniter.NumberValue {
				rep.setBad("statusCode must be a number")
				it.Skip()
				return it.Error == nil
			}
			rep.status = string(it.ReadNumber())
		case "headers":
			rep.headers = rep.readHeaders(it, "headers", false)
		case "multiValueHeaders":
			rep.mvHeaders = rep.readHeaders(it, "multiValueHeaders", true)
		case "cookies":
			rep.hasCookies = true
			rep.cookies = rep.readStrings(it, "cookies")
		case "body":
			switch it.WhatIsNext() {
			case jsoniter.StringValue:
				rep.body = it.ReadString()
			case jsoniter.NilValue:
				it.Skip()
			default:
				rep.setBad("body must be a string")
				it.Skip()
			}
		case "isBase64Encoded":
			switch it.WhatIsNext() {
			case jsoniter.BoolValue:
				rep.isBase64 = it.ReadBool()
			case jsoniter.NilValue:
				it.Skip()
			default:
				rep.setBad("isBase64Encoded must be a boolean")
				it.Skip()
			}
		case "errorType", "errorMessage":
			rep.errorKeys = true
			if rep.unknown == "" {
				rep.unknown = key
			}
			it.Skip()
		default:
			if rep.unknown == "" {
				rep.unknown = key
			}
			it.Skip()
		}
		return it.Error == nil
	})
	if it.Error != nil {
		rep.setBad(it.Error.Error())
	}
	return rep
}

func (rep *reply) setBad(msg string) {
	if rep.bad == "" {
		rep.bad = msg
	}
}

// readHeaders reads a headers object: values are strings (numbers and
// booleans are taken as their text), or arrays of them when multiValue.
func (rep *reply) readHeaders(it *jsoniter.Iterator, field string, multiValue bool) []multi {
	switch it.WhatIsNext() {
	case jsoniter.NilValue:
		it.Skip()
		return nil
	case jsoniter.ObjectValue:
	default:
		rep.setBad(field + " must be an object")
		it.Skip()
		return nil
	}
	var out []multi
	it.ReadMapCB(func(it *jsoniter.Iterator, name string) bool {
		if !multiValue {
			if v, ok := rep.scalar(it, field); ok {
				out = append(out, multi{name, []string{v}})
			}
			return it.Error == nil
		}
		switch it.WhatIsNext() {
		case jsoniter.NilValue:
			it.Skip()
			return true
		case jsoniter.ArrayValue:
		default:
			rep.setBad(field + " values must be arrays")
			it.Skip()
			return it.Error == nil
		}
		m := multi{name: name}
		it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
			if v, ok := rep.scalar(it, field); ok {
				m.values = append(m.values, v)
			}
			return it.Error == nil
		})
		if len(m.values) > 0 {
			out = append(out, m)
		}
		return it.Error == nil
	})
	return out
}

// scalar reads a header value: a string, or a number or boolean as its
// text; null is skipped (ok false).
func (rep *reply) scalar(it *jsoniter.Iterator, field string) (string, bool) {
	switch it.WhatIsNext() {
	case jsoniter.StringValue:
		return it.ReadString(), true
	case jsoniter.NumberValue:
		return string(it.ReadNumber()), true
	case jsoniter.BoolValue:
		return strconv.FormatBool(it.ReadBool()), true
	case jsoniter.NilValue:
		it.Skip()
		return "", false
	}
	rep.setBad(field + " values must be strings")
	it.Skip()
	return "", false
}

func (rep *reply) readStrings(it *jsoniter.Iterator, field string) []string {
	switch it.WhatIsNext() {
	case jsoniter.NilValue:
		it.Skip()
		return nil
	case jsoniter.ArrayValue:
	default:
		rep.setBad(field + " must be an array of strings")
		it.Skip()
		return nil
	}
	var out []string
	it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
		if it.WhatIsNext() != jsoniter.StringValue {
			rep.setBad(field + " must be an array of strings")
			it.Skip()
			return it.Error == nil
		}
		out = append(out, it.ReadString())
		return it.Error == nil
	})
	return out
}

// statusCode returns the reply's status, 200 when absent.
func (rep *reply) statusCode() (int, error) {
	if !rep.hasStatus {
		return http.StatusOK, nil
	}
	n, err := strconv.Atoi(rep.status)
	if err != nil || n < 100 || n > 599 {
		return 0, malformed("statusCode %s is not an HTTP status", rep.status)
	}
	return n, nil
}

// convertREST turns a REST API function result into the client's response
// as API Gateway does: only statusCode, headers, multiValueHeaders, body
// and isBase64Encoded are allowed; the two header maps are merged (a
// headers value already in multiValueHeaders is not repeated); a missing
// Content-Type becomes application/json; the body is base64-decoded only
// when isBase64Encoded is set and the first media type of the request's
// Accept header matches one of the API's binary media types (binaryAccept).
func convertREST(rep *reply, accept string, binaryTypes []string) (*response, error) {
	if !rep.object {
		return nil, malformed("the result is not a JSON object")
	}
	if rep.bad != "" {
		return nil, malformed("%s", rep.bad)
	}
	if rep.unknown == "" && rep.hasCookies {
		rep.unknown = "cookies"
	}
	if rep.unknown != "" {
		return nil, malformed("unknown key %q", rep.unknown)
	}
	return convertV1Reply(rep, rep.isBase64 && binaryAccept(accept, binaryTypes))
}

// convertHTTPv1 turns a payload 1.0 result of an HTTP API route into the
// client's response: statusCode is required, unknown keys are ignored and
// isBase64Encoded is always honoured.
func convertHTTPv1(rep *reply) (*response, error) {
	if !rep.object {
		return nil, malformed("the result is not a JSON object")
	}
	if rep.bad != "" {
		return nil, malformed("%s", rep.bad)
	}
	if !rep.hasStatus {
		return nil, malformed("statusCode is missing")
	}
	return convertV1Reply(rep, rep.isBase64)
}

// convertV1Reply builds the response of a payload 1.0 result; decode says
// whether its body is base64 to decode.
func convertV1Reply(rep *reply, decode bool) (*response, error) {
	status, err := rep.statusCode()
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(rep.headers)+len(rep.mvHeaders)+1)
	for _, m := range rep.mvHeaders {
		for _, v := range m.values {
			if err := addHeader(h, m.name, v); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range rep.headers {
		v := m.values[0]
		if contains(h.Values(m.name), v) {
			continue
		}
		if err := addHeader(h, m.name, v); err != nil {
			return nil, err
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	body := []byte(rep.body)
	if decode {
		if body, err = base64.StdEncoding.DecodeString(rep.body); err != nil {
			return nil, malformed("isBase64Encoded, but the body is not base64: %v", err)
		}
	}
	return &response{status: status, header: h, body: body}, nil
}

// convertHTTPv2 turns a payload 2.0 result into the client's response as
// an HTTP API does: a result that is not an object, or an object without
// statusCode, is the body of a 200 application/json response (a JSON
// string gives its text); otherwise unknown keys are ignored, cookies
// become Set-Cookie headers, isBase64Encoded is honoured and a missing
// Content-Type becomes application/json.
func convertHTTPv2(rep *reply) (*response, error) {
	if !rep.object || !rep.hasStatus {
		body := rep.raw
		if len(body) > 0 && body[0] == '"' {
			it := jsoniter.ParseBytes(jsoniter.ConfigDefault, body)
			body = []byte(it.ReadString())
		}
		h := make(http.Header, 1)
		h.Set("Content-Type", "application/json")
		return &response{status: http.StatusOK, header: h, body: body}, nil
	}
	if rep.bad != "" {
		return nil, malformed("%s", rep.bad)
	}
	status, err := rep.statusCode()
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(rep.headers)+len(rep.cookies)+1)
	for _, m := range rep.headers {
		if err := addHeader(h, m.name, m.values[0]); err != nil {
			return nil, err
		}
	}
	for _, c := range rep.cookies {
		if err := addHeader(h, "Set-Cookie", c); err != nil {
			return nil, err
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	body := []byte(rep.body)
	if rep.isBase64 {
		if body, err = base64.StdEncoding.DecodeString(rep.body); err != nil {
			return nil, malformed("isBase64Encoded, but the body is not base64: %v", err)
		}
	}
	return &response{status: status, header: h, body: body}, nil
}

// addHeader adds a function's header after checking it; hop-by-hop and
// framing headers are dropped (the server frames the response itself).
func addHeader(h http.Header, name, value string) error {
	if !token(name) {
		return malformed("header name %q is not valid", name)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return malformed("header %s: the value holds a control character", name)
		}
	}
	switch http.CanonicalHeaderKey(name) {
	case "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Upgrade":
		return nil
	}
	h.Add(name, value)
	return nil
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// binaryAccept reports whether API Gateway returns binary media to a
// request with this Accept header: "API Gateway uses the first Accept
// header from clients to determine if a response should return binary
// media", and "honors only the first Accept media type" (AWS, "Binary
// media types for REST APIs" and "Content type conversions in API
// Gateway"). That media type, without parameters (q included), is matched
// against the binary media types; the response's Content-Type plays no
// part. "*/*" among the binary media types matches every request, one
// without an Accept header included; a type such as "image/png" is not
// matched by "Accept: */*", so curl's default gets base64 text back.
func binaryAccept(accept string, binaryTypes []string) bool {
	first := ""
	for part := range strings.SplitSeq(accept, ",") {
		rng, _, _ := strings.Cut(part, ";")
		if rng = strings.ToLower(strings.TrimSpace(rng)); rng != "" {
			first = rng
			break
		}
	}
	return binaryType(binaryTypes, first)
}
