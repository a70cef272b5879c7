package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/core/telemetry"
	"github.com/tributary-gw/tributary/functions/boot"
	"github.com/tributary-gw/tributary/local/demo"
)

// cmdRun serves a config until SIGINT/SIGTERM.
func cmdRun(args, env []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.StringP("config", "c", "", "config file (default: the bundled demo config)")
	port := fs.IntP("port", "p", 0, "listen port (overrides the config's port)")
	debug := fs.BoolP("debug", "d", false, "enable /__debug/ and DEBUG logging")
	noDemo := fs.Bool("no-demo", false, "do not start the demo backends with the bundled config")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "tributary run: %v\n", err)
		return 2
	}
	if *port < 0 || *port > 65535 {
		fmt.Fprintf(stderr, "tributary run: --port %d is out of range 1-65535\n", *port)
		return 2
	}
	cfg, p, err := load(*cfgPath, env)
	if err != nil {
		printLoadError(stderr, err)
		return 1
	}
	a := boot.Assemble(cfg, p, boot.AssembleOptions{LogOut: stdout, Terminal: isTerminal(stdout), Debug: *debug, Version: version})
	logger := a.Logger

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *cfgPath == "" && !*noDemo {
		backends, err := demo.Start(demo.CatalogAddr, demo.UsersAddr, logger)
		if err != nil {
			fmt.Fprintf(stderr, "tributary run: starting the demo backends: %v\n", err)
			return 1
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = backends.Close(sctx)
		}()
		logger.Info("demo backends started", "catalog", demo.CatalogAddr, "users", demo.UsersAddr)
	}

	srv := httpadapter.NewServer(a.Handler, p.Server, *port, logger)
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "tributary run: %v\n", err)
		return 1
	}
	ln = httpadapter.WrapListener(ln, srv.MaxHeaderBytes) // net/http's own errors answered as JSON
	logger.Info("tributary listening", "addr", ln.Addr().String(), "endpoints", len(p.Endpoints), "version", version)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "tributary run: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx := context.Background()
	if p.Server.ShutdownWait > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(sctx, p.Server.ShutdownWait)
		defer cancel()
	}
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("shutdown cut short", "err", err)
	}
	a.Gateway.Client().CloseIdleConnections()
	return 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && telemetry.IsTerminal(f)
}
