package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/recent"
	"github.com/tributary-gw/tributary/core/telemetry"
	"github.com/tributary-gw/tributary/functions/boot"
	"github.com/tributary-gw/tributary/local/demo"
)

// runHelp is the help of `run`.
const runHelp = `Usage: tributary run [flags]

Loads a config (default: the bundled demo config, config/gateway.json),
prints its warnings on standard error, and serves it on listen_ip:port
until SIGINT or SIGTERM, then shuts down gracefully. Logs go to standard
output. A config that does not load is not served: every problem is
printed and the exit code is 1.

With the bundled config, the demo backends it points at are started on
127.0.0.1:8001 (catalog) and 127.0.0.1:8002 (users), unless --no-demo;
--demo-ports moves them and the config's hosts together. A config given
with -c never starts them.
`

// cmdRun serves a config until SIGINT/SIGTERM.
func cmdRun(args, env []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", runHelp, stdout, stderr)
	help := fs.BoolP("help", "h", false, "print this help and exit")
	cfgPath := fs.StringP("config", "c", "", "config `FILE` (default: the bundled demo config)")
	port := fs.IntP("port", "p", 0, "listen `PORT` (beats the config's port and TRIBUTARY_PORT/KRAKEND_PORT)")
	debug := fs.BoolP("debug", "d", false, "enable /__debug/, the dashboard of recent requests at /__dashboard, and DEBUG logging")
	strict := fs.Bool("strict", false, "every config warning is an error: printed without \"warning:\" and nothing is served")
	noDemo := fs.Bool("no-demo", false, "do not start the demo backends with the bundled config")
	demoPorts := fs.String("demo-ports", "", "start the demo backends on `CATALOG,USERS` loopback ports (default 8001,8002) and point the bundled config's hosts at them")
	serverName := fs.String("server", "", "serve with `SERVER`: net/http (the default) or fasthttp; beats the config's tributary.server")
	if code, ok := parseFlags(fs, help, args, "run", stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return unexpectedArgs(stderr, "run", fs.Args(), *cfgPath == "")
	}
	if fs.Changed("server") {
		if err := checkServerName(*serverName); err != nil {
			fmt.Fprintf(stderr, "tributary run: %v\n", err)
			return 2
		}
	}
	if *port < 0 || *port > 65535 {
		fmt.Fprintf(stderr, "tributary run: --port %d is out of range 1-65535\n", *port)
		return 2
	}
	demoOn := *cfgPath == "" && !*noDemo
	catalogAddr, usersAddr := demo.CatalogAddr, demo.UsersAddr
	if fs.Changed("demo-ports") {
		if !demoOn {
			fmt.Fprintln(stderr, "tributary run: --demo-ports moves the demo backends of the bundled config; it cannot be used with -c or --no-demo")
			return 2
		}
		var err error
		if catalogAddr, usersAddr, err = demo.ParsePorts(*demoPorts); err != nil {
			fmt.Fprintf(stderr, "tributary run: --demo-ports %v\n", err)
			return 2
		}
	}
	var (
		cfg *config.Config
		p   *plan.Plan
		err error
	)
	if *cfgPath == "" {
		// The bundled config, its demo hosts moved to --demo-ports (a
		// no-op at the defaults, and without the demo).
		cfg, p, err = loadData(config.BundledName, demo.RewriteHosts(config.Bundled(), catalogAddr, usersAddr), env)
	} else {
		cfg, p, err = load(*cfgPath, env)
	}
	if !reportLoad(stderr, cfg, err, *strict) {
		return 1
	}
	if eps := cfg.AuthorizerClaimsEndpoints(); len(eps) > 0 {
		fmt.Fprintf(stderr, "tributary run: %s take JWT claims from the API Gateway authorizer (tributary.jwt_authorizer_claims), which only Lambda events carry; a server would answer 401 to every request. Validate the token with auth/validator instead\n", strings.Join(eps, ", "))
		return 1
	}
	var dash *recent.Ring
	if *debug {
		dash = recent.New(recent.DefaultSize) // the dashboard at /__dashboard
	}
	a := boot.Assemble(cfg, p, boot.AssembleOptions{LogOut: stdout, Terminal: isTerminal(stdout), Debug: *debug, Version: currentVersion(), Dashboard: dash})
	logger := a.Logger
	defer closeLogSinks(a.LogSinks) // deferred first: runs after every other deferred step has logged

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if demoOn {
		backends, err := demo.Start(catalogAddr, usersAddr, logger)
		if err != nil {
			fmt.Fprintf(stderr, "tributary run: starting the demo backends: %v\n", err)
			return 1
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = backends.Close(sctx)
		}()
		logger.Info("demo backends started", "catalog", catalogAddr, "users", usersAddr)
	}

	if !fs.Changed("server") {
		*serverName = cfg.Server
	}
	srv, addr, wrapListener := newServer(*serverName, a, p, *port, logger) // net/http or fasthttp (run_server.go)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "tributary run: %v\n", err)
		return 1
	}
	ln = wrapListener(ln)
	stats, err := startStats(ctx, p.Metrics, logger)
	if err != nil {
		_ = ln.Close()
		fmt.Fprintf(stderr, "tributary run: %v\n", err)
		return 1
	}
	if stats != nil {
		defer stats.Close()
	}
	if p.Influx != nil { // telemetry/influx: stopped with ctx, last push at shutdownObserver
		p.Influx.Start(ctx)
		logger.Info("telemetry/influx pushing", "address", cfg.Influx.Address, "db", cfg.Influx.DB, "ttl", cfg.Influx.TTL.String())
	}
	stopProm, err := startPrometheus(a.Gateway.Observer(), logger)
	if err != nil {
		_ = ln.Close()
		fmt.Fprintf(stderr, "tributary run: %v\n", err)
		return 1
	}
	logger.Info("tributary listening", "addr", ln.Addr().String(), "endpoints", len(p.Endpoints), "version", currentVersion())
	if dash != nil {
		logger.Info("dashboard", "url", "http://"+ln.Addr().String()+httpadapter.DashboardPath)
	}

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
	if stats != nil {
		_ = stats.Shutdown(sctx)
	}
	// Shadow calls run detached from the responses already sent; give them
	// the same grace as the requests.
	if err := a.Gateway.WaitShadows(sctx); err != nil {
		logger.Warn("shadow calls still running at shutdown", "err", err)
	}
	a.Gateway.Client().CloseIdleConnections()
	stopProm(sctx)
	shutdownObserver(a.Gateway.Observer(), logger)
	return 0
}

// startStats starts the telemetry/metrics stats listener and the
// collection ticker, both ending with ctx; it returns nil when the config
// publishes no stats. A listen_address already in use is an error.
func startStats(ctx context.Context, m *plan.Metrics, logger *slog.Logger) (*http.Server, error) {
	if m == nil || !m.Publish {
		return nil, nil
	}
	srv := httpadapter.NewStatsServer(m, logger)
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return nil, fmt.Errorf("telemetry/metrics listen_address %q: %w", m.ListenAddress, err)
	}
	go m.Registry.Run(ctx)
	go func() { _ = srv.Serve(ln) }()
	logger.Info("stats listening", "addr", ln.Addr().String(), "path", httpadapter.StatsPath)
	return srv, nil
}

// closeLogSinks sends the log lines still queued for syslog or GELF,
// giving up after 5 s.
func closeLogSinks(s *telemetry.Sinks) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.Close(ctx)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && telemetry.IsTerminal(f)
}
