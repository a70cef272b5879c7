package boot

import (
	"io"
	"log/slog"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/observe"
	"github.com/tributary-gw/tributary/core/plan"
	"github.com/tributary-gw/tributary/core/recent"
	"github.com/tributary-gw/tributary/core/telemetry"
)

// Assembled is a gateway wired from a compiled plan: the executor, the
// http.Handler that every transport serves, and the logger both write to.
// The Lambda functions wrap Handler in the Lambda adapter; `tributary run`
// serves it with httpadapter.NewServer.
type Assembled struct {
	// Gateway executes the plan.
	Gateway *exec.Gateway
	// Handler serves the gateway over net/http.
	Handler *httpadapter.Handler
	// Logger receives access, backend-failure and config-warning lines.
	Logger *slog.Logger
	// LogSinks are the logger's network outputs (syslog, GELF), nil when
	// the config has none; a server closes them on shutdown.
	LogSinks *telemetry.Sinks
}

// AssembleOptions say how a gateway is wired. The zero value discards logs.
type AssembleOptions struct {
	// LogOut receives the log lines; nil discards them.
	LogOut io.Writer
	// Terminal says LogOut is a terminal (text lines instead of JSON).
	Terminal bool
	// Debug forces DEBUG logging and enables /__debug/ (tributary run -d).
	Debug bool
	// Version is sent as X-Tributary-Version when the config asks for it.
	Version string
	// DeadlineMargin is exec.Options.DeadlineMargin: the Lambda functions
	// set lambdaadapter.DeadlineMargin; a server leaves it 0.
	DeadlineMargin time.Duration
	// CancelShadows is exec.Options.CancelShadows: the Lambda functions
	// set it, because nothing may run after the handler returns, so shadow
	// backend calls still running when the response is ready are
	// cancelled; a server leaves it false.
	CancelShadows bool
	// LogHandler, when set, wraps the log handler: the Lambda functions add
	// Lambda's correlation fields (lambdaadapter.NewLogHandler).
	LogHandler func(slog.Handler) slog.Handler
	// Dashboard, when set with Debug, observes every request and serves
	// the local dashboard of the last ones at /__dashboard (tributary run
	// -d). Default none.
	Dashboard *recent.Ring
}

// Assemble wires the gateway for p, compiled from cfg, the one way every
// entry point does (functions/gateway, functions/endpoint and `tributary
// run`), and logs cfg's warnings.
func Assemble(cfg *config.Config, p *plan.Plan, o AssembleOptions) *Assembled {
	lg := cfg.Logging
	lo := telemetry.LogOptions{
		Level: lg.Level, Prefix: lg.Prefix, Stdout: lg.Stdout, Format: lg.Format,
		Terminal: o.Terminal, Debug: o.Debug, Syslog: lg.Syslog, SyslogFacility: lg.SyslogFacility,
	}
	if g := cfg.GELF; g != nil {
		lo.GELFAddress, lo.GELFTCP = g.Address, g.TCP
	}
	logger, sinks := telemetry.OpenLogger(lo, o.LogOut)
	if o.LogHandler != nil {
		logger = slog.New(o.LogHandler(logger.Handler()))
	}
	for _, w := range cfg.Warnings {
		logger.Warn("config warning", "warning", w.String())
	}
	var obs observe.Observer
	if o.Dashboard != nil {
		obs = o.Dashboard
	}
	gw := exec.New(p, exec.Options{Logger: logger, DeadlineMargin: o.DeadlineMargin, CancelShadows: o.CancelShadows, Observer: obs})
	setObserverLogger(p.Observer, logger)
	if p.Influx != nil {
		p.Influx.SetLogger(logger) // failed pushes, rate-limited
	}
	h := httpadapter.New(gw, httpadapter.Options{Logger: logger, Debug: o.Debug, Version: o.Version, Dashboard: o.Dashboard})
	return &Assembled{Gateway: gw, Handler: h, Logger: logger, LogSinks: sinks}
}
