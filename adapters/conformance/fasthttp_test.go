package conformance

import (
	"context"
	"net"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/adapters/fasthttpadapter"
)

// fasthttpBackground are fasthttp's own background goroutines, which are
// not leaks: the process-wide Date refresher, and the worker-pool cleaner
// of a stopped server, which ends after its idle period.
var fasthttpBackground = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
}

// fastTransport serves the gateway through the fasthttp adapter, on a
// server built by fasthttpadapter.NewServer (every server setting from
// the config), and talks to it exactly as the HTTP runner does: the same
// net/http client, the same raw writer for raw request targets.
var fastTransport = transport{name: "fasthttp", startGateway: startFastHTTP}

// runsOnFast reports whether c runs through the fasthttp runner: every
// case the HTTP runner takes (an HTTP/1.1 server like it), and those that
// name "fasthttp".
func runsOnFast(c *goldenCase) bool {
	return c.runsOn(httpTransport.name) || c.runsOn(fastTransport.name)
}

// TestGoldenFastHTTP runs every HTTP golden case through the fasthttp
// server, with the same expectations and invariants, and through the
// net/http server of the HTTP runner, and compares what the two clients
// received beyond what the case checks: the status, every header but Date
// (a fresh request id on each side counts as equal) and the body, byte
// for byte (loopback ports aside: each run has its own backends).
func TestGoldenFastHTTP(t *testing.T) {
	cases, err := loadCases()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !runsOnFast(c) {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, backends, gw := observe(t, fastTransport, c)
			checkExpect(t, c, got, backends)
			checkInvariants(t, c, got, backends, gw)
			want, _, _ := observe(t, httpTransport, c)
			got.header, want.header = got.header.Clone(), want.header.Clone()
			delete(want.header, "Date")
			delete(got.header, "Date")
			lamNormalizeRequestID(t, want.header, got.header)
			if want.status != got.status {
				t.Errorf("status: net/http %d, fasthttp %d", want.status, got.status)
			}
			if wb, gb := loopbackPorts.ReplaceAll(want.body, portless), loopbackPorts.ReplaceAll(got.body, portless); string(wb) != string(gb) {
				t.Errorf("body differs\nnet/http: %s\nfasthttp: %s", clip(wb), clip(gb))
			}
			for _, k := range headerNames(want.header, got.header) {
				if !slices.EqualFunc(want.header[k], got.header[k], func(a, b string) bool {
					return loopbackPorts.ReplaceAllString(a, string(portless)) == loopbackPorts.ReplaceAllString(b, string(portless))
				}) {
					t.Errorf("header %s: net/http %q, fasthttp %q", k, want.header[k], got.header[k])
				}
			}
		})
	}
}

// loopbackPorts matches the loopback addresses of the servers and
// backends, which differ between two runs of a case.
var loopbackPorts = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)

var portless = []byte("127.0.0.1:PORT")

// observe runs c once through tr, with its own backends, and returns what
// the client received, the backends and the gateway.
func observe(t *testing.T, tr transport, c *goldenCase) (*observed, *backendSet, *gateway) {
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
	return obs, backends, gw
}

func headerNames(a, b http.Header) []string {
	var names []string
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// startFastHTTP is the fasthttp runner.
func startFastHTTP(t *testing.T, gw *gateway) sendFunc {
	t.Helper()
	h := fasthttpadapter.New(gw.core, gw.net, fasthttpadapter.Options{Logger: gw.logger, Version: gatewayVersion})
	srv := fasthttpadapter.NewServer(h, gw.plan.Server, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	client, tr := newHTTPClient()
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = fasthttpadapter.Shutdown(ctx, srv)
		<-served
	})
	addr := ln.Addr().String()
	return func(ctx context.Context, req *caseRequest) (*observed, error) {
		return sendHTTP(ctx, client, addr, addr, req)
	}
}
