package conformance

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// fixedNow is the clock of every gateway under test, so that /__health
// answers the same bytes on every transport.
var fixedNow = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// gatewayVersion is the version every gateway under test reports
// (tributary.version_header).
const gatewayVersion = "conformance"

// requestTimeout bounds one request of a runner.
const requestTimeout = 15 * time.Second

// latencyMargin is security.md §7 invariant 5: latency ≤ endpoint timeout
// + 250 ms under every backend fault.
const latencyMargin = 250 * time.Millisecond

// observed is what a client of one transport received.
type observed struct {
	status int
	header http.Header
	body   []byte
	// transferEncoding is the response's transfer coding, when the
	// transport has one (HTTP/1.1).
	transferEncoding []string
	latency          time.Duration
}

// sendFunc sends one case request through a started transport.
type sendFunc func(ctx context.Context, req *caseRequest) (*observed, error)

// transport is one way for a client to reach the gateway. start serves h
// (the gateway handler built from cfg) and returns the function that sends a
// case's request and reports what the client received; it registers its own
// cleanup with t. A runner for another transport (the Lambda events) adds one
// more value of this type.
type transport struct {
	name  string
	start func(t *testing.T, h http.Handler, cfg *config.Config) sendFunc
	// startGateway, when set, is used instead of start: the runner serves
	// the gateway itself (the fasthttp runner needs the core, not only
	// the net/http handler).
	startGateway func(t *testing.T, gw *gateway) sendFunc
}

// gateway is the gateway built for one case.
type gateway struct {
	handler http.Handler
	core    *exec.Gateway        // what handler serves
	net     *httpadapter.Handler // handler, typed
	logger  *slog.Logger
	cfg     *config.Config
	plan    *plan.Plan
	logs    *syncBuffer
}

// buildGateway loads and compiles the case config (with the backend URLs
// substituted) and wires the gateway as `tributary run` does.
func buildGateway(t *testing.T, c *goldenCase, urls map[string]string) *gateway {
	t.Helper()
	text := substitute(string(c.Config), urls)
	cfg, err := config.Load(c.name+".json", []byte(text), nil)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatalf("plan.Compile: %v", err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gw := exec.New(p, exec.Options{Logger: logger})
	t.Cleanup(gw.Client().CloseIdleConnections)
	h := httpadapter.New(gw, httpadapter.Options{Logger: logger, Version: gatewayVersion, Now: func() time.Time { return fixedNow }})
	return &gateway{handler: h, core: gw, net: h, logger: logger, cfg: cfg, plan: p, logs: logs}
}

// runCase runs c through tr and checks the expectation and the invariants.
func runCase(t *testing.T, tr transport, c *goldenCase) {
	t.Helper()
	backends := startBackends(t, c.Backends)
	gw := buildGateway(t, c, backends.urls)
	var send sendFunc
	if tr.startGateway != nil {
		send = tr.startGateway(t, gw)
	} else {
		send = tr.start(t, gw.handler, gw.cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	obs, err := send(ctx, &c.Request)
	if err != nil {
		t.Fatalf("%s: sending the request: %v", tr.name, err)
	}
	// Backends may still be finishing a call the gateway gave up on; the
	// records are complete once the gateway has answered, because every
	// backend call ends before the response is built.
	checkExpect(t, c, obs, backends)
	checkInvariants(t, c, obs, backends, gw)
}

// checkExpect compares the response with the case's expectation.
func checkExpect(t testing.TB, c *goldenCase, obs *observed, bs *backendSet) {
	t.Helper()
	e := &c.Expect
	if obs.status != e.Status {
		t.Errorf("status = %d, want %d (body %s)", obs.status, e.Status, clip(obs.body))
	}
	for name, want := range e.Headers {
		got := obs.header.Values(name)
		switch {
		case want.absent && len(got) > 0:
			t.Errorf("header %s = %q, want it absent", name, got)
		case !want.absent && !slices.Equal(got, want.values):
			t.Errorf("header %s = %q, want %q", name, got, want.values)
		}
	}
	body := obs.body
	if e.GunzipBody {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Errorf("gunzip_body: %v", err)
			return
		}
		body, err = io.ReadAll(zr)
		if err != nil {
			t.Errorf("gunzip_body: %v", err)
		}
	}
	switch {
	case len(e.Body) > 0:
		var want bytes.Buffer
		if err := json.Compact(&want, e.Body); err != nil {
			t.Fatalf("expect.body: %v", err)
		}
		if !bytes.Equal(body, want.Bytes()) {
			t.Errorf("body mismatch\n got: %s\nwant: %s", clip(body), clip(want.Bytes()))
		}
	case e.RawBody != nil:
		if string(body) != *e.RawBody {
			t.Errorf("body = %q, want %q", clip(body), clip([]byte(*e.RawBody)))
		}
	case e.RawBodyB64 != nil:
		want, err := base64.StdEncoding.DecodeString(*e.RawBodyB64)
		if err != nil {
			t.Fatalf("expect.raw_body_b64: %v", err)
		}
		if !bytes.Equal(body, want) {
			t.Errorf("body = %q, want %q", clip(body), clip(want))
		}
	case e.BodyError != "":
		checkErrorBody(t, obs, body, e.BodyError)
	}
	for _, s := range e.BodyContains {
		if !bytes.Contains(body, []byte(s)) {
			t.Errorf("body %s does not contain %q", clip(body), s)
		}
	}
	if e.MaxLatencyMS > 0 && obs.latency > time.Duration(e.MaxLatencyMS)*time.Millisecond {
		t.Errorf("latency %v > max_latency_ms %d", obs.latency, e.MaxLatencyMS)
	}
	checkBackendCalls(t, c, bs)
	checkBackendSaw(t, c, bs)
}

// checkErrorBody checks a gateway error document (krakend-compat §14.4).
func checkErrorBody(t testing.TB, obs *observed, body []byte, code string) {
	t.Helper()
	if ct := obs.header.Get("Content-Type"); ct != exec.ContentTypeJSON {
		t.Errorf("error Content-Type = %q, want %q", ct, exec.ContentTypeJSON)
	}
	var doc struct {
		Error   *string `json:"error"`
		Message *string `json:"message"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || doc.Error == nil || doc.Message == nil {
		t.Errorf("body %s is not {\"error\":…,\"message\":…} (%v)", clip(body), err)
		return
	}
	if *doc.Error != code {
		t.Errorf("error code = %q, want %q (message %q)", *doc.Error, code, *doc.Message)
	}
}

// checkBackendCalls compares request counts.
func checkBackendCalls(t testing.TB, c *goldenCase, bs *backendSet) {
	t.Helper()
	want := c.Expect.BackendCalls
	if want == nil {
		return
	}
	named := map[string]bool{}
	for key, n := range want {
		name, route, _ := strings.Cut(key, " ")
		named[name] = true
		got := 0
		for _, s := range bs.calls(name) {
			if route == "" || s.route == route {
				got++
			}
		}
		if got != n {
			t.Errorf("backend_calls[%q] = %d, want %d", key, got, n)
		}
	}
	for name := range c.Backends {
		if n := len(bs.calls(name)); !named[name] && n > 0 {
			t.Errorf("backend %s received %d request(s), want none", name, n)
		}
	}
}

// checkBackendSaw checks what the backends received.
func checkBackendSaw(t testing.TB, c *goldenCase, bs *backendSet) {
	t.Helper()
	for key, want := range c.Expect.BackendSaw {
		name, route, _ := strings.Cut(key, " ")
		n := 0
		for i, s := range bs.calls(name) {
			if route != "" && s.route != route {
				continue
			}
			n++
			where := key + " request " + strconv.Itoa(i)
			if want.Method != nil && s.method != *want.Method {
				t.Errorf("%s: method = %q, want %q", where, s.method, *want.Method)
			}
			if want.Path != nil && s.path != *want.Path {
				t.Errorf("%s: path = %q, want %q", where, s.path, *want.Path)
			}
			if want.Query != nil && s.query != *want.Query {
				t.Errorf("%s: query = %q, want %q", where, s.query, *want.Query)
			}
			if want.Body != nil && string(s.body) != *want.Body {
				t.Errorf("%s: body = %q, want %q", where, clip(s.body), *want.Body)
			}
			if want.ContentLength != nil && s.contentLength != *want.ContentLength {
				t.Errorf("%s: Content-Length = %d, want %d", where, s.contentLength, *want.ContentLength)
			}
			for h, wv := range want.Headers {
				got := s.header.Values(h)
				switch {
				case wv.absent && len(got) > 0:
					t.Errorf("%s: header %s = %q, want it absent", where, h, got)
				case !wv.absent && !slices.Equal(got, wv.values):
					t.Errorf("%s: header %s = %q, want %q", where, h, got, wv.values)
				}
			}
		}
		if n == 0 {
			t.Errorf("backend_saw[%q]: no such request was received", key)
		}
	}
}

// rejectionCodes are the gateway error codes of requests refused before
// any backend is called (security.md §5 classes B and C).
var rejectionCodes = map[string]bool{
	"invalid_path": true, "invalid_query": true, "not_found": true, "method_not_allowed": true,
	"payload_too_large": true, "uri_too_long": true, "headers_too_large": true,
	"bad_request": true, "ambiguous_credentials": true,
}

// checkInvariants applies security.md §7 to every response.
func checkInvariants(t testing.TB, c *goldenCase, obs *observed, bs *backendSet, gw *gateway) {
	t.Helper()
	head := c.Request.method() == http.MethodHead
	// §7.3: whole bodies with an exact Content-Length, never chunked.
	if len(obs.transferEncoding) > 0 {
		t.Errorf("invariant: response uses Transfer-Encoding %q", obs.transferEncoding)
	}
	cl := obs.header.Values("Content-Length")
	switch {
	case obs.status == http.StatusNoContent || obs.status == http.StatusNotModified:
		// RFC 9110 §8.6: a 204 carries no Content-Length, and net/http
		// strips one; there is no body to frame.
		if len(obs.body) > 0 {
			t.Errorf("invariant: a %d answer has a %d-byte body", obs.status, len(obs.body))
		}
	case len(cl) != 1:
		t.Errorf("invariant: Content-Length = %q, want exactly one value", cl)
	case !head && cl[0] != strconv.Itoa(len(obs.body)):
		t.Errorf("invariant: Content-Length %s but %d body bytes", cl[0], len(obs.body))
	}
	if head && len(obs.body) > 0 {
		t.Errorf("invariant: HEAD response has a %d-byte body", len(obs.body))
	}
	ct := obs.header.Get("Content-Type")
	gatewayJSON := ct == exec.ContentTypeJSON
	if !head && obs.status == http.StatusOK && (gatewayJSON || strings.HasPrefix(ct, "application/json") && !hasNoOp(gw.cfg)) && !json.Valid(obs.body) {
		t.Errorf("invariant: 200 with Content-Type %q and invalid JSON: %s", ct, clip(obs.body))
	}
	if gatewayJSON && obs.status != http.StatusOK && !head && !json.Valid(obs.body) {
		t.Errorf("invariant: gateway JSON error body is not valid JSON: %s", clip(obs.body))
	}
	// §7.4: completeness and caching.
	completed := obs.header.Values(exec.HeaderCompleted)
	if len(completed) > 1 || len(completed) == 1 && completed[0] != "true" && completed[0] != "false" {
		t.Errorf("invariant: %s = %q", exec.HeaderCompleted, completed)
	}
	isComplete := len(completed) == 1 && completed[0] == "true"
	if isComplete && obs.status != http.StatusOK {
		t.Errorf("invariant: %s: true on a %d", exec.HeaderCompleted, obs.status)
	}
	// A no-op endpoint passes the backend's own Cache-Control through
	// (§13: the gateway adds none); every other incomplete response has none.
	if cc := obs.header.Values("Cache-Control"); len(cc) > 0 && !isComplete && !hasNoOp(gw.cfg) {
		t.Errorf("invariant: Cache-Control %q on a response that is not complete", cc)
	}
	// Gateway errors say they are not complete (§14.2).
	code := errorCode(obs)
	if code != "" && (len(completed) != 1 || completed[0] != "false") && !builtinPath(c.Request.target(), gw.cfg) {
		t.Errorf("invariant: gateway error %q with %s = %q, want false", code, exec.HeaderCompleted, completed)
	}
	// §7.6: rejected requests contacted no backend.
	if rejectionCodes[code] && obs.status >= 400 {
		if n := bs.total(); n > 0 {
			t.Errorf("invariant: request rejected with %d %s, but the backends received %d request(s)", obs.status, code, n)
		}
	}
	// §7.5: latency bound.
	var maxT time.Duration
	for _, ep := range gw.plan.Endpoints {
		maxT = max(maxT, ep.Timeout)
	}
	if limit := maxT + latencyMargin; obs.latency > limit {
		t.Errorf("invariant: latency %v > largest endpoint timeout %v + %v", obs.latency, maxT, latencyMargin)
	}
	// §7.1: no panic.
	if logs := gw.logs.String(); strings.Contains(logs, "panic") {
		t.Errorf("invariant: the gateway logged a panic:\n%s", clip([]byte(logs)))
	}
	// T1: no KrakenD banner or completeness header.
	for _, h := range []string{"X-Krakend", "X-Krakend-Completed"} {
		if v := obs.header.Values(h); len(v) > 0 {
			t.Errorf("invariant: response carries %s: %q", h, v)
		}
	}
	// [H15]: every backend got the whole body with an exact Content-Length;
	// security.md §2 rule 1: the backend host never changes.
	for name := range c.Backends {
		own := strings.TrimPrefix(bs.urls[name], "http://")
		for i, s := range bs.calls(name) {
			if s.host != own {
				t.Errorf("invariant: backend %s request %d carried Host %q, want %q", name, i, s.host, own)
			}
			if s.chunked {
				t.Errorf("invariant: backend %s request %d was chunked", name, i)
			}
			if s.contentLength != int64(len(s.body)) {
				t.Errorf("invariant: backend %s request %d: Content-Length %d, body %d bytes", name, i, s.contentLength, len(s.body))
			}
		}
	}
}

// errorCode returns the "error" of a gateway error document, or "".
func errorCode(obs *observed) string {
	if obs.header.Get("Content-Type") != exec.ContentTypeJSON || obs.status < 400 {
		return ""
	}
	var doc struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(obs.body, &doc) != nil {
		return ""
	}
	return doc.Error
}

// builtinPath reports whether target is served by a built-in endpoint,
// whose answers carry no completeness header (§14.2).
func builtinPath(target string, cfg *config.Config) bool {
	p, _, _ := strings.Cut(target, "?")
	return p == cfg.Router.HealthPath || strings.HasPrefix(p, "/__")
}

// hasNoOp reports whether the config has a no-op endpoint, whose 200s pass
// a backend's bytes through unchecked.
func hasNoOp(cfg *config.Config) bool {
	for _, e := range cfg.Endpoints {
		if e.OutputEncoding == config.OutputNoOp {
			return true
		}
	}
	return false
}

// clip shortens a body for failure messages.
func clip(b []byte) string {
	const n = 600
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…(" + strconv.Itoa(len(b)) + " bytes)"
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// errNoResponse is returned by a runner when the connection closed
// without a response.
var errNoResponse = errors.New("connection closed without a response")
