package lambdaadapter

import (
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// httpError is a gateway-generated rejection: a status and a
// krakend-compat.md §14.4 error code with a short human message.
type httpError struct {
	status int
	code   string
	msg    string
}

func errInvalidEvent(msg string) *httpError {
	return &httpError{http.StatusBadRequest, "invalid_event", msg}
}

func errBadRequest(msg string) *httpError {
	return &httpError{http.StatusBadRequest, "bad_request", msg}
}

func errInvalidPath(msg string) *httpError {
	return &httpError{http.StatusBadRequest, "invalid_path", msg}
}

func errInvalidQuery(msg string) *httpError {
	return &httpError{http.StatusBadRequest, "invalid_query", msg}
}

func errInvalidBody(msg string) *httpError {
	return &httpError{http.StatusBadRequest, "invalid_body", msg}
}

func errHeadersTooLarge(msg string) *httpError {
	return &httpError{http.StatusRequestHeaderFieldsTooLarge, "headers_too_large", msg}
}

func errInternal() *httpError {
	return &httpError{http.StatusInternalServerError, "internal_error", "internal error"}
}

func errTooLarge() *httpError {
	return &httpError{http.StatusBadGateway, "bad_gateway", "the response is larger than the 6 MB Lambda response limit"}
}

// errorResult renders e as the gateway's JSON error response
// {"error":"<code>","message":"<text>"} (krakend-compat.md §14.4), marked
// not complete like every gateway-generated rejection (§14.2).
func errorResult(e *httpError) result {
	body := make([]byte, 0, 32+len(e.code)+len(e.msg))
	body = append(body, `{"error":`...)
	body = appendJSONString(body, e.code)
	body = append(body, `,"message":`...)
	body = appendJSONString(body, e.msg)
	body = append(body, '}')
	return result{
		status: e.status,
		header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Tributary-Completed": {"false"}},
		body:   body,
	}
}

// invokeError is the function error of a direct invocation or an
// unrecognisable event (lambda.md §4.1): type "Tributary.<code>" and the
// compact JSON message {"status":N,"error":"<code>","message":"…"}.
// aws-lambda-go passes a value of this type through unchanged.
func invokeError(e *httpError) error {
	msg := make([]byte, 0, 48+len(e.code)+len(e.msg))
	msg = append(msg, `{"status":`...)
	msg = strconv.AppendInt(msg, int64(e.status), 10)
	msg = append(msg, `,"error":`...)
	msg = appendJSONString(msg, e.code)
	msg = append(msg, `,"message":`...)
	msg = appendJSONString(msg, e.msg)
	msg = append(msg, '}')
	return messages.InvokeResponse_Error{Type: "Tributary." + e.code, Message: string(msg)}
}
