package plan

import (
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/telemetry"
)

// Router is the router behaviour the executor needs at request time,
// decided from the "router" namespace at compile time.
type Router struct {
	// AutoOptions answers OPTIONS on a routed path with 200 and Allow.
	AutoOptions bool
	// ReturnErrorMsg puts backend error text in 502/504 messages and, with
	// return_error_code, passes a failed backend's body through.
	ReturnErrorMsg bool
	// ErrorBody404 and ErrorBody405 replace the gateway's 404 and 405
	// bodies when non-nil (compact JSON objects).
	ErrorBody404, ErrorBody405 []byte
}

// Edge is what every transport adapter needs from the config, so that no
// adapter reads the config itself: built-in endpoints, access logging and
// client identity.
type Edge struct {
	// HealthPath is the health endpoint's path, or "" when it is disabled.
	HealthPath string
	// DebugEndpoint enables /__debug/.
	DebugEndpoint bool
	// EchoEndpoint enables /__echo/.
	EchoEndpoint bool
	// VersionHeader sends X-Tributary-Version on every response.
	VersionHeader bool
	// AccessLog writes one line per request.
	AccessLog bool
	// LoggerSkipPaths are request paths left out of the access log.
	LoggerSkipPaths []string
	// ClientIP says how the client address is resolved.
	ClientIP ClientIPRules
	// MaxBodyBytes caps what a built-in endpoint reads of a request body.
	MaxBodyBytes int64
	// MaxHeaderBytes caps the request header block (431 beyond).
	MaxHeaderBytes int
	// RequestID says how each request's id is resolved, echoed and
	// forwarded (tributary.request_id).
	RequestID RequestIDRules
	// RedactQuery is the complete list of query parameter names whose
	// values the access log and the debug endpoint's line redact: by
	// default telemetry.RedactAll (no value shows); with
	// tributary.access_log.query_values, the default credential names plus
	// tributary.access_log.redact_query.
	RedactQuery []string
}

// RequestIDRules are the request-id settings: an adapter takes a valid id
// the client sent in Header when TrustClient, else generates one
// (telemetry.NewRequestID), sets it on exec.Request.RequestID, and sends
// it back in Header when Echo; the executor forwards it to the backends in
// Header when Forward.
type RequestIDRules struct {
	// Header is the canonical header name ("X-Request-Id" by default).
	Header string
	// TrustClient accepts a valid client id (telemetry.ValidRequestID).
	TrustClient bool
	// Echo sends the id on every response.
	Echo bool
	// Forward sends the id to every backend, replacing a client copy.
	Forward bool
}

// ClientIPRules resolve the client address (security.md §2 rule 9): the
// peer address, or, when Forwarded is on and the peer is in Trusted, the
// rightmost untrusted address of the first of Headers present.
type ClientIPRules struct {
	// Forwarded believes forwarding headers from trusted peers.
	Forwarded bool
	// Headers are read in order; the first one present decides.
	Headers []string
	// Trusted are the peers whose forwarding headers are believed.
	Trusted []netip.Prefix
}

// Resolve returns the client address of a request from peer (its
// connection's remote address) and its headers: peer itself, or, when
// Forwarded is on and peer is trusted, the rightmost untrusted address of
// the first of Headers present (several lines of it read as one list). A
// malformed entry stops the walk; peer is then the answer. Every server
// adapter resolves through it, so they agree by construction. An invalid
// peer gives "".
func (r *ClientIPRules) Resolve(peer netip.Addr, header http.Header) string {
	if !peer.IsValid() {
		return ""
	}
	peer = peer.Unmap()
	if !r.Forwarded || !r.trusted(peer) {
		return peer.String()
	}
	for _, name := range r.Headers {
		vals := header.Values(name)
		if len(vals) == 0 {
			continue
		}
		parts := strings.Split(strings.Join(vals, ","), ",")
		for i := len(parts) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
			if err != nil {
				break
			}
			if a = a.Unmap(); !r.trusted(a) {
				return a.String()
			}
		}
		break
	}
	return peer.String()
}

// trusted reports whether a is a trusted proxy.
func (r *ClientIPRules) trusted(a netip.Addr) bool {
	for _, p := range r.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Server is what a server adapter needs to listen: the address and every
// timeout and cap (Go's zero values would mean "no limit").
type Server struct {
	// ListenIP is the address to bind; the zero value binds every address.
	ListenIP netip.Addr
	// Port is the listen port.
	Port int
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are the
	// server timeouts.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxHeaderBytes caps the request header block.
	MaxHeaderBytes int
	// ShutdownWait caps a graceful shutdown; 0 waits for every request.
	ShutdownWait time.Duration
}

// compileEdge decides the request-time settings of cfg's router and
// service level.
func compileEdge(cfg *config.Config, maxBody int64) (Router, Edge, Server) {
	rt := &cfg.Router
	router := Router{
		AutoOptions:    rt.AutoOptions,
		ReturnErrorMsg: rt.ReturnErrorMsg,
		ErrorBody404:   rt.ErrorBody404,
		ErrorBody405:   rt.ErrorBody405,
	}
	edge := Edge{
		DebugEndpoint:   cfg.DebugEndpoint,
		EchoEndpoint:    cfg.EchoEndpoint,
		VersionHeader:   cfg.VersionHeader,
		AccessLog:       !rt.DisableAccessLog,
		LoggerSkipPaths: rt.LoggerSkipPaths,
		ClientIP: ClientIPRules{
			Forwarded: rt.ForwardedByClientIP,
			Headers:   rt.RemoteIPHeaders,
			Trusted:   rt.TrustedProxies,
		},
		MaxBodyBytes:   maxBody,
		MaxHeaderBytes: cfg.MaxHeaderBytes,
	}
	rid := config.DefaultRequestID()
	if cfg.RequestID != nil {
		rid = *cfg.RequestID
	}
	edge.RequestID = RequestIDRules{Header: rid.Header, TrustClient: rid.TrustClient, Echo: rid.Echo, Forward: rid.Forward}
	if cfg.AccessLogQueryValues {
		edge.RedactQuery = append(slices.Clip(telemetry.DefaultRedactQuery), cfg.RedactQuery...)
	} else {
		edge.RedactQuery = []string{telemetry.RedactAll}
	}
	if !rt.DisableHealth {
		edge.HealthPath = rt.HealthPath
	}
	server := Server{
		ListenIP:          cfg.ListenIP,
		Port:              cfg.Port,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ShutdownWait:      cfg.MaxShutdownWaitTime,
	}
	return router, edge, server
}
