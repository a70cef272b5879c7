package stage

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
)

// ErrNotCalled is wrapped in the error an Observer sees when a later stage
// stopped the call before it was made.
var ErrNotCalled = errors.New("the backend was not called")

// Param is one matched path parameter.
type Param struct {
	// Name is the parameter name as the endpoint template spells it.
	Name string
	// Value is the percent-decoded path segment.
	Value string
}

// Exchange is one request as stages see it. The executor builds it once per
// request, only for endpoints that have stages, and passes the same value
// to every stage of the request.
type Exchange struct {
	// Method is the request method exactly as received.
	Method string
	// RawPath is the escaped request path.
	RawPath string
	// RawQuery is the raw query without "?".
	RawQuery string
	// Host is the client's Host, or "" when there is none (direct invoke).
	Host string
	// ClientIP is the resolved client address, or "" when unknown.
	ClientIP string
	// TLS reports that the client reached the gateway over HTTPS: a TLS
	// server connection, a request a trusted proxy marked as HTTPS, or any
	// Lambda invocation (API Gateway, ALB and Function URLs terminate TLS).
	TLS bool
	// Header holds the client's headers. Stages never modify it.
	Header http.Header
	// Route is the matched endpoint template; "" for Edge stages, which
	// run before routing.
	Route string
	// Params are the matched path parameters; nil for Edge stages.
	Params []Param
	// Body is the whole request body, nil when empty. Endpoint and backend
	// stages always see it; service stages see it only when it came
	// without a declared length (a declared one is read after routing,
	// once its endpoint's cap is checked).
	Body []byte

	// Respond holds headers added to the answer, whatever it is (CORS,
	// security headers); nil until a stage adds one.
	Respond http.Header
	// Forward holds headers added to every backend request of the
	// endpoint after the client's headers are filtered (propagate_claims);
	// a client cannot override them. nil until a stage adds one.
	Forward http.Header
	// Values carry named values from one stage to the later ones and to
	// url_pattern placeholders (the JWT claims of {JWT.sub}); nil until a
	// stage sets one.
	Values map[string]string
	// Claims are the verified JWT claims auth/validator accepted, nil when
	// the endpoint validates no token. Later stages (revocation, rate
	// limits by claim, CEL) and {JWT.<claim>} placeholders read them; the
	// map is never modified once set.
	Claims map[string]any
	// Log is the gateway's logger; never nil when a stage runs.
	Log *slog.Logger
}

// Param returns the value of the path parameter named name.
func (x *Exchange) Param(name string) (string, bool) {
	for _, p := range x.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// AddRespond adds a header to the answer, creating Respond if needed.
func (x *Exchange) AddRespond(name, value string) {
	if x.Respond == nil {
		x.Respond = make(http.Header, 4)
	}
	x.Respond.Add(name, value)
}

// Reply is an answer a stage gives instead of running the endpoint.
type Reply struct {
	// Status is the HTTP status.
	Status int
	// Header holds extra response headers; nil for none.
	Header http.Header
	// Body is the whole body. When nil and Code is set, the executor sends
	// the gateway's error body {"error": Code, "message": Message}.
	Body []byte
	// Code and Message make the gateway's error body when Body is nil.
	Code, Message string
}

// Endpoint is a stage of the service or endpoint pipeline (krakend-compat
// §8). Run inspects the request and may annotate x (Respond, Forward,
// Values); a non-nil *Reply ends the request with that answer. Run is
// called concurrently for different requests.
type Endpoint interface {
	Run(ctx context.Context, x *Exchange) *Reply
}

// Call is one backend call as backend stages see it.
type Call struct {
	// Exchange is the request the call serves.
	Exchange *Exchange
	// Backend is the backend's position in its endpoint (0-based).
	Backend int
	// Method and URL are what will be sent.
	Method string
	URL    *url.URL
	// Header holds the outgoing headers. It may be shared by the other
	// backends of the request: a stage that changes it calls SetHeader.
	Header http.Header
	// Body is the outgoing body; nil for none.
	Body []byte

	ownHeader bool
}

// SetHeader sets an outgoing header, copying the shared header map first.
func (c *Call) SetHeader(name, value string) {
	if !c.ownHeader {
		c.Header = c.Header.Clone()
		if c.Header == nil {
			c.Header = make(http.Header, 1)
		}
		c.ownHeader = true
	}
	c.Header.Set(name, value)
}

// Answer is a response a backend stage supplies instead of calling the
// backend (a fresh HTTP-cache entry).
type Answer struct {
	// Status, Header and Body are the response as the backend gave it.
	Status int
	Header http.Header
	Body   []byte
}

// Backend is a stage run before each call of one backend (krakend-compat
// §9, request side). Before may change c (SetHeader), answer the call
// itself (a non-nil *Answer: the backend is not called and the later
// stages do not run), or fail it (a non-nil error: the backend is failed,
// as if the call had failed, and is not called). Before is called
// concurrently for different calls.
type Backend interface {
	Before(ctx context.Context, c *Call) (*Answer, error)
}

// Observer is implemented by a Backend stage that needs each call's outcome
// (a circuit breaker counts failures, a cache stores responses). After
// runs once for every call this stage's Before let through, with the
// response status, header and body (zero when none arrived: header and body
// are valid only during After) and the call's error. A call that a later
// stage stopped is reported with an error wrapping ErrNotCalled; a call
// the client abandoned, with the context's error.
type Observer interface {
	After(c *Call, status int, header http.Header, body []byte, err error)
}
