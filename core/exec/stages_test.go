package exec

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/stage"
)

// stgBackend is a loopback backend that records what it receives.
type stgBackend struct {
	srv   *httptest.Server
	calls atomic.Int32
	mu    sync.Mutex
	last  http.Header
}

func newStgBackend(t *testing.T, body string) *stgBackend {
	t.Helper()
	b := &stgBackend{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.calls.Add(1)
		b.mu.Lock()
		b.last = r.Header.Clone()
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *stgBackend) header() http.Header {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// stgGateway compiles an endpoint /items/{id} over the given backend URLs.
func stgGateway(t *testing.T, hosts ...string) (*plan.Plan, *Gateway) {
	t.Helper()
	var bs []string
	for _, h := range hosts {
		bs = append(bs, `{"host": ["`+h+`"], "url_pattern": "/x"}`)
	}
	cfg, err := config.Load("stages.json", []byte(`{"version": 3, "endpoints": [{"endpoint": "/items/{id}", "method": "POST",
		"input_headers": ["X-User"], "backend": [`+strings.Join(bs, ",")+`]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gw := New(p, Options{})
	t.Cleanup(gw.Client().CloseIdleConnections)
	return p, gw
}

func stgRequest(path, body string) *Request {
	return &Request{Method: http.MethodPost, RawPath: path, Header: http.Header{"X-User": {"client-says"}},
		Body: strings.NewReader(body), ContentLength: int64(len(body)), ClientIP: "192.0.2.1"}
}

// recorder is an endpoint stage that records what it saw and its turn.
type recorder struct {
	name  string
	order *[]string
	seen  *stage.Exchange // a copy, as it was when the stage ran
	ptr   *stage.Exchange
	reply *stage.Reply
	set   func(*stage.Exchange)
}

func (r *recorder) Run(_ context.Context, x *stage.Exchange) *stage.Reply {
	*r.order = append(*r.order, r.name)
	cp := *x
	r.seen, r.ptr = &cp, x
	if r.set != nil {
		r.set(x)
	}
	return r.reply
}

// TestStagesRunInPipelineOrder checks that service stages run before
// routing, endpoint stages after the route and the body, in the plan's
// order, and that they see the request as the spec says.
func TestStagesRunInPipelineOrder(t *testing.T) {
	be := newStgBackend(t, `{"ok":true}`)
	p, gw := stgGateway(t, be.srv.URL)
	var order []string
	svc := &recorder{name: "service", order: &order}
	ep1 := &recorder{name: "endpoint-1", order: &order}
	ep2 := &recorder{name: "endpoint-2", order: &order}
	p.Stages = []stage.Endpoint{svc}
	p.Endpoints[0].Stages = []stage.Endpoint{ep1, ep2}

	resp := gw.Serve(context.Background(), stgRequest("/items/a%20b", `{"n":1}`))
	if resp.Status != http.StatusOK || string(resp.Bytes()) != `{"ok":true}` {
		t.Fatalf("status %d body %s", resp.Status, resp.Bytes())
	}
	if got := strings.Join(order, ","); got != "service,endpoint-1,endpoint-2" {
		t.Errorf("stages ran as %s", got)
	}
	// A body of declared length is read after routing.
	if svc.seen.Route != "" || svc.seen.Params != nil || svc.seen.Body != nil {
		t.Errorf("a service stage saw routing results: %+v", svc.seen)
	}
	x := ep2.seen
	if v, ok := x.Param("id"); !ok || v != "a b" || x.Route != "/items/{id}" || string(x.Body) != `{"n":1}` || x.ClientIP != "192.0.2.1" {
		t.Errorf("an endpoint stage saw route %q param %q body %q ip %q", x.Route, v, x.Body, x.ClientIP)
	}
	if ep1.ptr != ep2.ptr || svc.ptr != ep2.ptr {
		t.Error("the stages of one request saw different Exchanges")
	}

	// Without the service stage, only a path that routes builds one.
	order = nil
	p.Stages = nil
	resp = gw.Serve(context.Background(), stgRequest("/nowhere", ""))
	if resp.Status != http.StatusNotFound || len(order) != 0 {
		t.Errorf("an unrouted request: status %d, stages %v", resp.Status, order)
	}
}

// TestStageReplyEndsTheRequest checks that a stage's answer is the
// response and no backend is called, and that Respond headers go on every
// answer, 404s and stage replies included.
func TestStageReplyEndsTheRequest(t *testing.T) {
	be := newStgBackend(t, `{"ok":true}`)
	p, gw := stgGateway(t, be.srv.URL)
	var order []string
	cors := &recorder{name: "cors", order: &order, set: func(x *stage.Exchange) { x.AddRespond("Vary", "Origin") }}
	deny := &recorder{name: "auth", order: &order, reply: &stage.Reply{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "no token"}}
	after := &recorder{name: "limit", order: &order}
	p.Stages = []stage.Endpoint{cors}
	p.Endpoints[0].Stages = []stage.Endpoint{deny, after}

	resp := gw.Serve(context.Background(), stgRequest("/items/1", ""))
	if resp.Status != http.StatusUnauthorized || string(resp.Bytes()) != `{"error":"unauthorized","message":"no token"}` {
		t.Fatalf("status %d body %s", resp.Status, resp.Bytes())
	}
	if resp.Header.Get("Vary") != "Origin" || resp.Header.Get(HeaderCompleted) != "false" {
		t.Errorf("headers %v", resp.Header)
	}
	if be.calls.Load() != 0 || strings.Join(order, ",") != "cors,auth" {
		t.Errorf("backend calls %d, stages %v", be.calls.Load(), order)
	}
	if resp := gw.Serve(context.Background(), stgRequest("/nowhere", "")); resp.Status != http.StatusNotFound || resp.Header.Get("Vary") != "Origin" {
		t.Errorf("a 404 lost the stage's headers: %d %v", resp.Status, resp.Header)
	}
	custom := &recorder{name: "preflight", order: &order, reply: &stage.Reply{Status: http.StatusNoContent, Header: http.Header{"Allow": {"POST"}}}}
	p.Stages = []stage.Endpoint{custom}
	if resp := gw.Serve(context.Background(), stgRequest("/nowhere", "")); resp.Status != http.StatusNoContent || resp.Header.Get("Allow") != "POST" || resp.Len() != 0 {
		t.Errorf("a stage's own answer: %d %v %q", resp.Status, resp.Header, resp.Bytes())
	}
}

// TestStageForwardOverridesTheClient checks that Forward headers reach
// every backend and replace a client's copy.
func TestStageForwardOverridesTheClient(t *testing.T) {
	a, b := newStgBackend(t, `{"a":1}`), newStgBackend(t, `{"b":2}`)
	p, gw := stgGateway(t, a.srv.URL, b.srv.URL)
	var order []string
	p.Endpoints[0].Stages = []stage.Endpoint{&recorder{name: "jwt", order: &order, set: func(x *stage.Exchange) {
		x.Forward = http.Header{"X-User": {"from-token"}}
	}}}
	resp := gw.Serve(context.Background(), stgRequest("/items/1", ""))
	if resp.Status != http.StatusOK {
		t.Fatalf("status %d", resp.Status)
	}
	for i, be := range []*stgBackend{a, b} {
		if got := be.header()["X-User"]; len(got) != 1 || got[0] != "from-token" {
			t.Errorf("backend %d got X-User %v", i, got)
		}
	}
}

// backendStage is a scripted backend stage that records its outcomes.
type backendStage struct {
	answer  *stage.Answer
	err     error
	header  string
	mu      sync.Mutex
	after   []int
	afterEr []error
}

func (s *backendStage) Before(_ context.Context, c *stage.Call) (*stage.Answer, error) {
	if s.header != "" {
		c.SetHeader("X-Signed", s.header)
	}
	return s.answer, s.err
}

func (s *backendStage) After(_ *stage.Call, status int, _ http.Header, _ []byte, err error) {
	s.mu.Lock()
	s.after = append(s.after, status)
	s.afterEr = append(s.afterEr, err)
	s.mu.Unlock()
}

// TestBackendStages checks the per-backend seam: a stage can change one
// backend's headers, answer a call itself, or fail it (the backend then
// counts as failed for the status rules and is not called), and observers
// learn every outcome.
func TestBackendStages(t *testing.T) {
	a, b := newStgBackend(t, `{"a":1}`), newStgBackend(t, `{"b":2}`)
	p, gw := stgGateway(t, a.srv.URL, b.srv.URL)
	sign := &backendStage{header: "sig"}
	p.Endpoints[0].Backends[0].Stages = []stage.Backend{sign}
	resp := gw.Serve(context.Background(), stgRequest("/items/1", ""))
	if resp.Status != http.StatusOK || string(resp.Bytes()) != `{"a":1,"b":2}` {
		t.Fatalf("status %d body %s", resp.Status, resp.Bytes())
	}
	if a.header().Get("X-Signed") != "sig" || b.header().Get("X-Signed") != "" {
		t.Errorf("SetHeader leaked or was lost: a=%q b=%q", a.header().Get("X-Signed"), b.header().Get("X-Signed"))
	}
	if len(sign.after) != 1 || sign.after[0] != http.StatusOK || sign.afterEr[0] != nil {
		t.Errorf("observer saw %v %v", sign.after, sign.afterEr)
	}

	cached := &backendStage{answer: &stage.Answer{Status: 200, Header: http.Header{}, Body: []byte(`{"a":"cached"}`)}}
	p.Endpoints[0].Backends[0].Stages = []stage.Backend{cached}
	before := a.calls.Load()
	resp = gw.Serve(context.Background(), stgRequest("/items/1", ""))
	if string(resp.Bytes()) != `{"a":"cached","b":2}` || a.calls.Load() != before {
		t.Errorf("an answered call: body %s, backend called %d times", resp.Bytes(), a.calls.Load()-before)
	}
	if len(cached.after) != 0 {
		t.Error("the stage that answered was told of a call that never happened")
	}

	limited := errors.New("backend rate limit exceeded")
	breaker := &backendStage{}
	p.Endpoints[0].Backends[0].Stages = []stage.Backend{breaker, &backendStage{err: limited}}
	before = a.calls.Load()
	resp = gw.Serve(context.Background(), stgRequest("/items/1", ""))
	if resp.Status != http.StatusOK || resp.Header.Get(HeaderCompleted) != "false" || string(resp.Bytes()) != `{"b":2}` {
		t.Errorf("a failed call: status %d completed %q body %s", resp.Status, resp.Header.Get(HeaderCompleted), resp.Bytes())
	}
	if a.calls.Load() != before {
		t.Error("a call a stage failed reached the backend")
	}
	if len(breaker.afterEr) != 1 || !errors.Is(breaker.afterEr[0], stage.ErrNotCalled) || !errors.Is(breaker.afterEr[0], limited) {
		t.Errorf("an earlier stage saw %v, want ErrNotCalled wrapping the refusal", breaker.afterEr)
	}
	p.Endpoints[0].Backends[1].Stages = []stage.Backend{&backendStage{err: limited}}
	if resp := gw.Serve(context.Background(), stgRequest("/items/1", "")); resp.Status != http.StatusBadGateway {
		t.Errorf("every call failed by a stage: status %d, want 502", resp.Status)
	}
}
