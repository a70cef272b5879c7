package config

import (
	"net/netip"
	"time"
)

// Defaults applied by the loader. They are exported so that documentation,
// the CLI and tests can refer to them by name.
const (
	DefaultPort                      = 8080
	DefaultTimeout                   = 2 * time.Second
	DefaultReadHeaderTimeout         = 5 * time.Second
	DefaultReadTimeout               = 30 * time.Second
	DefaultIdleTimeout               = 60 * time.Second
	DefaultMaxHeaderBytes            = 64 << 10
	DefaultMaxIdleConnsPerHost       = 250
	DefaultIdleConnectionTimeout     = 30 * time.Second
	DefaultDialerTimeout             = 2 * time.Second
	DefaultDialerFallbackDelay       = 300 * time.Millisecond
	DefaultDialerKeepAlive           = 15 * time.Second
	DefaultMaxRequestBodyBytes       = 1 << 20
	DefaultMaxBackendResponseBytes   = 2 << 20
	MaxBackendResponseBytesLimit     = 64 << 20
	DefaultMaxRedirects              = 3
	DefaultHealthPath                = "/__health"
	BundledName                      = "config/gateway.json"
	writeTimeoutMarginOverMaxTimeout = 5 * time.Second
)

// Output encodings accepted by output_encoding.
const (
	OutputJSON           = "json"
	OutputJSONCollection = "json-collection"
	OutputString         = "string"
	OutputNegotiate      = "negotiate"
	OutputNoOp           = "no-op"
	OutputXML            = "xml"
	OutputYAML           = "yaml"
)

// Backend encodings accepted by a backend's encoding.
const (
	EncodingJSON     = "json"
	EncodingSafeJSON = "safejson"
	EncodingString   = "string"
	EncodingNoOp     = "no-op"
	EncodingXML      = "xml"
	EncodingRSS      = "rss"
)

// Config is a loaded, validated and fully defaulted service configuration.
type Config struct {
	// Source is the file name used in diagnostics: the path given to Load,
	// or BundledName for the embedded default.
	Source string

	// Name is the root "name": a friendly label for logs. Default "".
	Name string
	// Port is the listen port in server mode (1–65535). Default 8080.
	Port int
	// ListenIP is the address to bind in server mode; the zero value binds
	// every interface. Default "" (all).
	ListenIP netip.Addr
	// Timeout is the service-level endpoint timeout. Default 2s. Every
	// Endpoint.Timeout has already inherited it.
	Timeout time.Duration
	// CacheTTL is the service-level cache_ttl. Default 0 (off).
	CacheTTL time.Duration
	// OutputEncoding is the service-level output_encoding. Default "json".
	OutputEncoding string
	// DebugEndpoint enables /__debug/ (debug_endpoint). Default false.
	DebugEndpoint bool
	// EchoEndpoint enables /__echo/ (echo_endpoint). Default false.
	EchoEndpoint bool

	// ReadHeaderTimeout is the server's header read timeout. Default 5s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout is the server's whole-request read timeout. Default 30s.
	ReadTimeout time.Duration
	// WriteTimeout is the server's write timeout. Default: the largest
	// endpoint timeout + 5s.
	WriteTimeout time.Duration
	// IdleTimeout is the server's keep-alive idle timeout. Default 60s.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps request header bytes (431 beyond). Default 65536.
	MaxHeaderBytes int
	// MaxShutdownWaitTime caps graceful shutdown; 0 waits for every
	// in-flight request. Default 0.
	MaxShutdownWaitTime time.Duration

	// Upstream transport settings (one shared http.Transport).

	// DisableKeepAlives turns off upstream keep-alive. Default false.
	DisableKeepAlives bool
	// DisableCompression stops the gateway from requesting gzip. Default false.
	DisableCompression bool
	// MaxIdleConnections caps the whole idle pool; 0 means no global cap
	// (the per-host cap still bounds it). Default 0.
	MaxIdleConnections int
	// MaxIdleConnectionsPerHost caps idle connections per host. Default 250.
	MaxIdleConnectionsPerHost int
	// IdleConnectionTimeout closes idle upstream connections. Default 30s.
	IdleConnectionTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for a backend's response
	// header; 0 leaves only the request budget. Default 0.
	ResponseHeaderTimeout time.Duration
	// ExpectContinueTimeout is the upstream Expect: 100-continue wait. Default 0.
	ExpectContinueTimeout time.Duration
	// DialerTimeout bounds a TCP connect. Default 2s.
	DialerTimeout time.Duration
	// DialerFallbackDelay is the RFC 6555 fallback delay. Default 300ms.
	DialerFallbackDelay time.Duration
	// DialerKeepAlive is the TCP keep-alive probe period. Default 15s.
	DialerKeepAlive time.Duration
	// ClientTLS is the upstream TLS configuration (client_tls, and the legacy
	// root allow_insecure_connections). Never nil after Load.
	ClientTLS *ClientTLS

	// Endpoints are the declared endpoints, in file order.
	Endpoints []*Endpoint

	// Router holds the "router" namespace, defaulted.
	Router Router
	// Logging holds "telemetry/logging", defaulted (DEBUG to stdout when
	// the namespace is absent).
	Logging Logging
	// Metrics holds "telemetry/metrics", or nil when it is absent.
	Metrics *Metrics
	// GELF holds "telemetry/gelf", or nil when it is absent.
	GELF *GELF
	// Logstash holds "telemetry/logstash", or nil when it is absent; when
	// enabled, Logging.Format is "logstash".
	Logstash *Logstash
	// Influx holds "telemetry/influx", or nil when it is absent.
	Influx *Influx
	// OpenTelemetry holds "telemetry/opentelemetry" (or
	// "telemetry/opencensus" mapped onto it), or nil when both are absent.
	OpenTelemetry *OpenTelemetry
	// TrustedTraceSources is tributary.trusted_trace_sources: the client
	// addresses (resolved client IP) whose incoming W3C traceparent is
	// honoured. Default none: every request starts a new trace.
	TrustedTraceSources []netip.Prefix
	// MaxRequestBodyBytes is tributary.max_request_body_bytes at service
	// scope. Default 1 MiB.
	MaxRequestBodyBytes int64
	// MaxBackendResponseBytes is tributary.max_backend_response_bytes.
	// Default 2 MiB.
	MaxBackendResponseBytes int64
	// CatchAllRoutes is tributary.catch_all_routes: endpoint templates may
	// end with a catch-all segment {name...} that takes one or more
	// remaining path segments. Default false.
	CatchAllRoutes bool
	// VersionHeader is tributary.version_header: send X-Tributary-Version.
	// Default false.
	VersionHeader bool
	// Server is tributary.server: the HTTP server `tributary run` uses,
	// ServerNetHTTP or ServerFastHTTP. Default "" (net/http).
	Server string
	// RequestID is tributary.request_id; nil when absent (the defaults of
	// DefaultRequestID apply).
	RequestID *RequestID
	// RedactQuery is tributary.access_log.redact_query: query parameter
	// names logged redacted besides the default ones. Default none.
	RedactQuery []string
	// AccessLogQueryValues is tributary.access_log.query_values: the access
	// line shows query values, those named in RedactQuery and the default
	// credential names redacted. Default false: every value is redacted
	// and only the parameter names show.
	AccessLogQueryValues bool
	// LambdaMetrics is tributary.lambda_metrics: per-request CloudWatch
	// Embedded Metric Format lines on stdout; nil when absent (off).
	LambdaMetrics *LambdaMetrics

	// CORS is "security/cors"; nil when absent.
	CORS *CORS
	// HTTPSecure is "security/http"; nil when absent.
	HTTPSecure *HTTPSecure
	// BotDetector is the service-level "security/bot-detector"; nil when
	// absent.
	BotDetector *BotDetector
	// Revoker is "auth/revoker"; nil when absent.
	Revoker *Revoker
	// Redis is the service "redis" namespace with tributary.shared_store;
	// nil when neither is given (state stays in the process).
	Redis *Redis
	// LuaEndpoint is the service-level "modifier/lua-endpoint"; nil when
	// absent.
	LuaEndpoint *Lua
	// JWKSharedCacheDuration is the service-level
	// auth/validator.shared_cache_duration. Default 15m.
	JWKSharedCacheDuration time.Duration

	// Warnings are the lint warnings found while loading (§20). They are
	// fatal only under `tributary check --lint`.
	Warnings []Diagnostic
}

// ClientTLS configures TLS towards backends (client_tls).
type ClientTLS struct {
	// AllowInsecureConnections skips certificate verification (lint
	// warning). Default false.
	AllowInsecureConnections bool
	// CACerts are PEM files added to the trust pool. Default none.
	CACerts []string
	// DisableSystemCAPool starts from an empty pool. Default false.
	DisableSystemCAPool bool
	// MinVersion is the minimum TLS version, a crypto/tls constant.
	// Default tls.VersionTLS12.
	MinVersion uint16
	// MaxVersion is the maximum TLS version; 0 means Go's maximum.
	MaxVersion uint16
	// ClientCerts are client certificate/key PEM file pairs.
	ClientCerts []ClientCert
}

// ClientCert is one client certificate and its private key, as PEM files.
type ClientCert struct {
	// Certificate is the PEM certificate file path.
	Certificate string
	// PrivateKey is the PEM private key file path.
	PrivateKey string
}

// Router is the service-level "router" namespace (§17.3).
type Router struct {
	// ReturnErrorMsg puts internal error text in 502/504 messages and, with
	// return_error_code, passes the backend body through. Default false.
	ReturnErrorMsg bool
	// DisableHealth turns off the health endpoint. Default false.
	DisableHealth bool
	// HealthPath is the health endpoint path. Default "/__health".
	HealthPath string
	// DisableAccessLog turns off the per-request access log. Default false.
	DisableAccessLog bool
	// LoggerSkipPaths are request paths left out of the access log.
	LoggerSkipPaths []string
	// AutoOptions answers OPTIONS on routed paths with 200 and Allow.
	// Default false.
	AutoOptions bool
	// DisableRedirectTrailingSlash turns off the trailing-slash redirect.
	// Default false.
	DisableRedirectTrailingSlash bool
	// DisableRedirectFixedPath is accepted for compatibility; Tributary
	// never issues fixed-path redirects.
	DisableRedirectFixedPath bool
	// DisableHandleMethodNotAllowed answers 404 instead of 405. Default false.
	DisableHandleMethodNotAllowed bool
	// ForwardedByClientIP resolves the client IP from RemoteIPHeaders when
	// the peer is a trusted proxy. Default false.
	ForwardedByClientIP bool
	// TrustedProxies are the peers whose forwarding headers are believed.
	// Single addresses are stored as full-length prefixes.
	TrustedProxies []netip.Prefix
	// RemoteIPHeaders are read, in order, for the client IP. Default
	// ["X-Forwarded-For", "X-Real-Ip"].
	RemoteIPHeaders []string
	// DisablePathDecoding relaxes the encoded-slash, ?/# and leftover-%
	// param rules (§6.3). Default false.
	DisablePathDecoding bool
	// HideVersionHeader is accepted for compatibility; there is no banner.
	HideVersionHeader bool
	// ErrorBody404 replaces the 404 body when non-nil (compact JSON object).
	ErrorBody404 []byte
	// ErrorBody405 replaces the 405 body when non-nil (compact JSON object).
	ErrorBody405 []byte
}

// Logging is the "telemetry/logging" namespace (§17.12).
type Logging struct {
	// Level is DEBUG, INFO, WARNING, ERROR or CRITICAL. Default DEBUG.
	Level string
	// Prefix is prepended to each line. Default "".
	Prefix string
	// Stdout writes application logs to stdout; false discards them.
	// Default true when the namespace is absent, false when it is present
	// without the key (KrakenD).
	Stdout bool
	// Format is "default" (JSON off a terminal, text on one) or "logstash"
	// (always JSON). "telemetry/logstash" with enabled: true also sets
	// "logstash". Default "default".
	Format string
	// Syslog also writes every line to the local syslog socket. Default
	// false.
	Syslog bool
	// SyslogFacility is the syslog facility: local0…local7, user or
	// daemon. Default "local3" when Syslog is true, else as written ("").
	SyslogFacility string
	// SyslogAt locates "syslog": true in the file (zero when Syslog is
	// false), for refusals made after loading, such as a Lambda
	// function's, which has no syslog.
	SyslogAt Diagnostic
}

// Endpoint is one endpoint object (§4), with service defaults applied.
type Endpoint struct {
	// JSONPath locates the object in the file, e.g. "$.endpoints[3]".
	JSONPath string
	// Pos is the position of the "endpoint" value.
	Pos Position

	// Path is the route template ("endpoint"), with a leading "/".
	Path string
	// Params are the template's placeholder names, in order.
	Params []string
	// Method is GET, POST, PUT, PATCH or DELETE. Default GET.
	Method string
	// Timeout is the whole-pipe deadline T (§15). Default: service timeout.
	Timeout time.Duration
	// CacheTTL adds Cache-Control to complete responses. Default: service value.
	CacheTTL time.Duration
	// ConcurrentCalls is the number of identical copies sent of each backend
	// request, 1–10 (§12.4); above 1 every backend method is GET, HEAD or
	// OPTIONS. Default 1.
	ConcurrentCalls int
	// InputHeaders are the client headers allowed to reach backends (§7.1).
	InputHeaders []string
	// InputQueryStrings are the query keys allowed to reach backends (§7.2).
	InputQueryStrings []string
	// OutputEncoding is one of the Output* constants. Default: service value.
	OutputEncoding string
	// MaxRequestBodyBytes is the request body cap. Default: service value.
	MaxRequestBodyBytes int64
	// DeepMerge is tributary.merge "deep" (a Tributary extension): when two
	// backends' data hold the same key with object values on both sides,
	// the objects are merged recursively instead of the later one
	// replacing the earlier. Default false ("shallow", as KrakenD).
	DeepMerge bool
	// Backends are the backend objects, in declaration order (≥ 1).
	Backends []*Backend
	// Sequential is proxy.sequential: the backends run one after another
	// and later ones may use {resp<N>_<path>} placeholders (§12.2).
	// Default false.
	Sequential bool
	// SequentialPropagatedParams is proxy.sequential_propagated_params:
	// validated, with no consumer yet. Default none.
	SequentialPropagatedParams []string
	// Static is proxy.static (§12.3); nil when absent.
	Static *Static
	// Flatmap is the endpoint-level proxy.flatmap_filter, run after the
	// merge (§11.6). Default none.
	Flatmap []FlatmapOp
	// proxyAt holds the proxy options' nodes while the endpoint loads;
	// nil once it is loaded.
	proxyAt *proxyNodes

	// Validator is "auth/validator"; nil when absent.
	Validator *Validator
	// Signer is "auth/signer"; nil when absent.
	Signer *Signer
	// RateLimit is "qos/ratelimit/router"; nil when absent.
	RateLimit *RouterRateLimit
	// BotDetector is the endpoint-level "security/bot-detector"; nil when
	// absent.
	BotDetector *BotDetector
	// JSONSchema is "validation/json-schema"; nil when absent.
	JSONSchema *JSONSchema
	// CEL is the endpoint-level "validation/cel"; nil when absent.
	CEL []CELCheck
	// LuaEndpoint is the endpoint-level "modifier/lua-endpoint"; nil when
	// absent.
	LuaEndpoint *Lua
	// LuaProxy is "modifier/lua-proxy"; nil when absent.
	LuaProxy *Lua
}

// Backend is one backend object (§5), with defaults applied.
type Backend struct {
	// JSONPath locates the object, e.g. "$.endpoints[3].backend[1]".
	JSONPath string
	// Pos is the position of the backend object.
	Pos Position

	// URLPattern is the upstream path and optional literal query, with a
	// leading "/" (§6).
	URLPattern string
	// Host are the base URLs, normalised to "scheme://host[:port]" without
	// a trailing slash (with DisableHostSanitize: exactly as written).
	// Default: the service host list.
	Host []string
	// DisableHostSanitize is disable_host_sanitize: the backend's own host
	// entries are used exactly as written (§5). Default false.
	DisableHostSanitize bool
	// Method is the upstream method, upper-cased. Default: the endpoint's.
	Method string
	// Encoding is one of the Encoding* constants. Default "json".
	Encoding string
	// IsCollection expects a top-level array. Default false.
	IsCollection bool
	// Target is the dot path extracted before filtering. Default "".
	Target string
	// TargetArrays is tributary.target_arrays (a Tributary extension): an
	// array found at Target becomes {"collection": [...]} instead of {}.
	// Default false.
	TargetArrays bool
	// Allow is the keep-list of dot paths; when non-empty Deny is ignored.
	Allow []string
	// Deny is the drop-list of dot paths.
	Deny []string
	// Mapping are the top-level renames, in file order.
	Mapping []Rename
	// Group wraps the shaped result under this key. Default "".
	Group string
	// InputHeaders further filters forwarded headers; nil inherits, [""]
	// forwards none.
	InputHeaders []string
	// InputQueryStrings further filters forwarded query keys; nil inherits,
	// [""] forwards none.
	InputQueryStrings []string

	// ReturnErrorCode is backend/http.return_error_code. Default false.
	ReturnErrorCode bool
	// ReturnErrorDetails is backend/http.return_error_details (the alias).
	// Default "" (off).
	ReturnErrorDetails string

	// MaxResponseBytes caps the decompressed body. Default: service
	// max_backend_response_bytes.
	MaxResponseBytes int64
	// Timeout is the backend's own timeout (a KrakenD Enterprise key that
	// Tributary implements, §5): each call must finish by min(call start +
	// Timeout, the endpoint's backend budget). Default 0: the endpoint
	// timeout alone bounds the call.
	Timeout time.Duration
	// FollowRedirects follows 301/302/303/307/308. Default false.
	FollowRedirects bool
	// MaxRedirects bounds followed redirects (1–10). Default 3.
	MaxRedirects int
	// RedirectHosts are extra redirect targets ("scheme://host[:port]")
	// besides the backend's own hosts.
	RedirectHosts []string

	// RateLimit is "qos/ratelimit/proxy"; nil when absent.
	RateLimit *ProxyRateLimit
	// CircuitBreaker is "qos/circuit-breaker"; nil when absent.
	CircuitBreaker *CircuitBreaker
	// HTTPCache is "qos/http-cache"; nil when absent.
	HTTPCache *HTTPCache
	// ClientCredentials is "auth/client-credentials"; nil when absent.
	ClientCredentials *ClientCredentials
	// LuaBackend is "modifier/lua-backend"; nil when absent.
	LuaBackend *Lua
	// Shadow is proxy.shadow: the backend gets a copy of each request and
	// its answer is discarded (§17.17). Default false.
	Shadow bool
	// ShadowTimeout bounds a shadow call. Default: the endpoint timeout.
	ShadowTimeout time.Duration
	// Flatmap is the backend-level proxy.flatmap_filter; when set it
	// replaces Allow, Deny and Mapping (§9, §11.6). Default none.
	Flatmap []FlatmapOp
	// Martian is "modifier/martian": the backend's modifier tree; nil
	// when absent.
	Martian *Martian
	// CEL is the backend-level "validation/cel"; nil when absent.
	CEL []CELCheck
	// Lambda is "backend/lambda" (with the tributary Lambda options): the
	// backend invokes a function instead of calling host; nil when absent.
	Lambda *Lambda
	// GraphQL is "backend/graphql"; nil when absent.
	GraphQL *GraphQL
}

// Rename is one mapping entry: the top-level key From becomes To.
type Rename struct {
	// From is the source key.
	From string
	// To is the new key name.
	To string
}

// Static is the endpoint's proxy.static data (§12.3).
type Static struct {
	// Strategy is when the data is injected: "always" (the default),
	// "success", "complete", "errored" or "incomplete".
	Strategy string
	// Data is the object to inject, as compact JSON text.
	Data []byte
}

// FlatmapOp is one flatmap_filter operation (§11.6).
type FlatmapOp struct {
	// Type is "move", "del" or "append".
	Type string
	// Args are the operation's paths.
	Args []string
}
