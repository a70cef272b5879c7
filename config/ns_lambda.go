package config

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Lambda event formats (tributary.lambda_event, §17.11).
const (
	// LambdaEventKrakenD sends the path params (GET) or the raw body, as
	// KrakenD does. The default.
	LambdaEventKrakenD = "krakend"
	// LambdaEventAPIGatewayV1 sends a REST API (payload 1.0) proxy event.
	LambdaEventAPIGatewayV1 = "apigateway-v1"
	// LambdaEventAPIGatewayV2 sends an HTTP API (payload 2.0) proxy event.
	LambdaEventAPIGatewayV2 = "apigateway-v2"
)

// MaxLambdaRetries bounds backend/lambda max_retries.
const MaxLambdaRetries = 10

// Lambda is the backend's "backend/lambda" namespace plus the Lambda
// options of its "tributary" namespace (krakend-compat §17.11, §17.16).
type Lambda struct {
	// FunctionName is function_name: a name, "name:alias", or a full or
	// partial ARN. "" when FunctionParam is set.
	FunctionName string
	// FunctionParam is the endpoint placeholder named by
	// function_param_name, resolved to its exact spelling in the endpoint
	// template (the title-cased form KrakenD uses is accepted). "" when
	// FunctionName is set.
	FunctionParam string
	// Region is region. Default "": AWS_REGION at run time.
	Region string
	// Endpoint is endpoint, the service URL override (an emulator,
	// LocalStack). Default "": AWS.
	Endpoint string
	// MaxRetries is max_retries: retries after throttling or a service
	// 5xx, within the budget. Default 0.
	MaxRetries int
	// Event is tributary.lambda_event, one of the LambdaEvent* constants.
	// Default LambdaEventKrakenD.
	Event string
	// Unwrap is tributary.lambda_unwrap: unwrap {statusCode, headers,
	// body} answers. Default true.
	Unwrap bool

	// declared reports that the backend/lambda namespace is present (the
	// tributary options alone are an error).
	declared bool
	// node is the namespace value; optNode the first tributary Lambda
	// option; paramNode the function_param_name value. path and optPath
	// locate node and optNode.
	node, optNode, paramNode *node
	path, optPath            string
}

func newLambda() *Lambda {
	return &Lambda{Event: LambdaEventKrakenD, Unwrap: true}
}

// lambdaNamePattern is the Invoke API's FunctionName syntax: a name, a
// name with a version or alias, a partial ARN, or a full ARN.
// It is compiled on first use: configs without backend/lambda never pay for
// it, at init or at load.
var lambdaNamePattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?(-iso([a-z])?)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$`)
})

// ValidLambdaFunctionName reports whether s is a function name, partial ARN
// or ARN that the Invoke API accepts (1–170 characters).
func ValidLambdaFunctionName(s string) bool {
	return len(s) >= 1 && len(s) <= 170 && lambdaNamePattern().MatchString(s)
}

// lambdaNS decodes "backend/lambda" (§17.11).
func (l *loader) lambdaNS(b *Backend, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	if b.Lambda == nil {
		b.Lambda = newLambda()
	}
	lb := b.Lambda
	lb.declared, lb.node, lb.path = true, v, path
	var nameNode *node
	for m := range v.schemaMembers() {
		mv := &m.val
		switch m.key {
		case "function_name":
			if s, ok := l.str(mv, path, m.key); ok {
				nameNode = mv
				if !ValidLambdaFunctionName(s) {
					l.errNode(mv, keyPath(path, m.key), "invalid function name "+quoteJSON(s),
						`use a name, "name:alias", or a function ARN`)
				} else {
					lb.FunctionName = s
				}
			}
		case "function_param_name":
			if s, ok := l.str(mv, path, m.key); ok {
				if s == "" {
					l.errNode(mv, keyPath(path, m.key), "empty function_param_name", "name an endpoint placeholder")
				} else {
					lb.FunctionParam, lb.paramNode = s, mv
				}
			}
		case "region":
			if s, ok := l.str(mv, path, m.key); ok {
				if s != "" && !validRegion(s) {
					l.errNode(mv, keyPath(path, m.key), "invalid region "+quoteJSON(s), `e.g. "eu-west-1"`)
				} else {
					lb.Region = s
				}
			}
		case "endpoint":
			if s, ok := l.str(mv, path, m.key); ok {
				if p := lambdaEndpointProblem(s); p != "" {
					l.errNode(mv, keyPath(path, m.key), p, `e.g. "http://127.0.0.1:9000"`)
				} else {
					lb.Endpoint = strings.TrimSuffix(s, "/")
				}
			}
		case "max_retries":
			if n, ok := l.intRange(mv, path, m.key, 0, MaxLambdaRetries); ok {
				lb.MaxRetries = int(n)
			}
		default:
			l.unknownKey(objLambda, path, m)
		}
	}
	switch {
	case nameNode != nil && lb.paramNode != nil:
		l.errNode(lb.paramNode, keyPath(path, "function_param_name"), "function_name and function_param_name cannot be combined",
			"keep one of them")
	case nameNode == nil && lb.paramNode == nil:
		l.errNode(v, path, "missing function_name or function_param_name", "name the function to invoke")
	}
}

// lambdaOption decodes tributary.lambda_event and tributary.lambda_unwrap
// (§17.16).
func (l *loader) lambdaOption(b *Backend, v *node, path, key string) {
	if b.Lambda == nil {
		b.Lambda = newLambda()
	}
	lb := b.Lambda
	if lb.optNode == nil {
		lb.optNode, lb.optPath = v, keyPath(path, key)
	}
	switch key {
	case "lambda_event":
		if s, ok := l.str(v, path, key); ok {
			switch s {
			case LambdaEventKrakenD, LambdaEventAPIGatewayV1, LambdaEventAPIGatewayV2:
				lb.Event = s
			default:
				l.errNode(v, keyPath(path, key), "unknown lambda_event "+quoteJSON(s),
					`use "krakend", "apigateway-v1" or "apigateway-v2"`)
			}
		}
	default: // lambda_unwrap
		l.setBool(&lb.Unwrap, v, path, key)
	}
}

// lambdaChecks runs the checks that need the whole backend and its
// endpoint: the tributary options without the namespace, the placeholder
// function_param_name names, and the options a Lambda backend cannot use.
func (l *loader) lambdaChecks(e *Endpoint, b *Backend, hostNode *node) {
	lb := b.Lambda
	if !lb.declared {
		l.errNode(lb.optNode, lb.optPath,
			"lambda_event and lambda_unwrap need backend/lambda", `add "backend/lambda" to this backend, or remove them`)
		b.Lambda = nil
		return
	}
	path := lb.path
	if lb.paramNode != nil {
		name, ok := lambdaParam(e.Params, lb.FunctionParam)
		if !ok {
			l.errNode(lb.paramNode, keyPath(path, "function_param_name"),
				"function_param_name "+quoteJSON(lb.FunctionParam)+" is not a placeholder of the endpoint "+quoteJSON(e.Path), "")
		}
		lb.FunctionParam = name
	}
	if b.HTTPCache != nil {
		l.errNode(lb.node, path, "qos/http-cache cannot be used with backend/lambda", "remove qos/http-cache from this backend")
	}
	if b.GraphQL != nil {
		l.errNode(lb.node, path, "backend/graphql cannot be used with backend/lambda", "keep one of them")
	}
	if hostNode != nil {
		l.warnAt(hostNode.pos, keyPath(b.JSONPath, "host"), "host is ignored on a Lambda backend",
			"remove it; set backend/lambda endpoint to reach an emulator")
	}
}

// lambdaParam resolves function_param_name against the endpoint's
// placeholders: the exact name, else the placeholder whose title-cased
// form (first letter upper-cased, as KrakenD keys params) it is.
func lambdaParam(params []string, want string) (string, bool) {
	for _, p := range params {
		if p == want {
			return p, true
		}
	}
	for _, p := range params {
		if titleParam(p) == want {
			return p, true
		}
	}
	return want, false
}

// titleParam upper-cases the first letter of a placeholder name.
func titleParam(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// validRegion reports a region name: lower-case words joined by "-", the
// last one a number (e.g. "eu-west-1", "us-gov-west-1").
func validRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(s) > 32 || len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			if i == len(parts)-1 && (c < '0' || c > '9') || i < len(parts)-1 && (c < 'a' || c > 'z') {
				return false
			}
		}
	}
	return true
}

// lambdaEndpointProblem checks an endpoint override: an absolute http(s)
// URL without credentials, query or fragment.
func lambdaEndpointProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "empty endpoint"
	case err != nil:
		return "invalid endpoint URL " + quoteJSON(s)
	case u.Scheme != "http" && u.Scheme != "https":
		return "endpoint must be an http or https URL, got " + quoteJSON(s)
	case u.Host == "":
		return "endpoint " + quoteJSON(s) + " has no host"
	case u.User != nil:
		return "endpoint must not carry credentials"
	case u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "#") || strings.Contains(s, "?"):
		return "endpoint must not carry a query or fragment"
	}
	return ""
}
