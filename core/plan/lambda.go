package plan

import (
	"context"
	"net/http"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/backend/awslambda"
	"github.com/tributary-gw/tributary/core/graphql"
	"github.com/tributary-gw/tributary/core/stage"
)

// LambdaEvent is the payload a Lambda backend sends (krakend-compat
// §17.11).
type LambdaEvent uint8

const (
	// LambdaEventKrakenD sends the path params (GET) or the raw body.
	LambdaEventKrakenD LambdaEvent = iota
	// LambdaEventAPIGatewayV1 sends a REST API (payload 1.0) proxy event.
	LambdaEventAPIGatewayV1
	// LambdaEventAPIGatewayV2 sends an HTTP API (payload 2.0) proxy event.
	LambdaEventAPIGatewayV2
)

// Invoker invokes a Lambda function, sending through the gateway's
// backend client; *awslambda.Invoker is the real one.
type Invoker interface {
	Invoke(ctx context.Context, do awslambda.Doer, r *awslambda.Request) (*awslambda.Result, error)
}

// Lambda is a backend that invokes a function instead of calling a host
// (backend/lambda).
type Lambda struct {
	// FunctionName is the function; "" when FunctionParam names it.
	FunctionName string
	// FunctionParam is the endpoint parameter that holds the function name.
	FunctionParam string
	// Region, Endpoint and MaxRetries configure the call ("" region: the
	// environment's; "" endpoint: AWS).
	Region, Endpoint string
	MaxRetries       int
	// Event selects the payload; Unwrap reads {statusCode, headers, body}
	// answers as an HTTP response.
	Event  LambdaEvent
	Unwrap bool
	// Invoker makes the call. Every Lambda backend of a plan shares one,
	// which creates nothing before its first call.
	Invoker Invoker
}

// GraphQL is a backend/graphql backend.
type GraphQL struct {
	// Op is the compiled operation.
	Op *graphql.Operation
	// Get sends the operation as query parameters (backend method GET)
	// instead of a POST body.
	Get bool
}

// lambdaHost stands in for a Lambda backend's host: its URL template still
// renders the event path and query, and the host part is never used.
var lambdaHosts = []string{"http://lambda.invalid"}

// compileBackendKind fills the Lambda or GraphQL part of a backend.
func compileBackendKind(cb *Backend, b *config.Backend) {
	if l := b.Lambda; l != nil {
		cb.Hosts = lambdaHosts
		cb.Lambda = &Lambda{
			FunctionName:  l.FunctionName,
			FunctionParam: l.FunctionParam,
			Region:        l.Region,
			Endpoint:      l.Endpoint,
			MaxRetries:    l.MaxRetries,
			Unwrap:        l.Unwrap,
		}
		switch l.Event {
		case config.LambdaEventAPIGatewayV1:
			cb.Lambda.Event = LambdaEventAPIGatewayV1
		case config.LambdaEventAPIGatewayV2:
			cb.Lambda.Event = LambdaEventAPIGatewayV2
		}
	}
	if g := b.GraphQL; g != nil {
		vars := make([]graphql.Var, len(g.Variables))
		for i, v := range g.Variables {
			vars[i] = graphql.Var{Name: v.Name, Param: v.Param, Value: v.Value}
		}
		cb.GraphQL = &GraphQL{
			Op:  graphql.Compile(g.Query, g.OperationName, g.Type == config.GraphQLMutation, vars),
			Get: b.Method == http.MethodGet,
		}
		if !cb.GraphQL.Get {
			cb.Method = http.MethodPost
		}
	}
}

// attachLambda gives a Lambda backend the plan's invoker.
func (c *compiler) attachLambda(cb *Backend) {
	if cb.Lambda != nil && cb.Lambda.Invoker == nil {
		cb.Lambda.Invoker = c.lambdaInvoker()
	}
}

// lambdaStage checks, before any backend runs, that the endpoint
// parameters naming functions (function_param_name) hold a valid function
// name: otherwise the request fails with 400 invalid_path. It is also
// what gives API Gateway events their request context (client IP,
// method): an endpoint with Lambda backends always builds an Exchange.
// nil when the endpoint has no Lambda backend; an error when this binary
// was built without the AWS SDK.
func (c *compiler) lambdaStage(e *config.Endpoint) (stage.Endpoint, error) {
	var s lambdaParams
	found := false
	for _, b := range e.Backends {
		if b.Lambda == nil {
			continue
		}
		found = true
		if b.Lambda.FunctionParam != "" {
			s.params = append(s.params, b.Lambda.FunctionParam)
		}
	}
	if !found {
		return nil, nil
	}
	if err := lambdaSupport(); err != nil {
		return nil, err
	}
	return &s, nil
}

type lambdaParams struct{ params []string }

// Run implements stage.Endpoint.
func (s *lambdaParams) Run(_ context.Context, x *stage.Exchange) *stage.Reply {
	for _, p := range s.params {
		if v, _ := x.Param(p); !config.ValidLambdaFunctionName(v) {
			return &stage.Reply{Status: http.StatusBadRequest, Code: "invalid_path", Message: "invalid function name in the path"}
		}
	}
	return nil
}
