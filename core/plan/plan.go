// Package plan compiles a loaded [config.Config] into an immutable [Plan]:
// the route table, and per endpoint the compiled URL templates, header and
// query allow-lists, shaping rules, timeouts and output encoding. Everything
// that can be decided before the first request is decided here, once, so the
// request path only executes.
package plan

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/backend"
	"github.com/tributary-gw/tributary/core/influx"
	"github.com/tributary-gw/tributary/core/metrics"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/route"
	"github.com/tributary-gw/tributary/core/shape"
	"github.com/tributary-gw/tributary/core/stage"
	"github.com/tributary-gw/tributary/core/urltpl"
)

// Output is an endpoint's output encoding.
type Output uint8

// Output encodings (krakend-compat §13).
const (
	OutputJSON Output = iota
	OutputJSONCollection
	OutputString
	OutputNoOp
	// OutputXML renders the document as XML (package core/encoding).
	OutputXML
	// OutputYAML renders the document as YAML.
	OutputYAML
	// OutputNegotiate picks JSON, XML or YAML by the request's Accept.
	OutputNegotiate
)

// Encoding is a backend's response encoding.
type Encoding uint8

// Backend encodings (krakend-compat §10).
const (
	EncodingJSON Encoding = iota
	EncodingSafeJSON
	EncodingString
	EncodingNoOp
	// EncodingXML decodes XML into the JSON model (package core/encoding).
	EncodingXML
	// EncodingRSS decodes an RSS or Atom feed into the feed object.
	EncodingRSS
)

// Plan is the compiled, immutable form of a config. It is safe for
// concurrent use.
type Plan struct {
	// Routes is the one matcher every transport uses.
	Routes *route.Table
	// Endpoints are indexed by route id (the position in Config.Endpoints).
	Endpoints []*Endpoint
	// MaxParams is the largest number of path params of any endpoint.
	MaxParams int
	// MaxBodyBytes is the largest request body any endpoint accepts: a
	// declared Content-Length above it is refused before routing (§8 stage 2).
	MaxBodyBytes int64
	// Transport configures the one shared upstream transport.
	Transport backend.Options
	// Router is the router behaviour request time needs.
	Router Router
	// Edge is what transport adapters need: built-in endpoints, access log,
	// client IP rules.
	Edge Edge
	// Server is what a server adapter needs to listen.
	Server Server
	// Source names the config in messages (the file given to the loader).
	Source string
	// DropBackendCORS removes a passthrough backend's Access-Control-*
	// headers, because security/cors answers for the gateway.
	DropBackendCORS bool
	// Stages are the service-level stages, run in order before routing
	// (krakend-compat §8 stages 3–4; see package stage).
	Stages []stage.Endpoint
	// Metrics is "telemetry/metrics", or nil when the config has none.
	Metrics *Metrics
	// Observer watches every request (telemetry/opentelemetry, the
	// Lambda metric lines), or is nil when the config asks for none. See
	// package observe.
	Observer observe.Observer
	// Influx pushes the telemetry/metrics registry to InfluxDB
	// (telemetry/influx), or is nil. It is also a member of Observer.
	Influx *influx.Pusher
}

// Endpoint is one compiled endpoint.
type Endpoint struct {
	// Metrics is the endpoint's telemetry/metrics slot, nil when off.
	Metrics *metrics.Endpoint
	// Method and Path identify the route ("GET", "/frontpage/{id_user}").
	Method, Path string
	// Timeout is the endpoint timeout T.
	Timeout time.Duration
	// Margin is the encoding margin m = min(T/10, 200ms).
	Margin time.Duration
	// CacheControl is the precomputed Cache-Control value for complete
	// responses, or "" when cache_ttl is off.
	CacheControl string
	// Output is the output encoding.
	Output Output
	// MaxBodyBytes is the request body cap.
	MaxBodyBytes int64
	// Headers is the endpoint-level header allow-list.
	Headers HeaderFilter
	// Query is the endpoint-level query allow-list, as urltpl.Query.Filter
	// takes it.
	Query []string
	// Backends are the compiled backends in declaration order, shadows
	// excluded: only they take part in the merge and the status.
	Backends []*Backend
	// Shadows are the shadow backends (proxy.shadow,
	// §17.17) in declaration order: each request is also sent to them and
	// their answers are discarded. nil when there are none.
	Shadows []*Backend
	// ConcurrentCalls is the number of identical copies of each backend
	// call sent at once, the first success winning (§12.4);
	// 1 sends one. Shadows are always called once.
	ConcurrentCalls int
	// Stages are the endpoint's stages, run in order once the route, the
	// path params, the query and the body are validated (krakend-compat §8
	// stages 7–9; see package stage).
	Stages []stage.Endpoint
	// Finish are the stages run on the merged result before it is encoded
	// (auth/signer); nil for none (see stage.Finish).
	Finish []stage.Finish
	// Sequential runs the backends one at a time, in order, and lets later
	// ones read earlier responses (proxy.sequential, krakend-compat §12.2).
	Sequential bool
	// Flatmap is the post-merge flatmap_filter; nil for none (§11.6).
	Flatmap *shape.Flatmap
	// Static is proxy.static; nil for none (§12.3).
	Static *Static
	// DeepMerge merges the backends' data with shape.MergeDeep instead of
	// shape.Merge (tributary.merge "deep"). Default false.
	DeepMerge bool
}

// Backend is one compiled backend.
type Backend struct {
	// Index is the backend's position in its endpoint (0-based).
	Index int
	// Metrics is the backend's telemetry/metrics slot, nil when off.
	Metrics *metrics.Backend
	// Method is the upstream method.
	Method string
	// Hosts are the base URLs, picked round-robin. With
	// disable_host_sanitize an entry may carry a base path.
	Hosts []string
	// origins and urls, set only when some host carries a base path, hold
	// per host its "scheme://host[:port]" and the url_pattern compiled with
	// that host's base path in front.
	origins []string
	urls    []*urltpl.Template
	// Pattern is the url_pattern as configured.
	Pattern string
	// URL is the compiled url_pattern.
	URL *urltpl.Template
	// Encoding selects the decoder; Expect is what the json decoder
	// requires at the top of the body (is_collection).
	Encoding Encoding
	Expect   shape.Expect
	// Shape is the compiled target/allow/deny/mapping/group rules.
	Shape *shape.Spec
	// Headers is the backend-level header filter, applied to the set the
	// endpoint built; nil keeps that set.
	Headers *HeaderFilter
	// Query is the effective query allow-list: the endpoint list narrowed by
	// the backend list.
	Query []string
	// QueryShared reports that Query equals the endpoint's list, so the
	// filtered query can be computed once per request.
	QueryShared bool
	// ReturnErrorCode passes a failed single backend's status to the client.
	ReturnErrorCode bool
	// ErrorKey is "error_<alias>" when return_error_details is set, else "".
	ErrorKey string
	// MaxResponseBytes caps the decompressed body.
	MaxResponseBytes int64
	// Timeout is the backend's own timeout (krakend-compat §5, §15): each
	// call must finish by min(call start + Timeout, the backend budget B).
	// 0 means B alone bounds the call.
	Timeout time.Duration
	// FollowRedirects, MaxRedirects and RedirectHosts configure redirects.
	FollowRedirects bool
	MaxRedirects    int
	RedirectHosts   []string
	// Stages run in order before each call of this backend (krakend-compat
	// §9, request side; see package stage).
	Stages []stage.Backend
	// Shadow marks a shadow backend (it is then in Endpoint.Shadows).
	Shadow bool
	// ShadowTimeout bounds each call of a shadow backend, from its start:
	// shadow_timeout, else the endpoint timeout. 0 unless Shadow.
	ShadowTimeout time.Duration
	// Flatmap is the backend's flatmap_filter, run between target and
	// group (then Shape holds only the target, Regroup the group); nil for
	// none.
	Flatmap *shape.Flatmap
	Regroup *shape.Spec
	// Resp are the {resp<N>_<path>} placeholders of a sequential
	// endpoint's backend; nil for none.
	Resp []RespRef
	// Lambda is set when the backend invokes a function (backend/lambda);
	// its Hosts then hold a stand-in host.
	Lambda *Lambda
	// GraphQL is set for a backend/graphql backend.
	GraphQL *GraphQL

	next atomic.Uint32
}

// NextHost returns the host for the next call, round-robin.
func (b *Backend) NextHost() string {
	return b.Hosts[b.nextIndex()]
}

// NextTarget returns, for the next call (round-robin), the origin
// "scheme://host[:port]" and the compiled URL template to build with it:
// URL itself unless the host carries a base path (disable_host_sanitize),
// which is then part of the template.
func (b *Backend) NextTarget() (origin string, tpl *urltpl.Template) {
	i := b.nextIndex()
	if b.urls == nil {
		return b.Hosts[i], b.URL
	}
	return b.origins[i], b.urls[i]
}

func (b *Backend) nextIndex() int {
	if len(b.Hosts) == 1 {
		return 0
	}
	n := b.next.Add(1)
	return int(n % uint32(len(b.Hosts)))
}

// compileBasePaths fills origins and urls when some host carries a base
// path: "http://h:8080/base" with url_pattern "/a/{id}" builds from the
// template "/base/a/{id}" and the origin "http://h:8080".
func (b *Backend) compileBasePaths() error {
	var origins []string
	var urls []*urltpl.Template
	for i, h := range b.Hosts {
		scheme, rest, _ := strings.Cut(h, "://")
		authority, path, hasPath := strings.Cut(rest, "/")
		if hasPath && origins == nil {
			origins = make([]string, len(b.Hosts))
			urls = make([]*urltpl.Template, len(b.Hosts))
			for j := 0; j < i; j++ {
				origins[j], urls[j] = b.Hosts[j], b.URL
			}
		}
		if origins == nil {
			continue
		}
		if !hasPath {
			origins[i], urls[i] = h, b.URL
			continue
		}
		tpl, err := urltpl.Compile("/" + path + b.Pattern)
		if err != nil {
			return fmt.Errorf("host %q with url_pattern: %w", h, err)
		}
		origins[i], urls[i] = scheme+"://"+authority, tpl
	}
	b.origins, b.urls = origins, urls
	return nil
}

// Compile builds the plan. Problems the loader cannot see on its own (routes
// the matcher refuses: same method and same shape, §4.3) come back as
// config.Errors located at the endpoints involved.
func Compile(cfg *config.Config) (*Plan, error) {
	p := &Plan{Endpoints: make([]*Endpoint, len(cfg.Endpoints)), MaxBodyBytes: cfg.MaxRequestBodyBytes}
	var errs config.Errors
	c := &compiler{cfg: cfg}
	routes := make([]route.Route, len(cfg.Endpoints))
	for i, e := range cfg.Endpoints {
		routes[i] = route.Route{Method: e.Method, Template: e.Path}
		ep, err := c.compileEndpoint(e)
		if err != nil {
			errs = append(errs, diag(cfg, e.JSONPath, e.Pos, err.Error()))
			continue
		}
		p.Endpoints[i] = ep
		p.MaxParams = max(p.MaxParams, len(e.Params))
		p.MaxBodyBytes = max(p.MaxBodyBytes, ep.MaxBodyBytes)
	}
	table, conflicts := route.New(routes, route.Options{
		DisablePathDecoding:          cfg.Router.DisablePathDecoding,
		DisableRedirectTrailingSlash: cfg.Router.DisableRedirectTrailingSlash,
		DisableMethodNotAllowed:      cfg.Router.DisableHandleMethodNotAllowed,
		CatchAll:                     cfg.CatchAllRoutes,
	})
	for _, c := range conflicts {
		e := cfg.Endpoints[c.B]
		errs = append(errs, diag(cfg, e.JSONPath+".endpoint", e.Pos, c.Message))
	}
	tr, err := transportOptions(cfg)
	if err != nil {
		errs = append(errs, diag(cfg, "$.client_tls", config.Position{Line: 1, Col: 1}, err.Error()))
	}
	if p.Stages, err = c.serviceStages(); err != nil {
		errs = append(errs, diag(cfg, "$.extra_config", config.Position{Line: 1, Col: 1}, err.Error()))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	p.Routes = table
	p.Transport = tr
	p.Router, p.Edge, p.Server = compileEdge(cfg, cfg.MaxRequestBodyBytes)
	p.Source = cfg.Source
	p.DropBackendCORS = cfg.CORS != nil
	p.Metrics = compileMetrics(cfg, p)
	obs, err := compileObserver(cfg, p)
	if err != nil {
		return nil, config.Errors{diag(cfg, "$.extra_config", config.Position{Line: 1, Col: 1}, err.Error())}
	}
	p.Observer = obs
	return p, nil
}

// expectOf is the top-level JSON value a backend's body must hold.
func expectOf(isCollection bool) shape.Expect {
	if isCollection {
		return shape.ExpectCollection
	}
	return shape.ExpectObject
}

func diag(cfg *config.Config, path string, pos config.Position, problem string) config.Diagnostic {
	return config.Diagnostic{File: cfg.Source, Pos: pos, Path: path, Problem: problem}
}

func (c *compiler) compileEndpoint(e *config.Endpoint) (*Endpoint, error) {
	ep := &Endpoint{
		Method:       e.Method,
		Path:         e.Path,
		Timeout:      e.Timeout,
		Margin:       min(e.Timeout/10, 200*time.Millisecond),
		MaxBodyBytes: e.MaxRequestBodyBytes,
		Headers:      compileHeaderFilter(e.InputHeaders, true),
		Query:        e.InputQueryStrings,

		ConcurrentCalls: max(e.ConcurrentCalls, 1),
	}
	switch e.OutputEncoding {
	case config.OutputJSONCollection:
		ep.Output = OutputJSONCollection
	case config.OutputString:
		ep.Output = OutputString
	case config.OutputNoOp:
		ep.Output = OutputNoOp
	case config.OutputXML:
		ep.Output = OutputXML
	case config.OutputYAML:
		ep.Output = OutputYAML
	case config.OutputNegotiate:
		ep.Output = OutputNegotiate
	default:
		ep.Output = OutputJSON
	}
	if e.CacheTTL > 0 && ep.Output != OutputNoOp {
		// Whole seconds, truncated as KrakenD does ("500ms" → max-age=0).
		// A response to a validated token is the token holder's: shared
		// caches must not keep it.
		visibility := "public"
		if e.Validator != nil {
			visibility = "private"
		}
		ep.CacheControl = visibility + ", max-age=" + strconv.FormatInt(int64(e.CacheTTL/time.Second), 10)
	}
	for i, b := range e.Backends {
		cb, err := compileBackend(i, e, b)
		if err != nil {
			return nil, fmt.Errorf("backend %d: %w", i, err)
		}
		if cb.Stages, err = c.backendStages(e, b); err != nil {
			return nil, fmt.Errorf("backend %d: %w", i, err)
		}
		c.attachLambda(cb)
		if b.Shadow {
			cb.Shadow, cb.ShadowTimeout = true, b.ShadowTimeout
			if cb.ShadowTimeout <= 0 {
				cb.ShadowTimeout = e.Timeout
			}
			ep.Shadows = append(ep.Shadows, cb)
			continue
		}
		ep.Backends = append(ep.Backends, cb)
	}
	if err := compileEndpointProxy(ep, e); err != nil {
		return nil, err
	}
	var err error
	if ep.Stages, err = c.endpointStages(e); err != nil {
		return nil, err
	}
	if ep.Finish, err = c.finishStages(e, ep); err != nil {
		return nil, err
	}
	return ep, nil
}

func compileBackend(i int, e *config.Endpoint, b *config.Backend) (*Backend, error) {
	tpl, err := urltpl.Compile(b.URLPattern)
	if err != nil {
		return nil, fmt.Errorf("url_pattern: %w", err)
	}
	spec, err := shape.Compile(shape.SpecConfig{
		Target:       b.Target,
		TargetArrays: b.TargetArrays,
		Allow:        b.Allow,
		Deny:         b.Deny,
		Mapping:      renames(b.Mapping),
		Group:        b.Group,
	})
	if err != nil {
		return nil, err
	}
	cb := &Backend{
		Index:            i,
		Method:           b.Method,
		Hosts:            b.Host,
		Pattern:          b.URLPattern,
		URL:              tpl,
		Expect:           expectOf(b.IsCollection),
		Shape:            spec,
		ReturnErrorCode:  b.ReturnErrorCode,
		MaxResponseBytes: b.MaxResponseBytes,
		Timeout:          b.Timeout,
		FollowRedirects:  b.FollowRedirects,
		MaxRedirects:     b.MaxRedirects,
		RedirectHosts:    b.RedirectHosts,
	}
	if b.ReturnErrorDetails != "" {
		cb.ErrorKey = "error_" + b.ReturnErrorDetails
	}
	switch b.Encoding {
	case config.EncodingSafeJSON:
		cb.Encoding = EncodingSafeJSON
	case config.EncodingString:
		cb.Encoding = EncodingString
	case config.EncodingNoOp:
		cb.Encoding = EncodingNoOp
	case config.EncodingXML:
		cb.Encoding = EncodingXML
	case config.EncodingRSS:
		cb.Encoding = EncodingRSS
	default:
		cb.Encoding = EncodingJSON
	}
	if b.InputHeaders != nil {
		f := compileHeaderFilter(b.InputHeaders, false)
		cb.Headers = &f
	}
	cb.Query, cb.QueryShared = narrowQuery(e.InputQueryStrings, b.InputQueryStrings)
	if err := compileBackendProxy(cb, e, b); err != nil {
		return nil, err
	}
	compileBackendKind(cb, b)
	if len(cb.Hosts) == 0 {
		return nil, fmt.Errorf("no host")
	}
	if b.DisableHostSanitize {
		if err := cb.compileBasePaths(); err != nil {
			return nil, err
		}
	}
	if name := catchAllParam(e.Path); name != "" {
		cb.URL = cb.URL.WithCatchAll(name)
		for i := range cb.urls {
			cb.urls[i] = cb.urls[i].WithCatchAll(name)
		}
	}
	return cb, nil
}

// catchAllParam returns the name of the catch-all placeholder {name...}
// that ends the endpoint template path, or "".
func catchAllParam(path string) string {
	last := path[strings.LastIndexByte(path, '/')+1:]
	if name, ok := strings.CutSuffix(last, "...}"); ok && strings.HasPrefix(name, "{") {
		return name[1:]
	}
	return ""
}

func renames(m []config.Rename) []shape.Rename {
	out := make([]shape.Rename, len(m))
	for i, r := range m {
		out[i] = shape.Rename{From: r.From, To: r.To}
	}
	return out
}

// narrowQuery intersects the endpoint's query allow-list with a backend's.
// A nil backend list inherits the endpoint's (shared == true).
func narrowQuery(endpoint, backend []string) (list []string, shared bool) {
	if backend == nil {
		return endpoint, true
	}
	if isNone(backend) || isNone(endpoint) {
		return nil, false
	}
	if isStar(endpoint) {
		return backend, false
	}
	if isStar(backend) {
		return endpoint, true
	}
	for _, k := range backend {
		for _, ek := range endpoint {
			if k == ek {
				list = append(list, k)
				break
			}
		}
	}
	return list, false
}

func isStar(l []string) bool { return len(l) == 1 && l[0] == "*" }
func isNone(l []string) bool { return len(l) == 0 || (len(l) == 1 && l[0] == "") }

// HeaderFilter is a compiled input_headers list.
type HeaderFilter struct {
	// All is true for ["*"].
	All bool
	// Names are the listed names in canonical form (empty when All).
	Names []string
}

func compileHeaderFilter(list []string, endpoint bool) HeaderFilter {
	if isStar(list) {
		return HeaderFilter{All: true}
	}
	if endpoint && len(list) == 0 {
		// krakend-compat §7.1 [T11]: an empty endpoint list forwards only
		// Content-Type.
		return HeaderFilter{Names: []string{"Content-Type"}}
	}
	var names []string
	seen := map[string]bool{}
	for _, n := range list {
		if n == "" {
			continue
		}
		c := http.CanonicalHeaderKey(n)
		if !seen[c] {
			seen[c] = true
			names = append(names, c)
		}
	}
	return HeaderFilter{Names: names}
}

// Allows reports whether the canonical header name passes the filter.
func (f *HeaderFilter) Allows(name string) bool {
	if f.All {
		return true
	}
	for _, n := range f.Names {
		if n == name {
			return true
		}
	}
	return false
}

// String renders the plan's routes for `tributary check -d`.
func (p *Plan) String() string {
	var b strings.Builder
	for _, ep := range p.Endpoints {
		fmt.Fprintf(&b, "%s %s  T=%s B=T-%s output=%s\n", ep.Method, ep.Path, ep.Timeout, ep.Margin, outputName(ep.Output))
		for _, be := range ep.Backends {
			fmt.Fprintf(&b, "  [%d] %s %s%s\n", be.Index, be.Method, strings.Join(be.Hosts, "|"), be.Pattern)
		}
		for _, be := range ep.Shadows {
			fmt.Fprintf(&b, "  [%d] %s %s%s shadow timeout=%s\n", be.Index, be.Method, strings.Join(be.Hosts, "|"), be.Pattern, be.ShadowTimeout)
		}
	}
	return b.String()
}

func outputName(o Output) string {
	switch o {
	case OutputJSONCollection:
		return config.OutputJSONCollection
	case OutputString:
		return config.OutputString
	case OutputNoOp:
		return config.OutputNoOp
	case OutputXML:
		return config.OutputXML
	case OutputYAML:
		return config.OutputYAML
	case OutputNegotiate:
		return config.OutputNegotiate
	}
	return config.OutputJSON
}

// CompileEndpoint compiles a plan that serves only the endpoint named by
// method and template, exactly as written in the config (functions/endpoint:
// TRIBUTARY_ENDPOINT). The whole config has already been validated by the
// loader; every other route answers 404. An unknown endpoint is an error
// listing the valid values.
func CompileEndpoint(cfg *config.Config, method, template string) (*Plan, error) {
	var valid []string
	for _, e := range cfg.Endpoints {
		if e.Method == method && e.Path == template {
			one := *cfg
			one.Endpoints = []*config.Endpoint{e}
			return Compile(&one)
		}
		valid = append(valid, strconv.Quote(e.Method+" "+e.Path))
	}
	return nil, fmt.Errorf("endpoint %q is not in %s; valid values: %s", method+" "+template, cfg.Source, strings.Join(valid, ", "))
}
