package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/valyala/fasthttp"

	"github.com/tributary-gw/tributary/adapters/fasthttpadapter"
	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/functions/boot"
)

// httpServer is what `run` needs of the HTTP server it serves with.
type httpServer interface {
	Serve(ln net.Listener) error
	Shutdown(ctx context.Context) error
}

// fastServer is the fasthttp server as an httpServer.
type fastServer struct{ *fasthttp.Server }

// Shutdown implements httpServer.
func (s fastServer) Shutdown(ctx context.Context) error { return s.ShutdownWithContext(ctx) }

// checkServerName validates a --server value.
func checkServerName(name string) error {
	switch name {
	case config.ServerNetHTTP, config.ServerFastHTTP:
		return nil
	}
	return fmt.Errorf("--server %q: use %q (the default) or %q", name, config.ServerNetHTTP, config.ServerFastHTTP)
}

// newServer builds the server named by name ("" is net/http) for the
// assembled gateway, its listen address, and the wrapper its listener
// needs. The fasthttp server serves the hot path itself and hands the
// built-in endpoints to a.Handler, the net/http adapter.
func newServer(name string, a *boot.Assembled, p *plan.Plan, port int, logger *slog.Logger) (srv httpServer, addr string, wrap func(net.Listener) net.Listener) {
	if name == config.ServerFastHTTP {
		h := fasthttpadapter.New(a.Gateway, a.Handler, fasthttpadapter.Options{Logger: logger, Version: currentVersion()})
		logger.Info("serving with fasthttp")
		return fastServer{fasthttpadapter.NewServer(h, p.Server, logger)}, fasthttpadapter.Addr(p.Server, port), func(ln net.Listener) net.Listener { return ln }
	}
	s := httpadapter.NewServer(a.Handler, p.Server, port, logger)
	return s, s.Addr, func(ln net.Listener) net.Listener {
		return httpadapter.WrapListener(ln, s.MaxHeaderBytes) // net/http's own errors answered as JSON
	}
}
