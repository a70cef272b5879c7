package config

import "strings"

// Tributary extension: per-request metrics as CloudWatch Embedded Metric
// Format lines on stdout ("tributary": {"lambda_metrics": {...}} at
// service scope). Off unless the object is present.

// DefaultLambdaMetricsNamespace is the CloudWatch namespace the metrics go
// to when lambda_metrics names none.
const DefaultLambdaMetricsNamespace = "Tributary"

// Dimensions lambda_metrics.dimensions accepts. Every one has a bounded
// set of values: the config's endpoint templates, the standard methods,
// five status classes.
const (
	// LambdaMetricsRoute is the endpoint template ("/users/{id}"), never
	// the request path.
	LambdaMetricsRoute = "route"
	// LambdaMetricsMethod is the request method (non-standard ones are
	// folded into "OTHER").
	LambdaMetricsMethod = "method"
	// LambdaMetricsStatusClass is the response status class ("2xx").
	LambdaMetricsStatusClass = "status_class"
)

// lambdaMetricsDimensions lists the valid dimension names, in the order
// the did-you-mean hint tries them.
var lambdaMetricsDimensions = []string{LambdaMetricsRoute, LambdaMetricsMethod, LambdaMetricsStatusClass}

// LambdaMetrics is tributary.lambda_metrics: one CloudWatch Embedded
// Metric Format line on stdout per request (per invocation in a Lambda
// function), from which CloudWatch Logs extracts the metrics.
type LambdaMetrics struct {
	// JSONPath locates the object, for diagnostics.
	JSONPath string
	// Namespace is namespace: the CloudWatch namespace of every metric.
	// 1–255 characters among letters, digits and . - _ / # : and space,
	// not starting with ":" or "AWS/". Default "Tributary".
	Namespace string
	// Dimensions is dimensions: the request metrics' dimension names
	// (route, method, status_class), in the order given, without
	// duplicates; empty publishes one series per metric for the whole
	// gateway. Default route and method.
	Dimensions []string
	// Backends is backends: also publish per-backend metrics (latency,
	// errors, timeouts, cache hits, rate-limit refusals), each with the
	// backend's url_pattern as a dimension. Default true.
	Backends bool
}

// lambdaMetrics decodes tributary.lambda_metrics (service scope).
func (l *loader) lambdaMetrics(c *Config, v *node, base, key string) {
	if !l.object(v, base, key) {
		return
	}
	path := keyPath(base, key)
	m := &LambdaMetrics{JSONPath: path, Namespace: DefaultLambdaMetricsNamespace,
		Dimensions: []string{LambdaMetricsRoute, LambdaMetricsMethod}, Backends: true}
	ok := true
	for mb := range v.schemaMembers() {
		mv := &mb.val
		switch mb.key {
		case "namespace":
			s, good := l.str(mv, path, mb.key)
			if good {
				if problem := namespaceProblem(s); problem != "" {
					l.errNode(mv, keyPath(path, mb.key), "invalid CloudWatch namespace "+quoteJSON(s)+": "+problem,
						`use 1 to 255 letters, digits, spaces or . - _ / # :, e.g. "Tributary"`)
					good = false
				} else {
					m.Namespace = s
				}
			}
			ok = ok && good
		case "dimensions":
			dims, good := l.emfDimensions(mv, path, mb.key)
			if good {
				m.Dimensions = dims
			}
			ok = ok && good
		case "backends":
			ok = l.boolInto(&m.Backends, mv, path, mb.key) && ok
		default:
			l.unknownKey(objLambdaMetrics, path, mb)
			ok = false
		}
	}
	if ok {
		c.LambdaMetrics = m
	}
}

// emfDimensions decodes lambda_metrics.dimensions: known names, each at
// most once.
func (l *loader) emfDimensions(v *node, base, key string) ([]string, bool) {
	list, ok := l.strList(v, base, key)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for i, d := range list {
		at := keyIndexPath(base, key, i)
		switch {
		case !contains(lambdaMetricsDimensions, d):
			hint := `use "route", "method" or "status_class": the only ones whose values the config bounds`
			if sug, _ := suggest(d, lambdaMetricsDimensions); sug != "" {
				hint = "did you mean " + quoteJSON(sug) + "?"
			}
			l.errAt(v.elems[i].pos, at, "unknown dimension "+quoteJSON(d), hint)
			ok = false
		case contains(out, d):
			l.errAt(v.elems[i].pos, at, "dimension "+quoteJSON(d)+" is listed twice", "")
			ok = false
		default:
			out = append(out, d)
		}
	}
	return out, ok
}

// namespaceProblem says what CloudWatch would refuse in a metric
// namespace, or "".
func namespaceProblem(s string) string {
	if s == "" || len(s) > 255 {
		return "it must be 1 to 255 characters long"
	}
	if strings.HasPrefix(s, "AWS/") {
		return `the "AWS/" prefix is reserved for AWS services`
	}
	if strings.TrimSpace(s) == "" {
		return "it is blank"
	}
	if s[0] == ':' {
		return "it must not start with a colon"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(".-_/#: ", c) >= 0:
		default:
			return "character " + quoteJSON(s[i:i+1]) + " is not allowed"
		}
	}
	return ""
}
