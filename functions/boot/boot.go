// Package boot is the composition root. Assemble wires a gateway from a
// compiled plan the one way every entry point does; New wires a Lambda
// function at init: load and validate the config, compile the plan,
// assemble, and wrap the gateway's http.Handler in the Lambda adapter. It is
// shared by functions/gateway and functions/endpoint, whose main functions
// only call New and start the runtime loop, and by `tributary run`.
package boot

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-gw/tributary/adapters/lambdaadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/plan"
)

// Environment variables read at init (krakend-compat §2.4: reserved, never
// config overrides).
const (
	EnvConfig             = "TRIBUTARY_CONFIG"
	EnvEndpoint           = "TRIBUTARY_ENDPOINT"
	EnvBasePath           = "TRIBUTARY_BASE_PATH"
	EnvIntegrationTimeout = "TRIBUTARY_INTEGRATION_TIMEOUT"
	// EnvStrict set to 1 makes init load the config as `tributary check
	// --strict` does: every warning fails init.
	EnvStrict = "TRIBUTARY_STRICT"
)

// DefaultIntegrationTimeout is API Gateway's REST integration timeout; an
// endpoint timeout at or above it fails init (security.md §4).
const DefaultIntegrationTimeout = 29 * time.Second

// thawGap is the wall-clock gap after which pooled upstream connections are
// assumed dead (NAT idle cut-off, backend keep-alive) and closed before the
// invoke runs (security.md §4).
const thawGap = 30 * time.Second

// Options select what a function serves.
type Options struct {
	// PerEndpoint serves only the endpoint named by TRIBUTARY_ENDPOINT and
	// accepts direct invocations for it.
	PerEndpoint bool
	// Version is sent as X-Tributary-Version when the config asks for it.
	Version string
}

// New builds the function's handler from env ("KEY=VALUE" pairs). Logs go
// to logOut. Any error carries every config problem, formatted exactly as
// `tributary check` prints them.
func New(env []string, logOut io.Writer, o Options) (*lambdaadapter.Adapter, error) {
	vars := lookup(env)
	cfg, err := config.LoadFile(vars[EnvConfig], env)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s=%s: %w; a template generated with `tributary sam generate -c FILE -o template.yaml` deploys the config it left in %s: build with `sam build` (or `make build-<LogicalId>`) from the template's directory",
			EnvConfig, vars[EnvConfig], err, ".tributary/gateway.json")
	}
	if err != nil {
		return nil, err
	}
	if vars[EnvStrict] == "1" && len(cfg.Warnings) > 0 {
		return nil, config.Errors(cfg.Warnings) // as --strict prints them
	}
	if err := lambdaRefusals(cfg); err != nil {
		return nil, err
	}
	if cfg.Logging.Syslog { // the loader does not know it runs in a function
		d := cfg.Logging.SyslogAt
		d.Problem = "no syslog in Lambda: a function has no local syslog socket"
		d.Hint = `remove "syslog" or set it to false; a function's standard output already goes to CloudWatch Logs`
		return nil, config.Errors{d}
	}
	limit := DefaultIntegrationTimeout
	if s := vars[EnvIntegrationTimeout]; s != "" {
		if limit, err = time.ParseDuration(s); err != nil || limit <= 0 {
			return nil, fmt.Errorf("%s=%q: want a positive Go duration such as 60s", EnvIntegrationTimeout, s)
		}
	}
	var p *plan.Plan
	var direct *lambdaadapter.DirectEndpoint
	if o.PerEndpoint {
		if vars[EnvEndpoint] == "" {
			return nil, fmt.Errorf("%s is not set; valid values: %s", EnvEndpoint, validEndpoints(cfg))
		}
		ep, err := lambdaadapter.ParseEndpoint(vars[EnvEndpoint])
		if err != nil {
			return nil, fmt.Errorf("%s: %w; valid values: %s", EnvEndpoint, err, validEndpoints(cfg))
		}
		if p, err = plan.CompileEndpoint(cfg, ep.Method, ep.Template); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvEndpoint, err)
		}
		direct = &ep
	} else if p, err = plan.Compile(cfg); err != nil {
		return nil, err
	}
	served := make(map[string]bool, len(p.Endpoints)) // a per-endpoint plan serves one
	for _, ep := range p.Endpoints {
		served[ep.Method+" "+ep.Path] = true
	}
	var tooLong config.Errors
	for _, e := range cfg.Endpoints {
		if served[e.Method+" "+e.Path] && e.Timeout >= limit {
			tooLong = append(tooLong, config.Diagnostic{File: cfg.Source, Pos: e.Pos, Path: e.JSONPath + ".timeout",
				Problem: fmt.Sprintf("timeout %s is not below the API Gateway integration timeout %s", e.Timeout, limit),
				Hint:    "lower it, or declare a raised REST quota with " + EnvIntegrationTimeout})
		}
	}
	if len(tooLong) > 0 {
		return nil, tooLong
	}

	a := Assemble(cfg, p, AssembleOptions{LogOut: logOut, Version: o.Version, DeadlineMargin: lambdaadapter.DeadlineMargin,
		CancelShadows: true, LogHandler: lambdaadapter.NewLogHandler})
	gw, logger := a.Gateway, a.Logger
	if vars[EnvConfig] == "" {
		logger.Warn("serving the bundled demo config: its backends are demo addresses on 127.0.0.1; deploy your own with `tributary sam generate -c FILE -o template.yaml` (TRIBUTARY_CONFIG is unset)",
			"config", cfg.Source)
	}
	return lambdaadapter.New(withStatsLog(a.Handler, p.Metrics, logger), lambdaadapter.Options{
		BasePath:       vars[EnvBasePath],
		Direct:         direct,
		MaxHeaderBytes: cfg.MaxHeaderBytes,
		Logger:         logger,
		BeforeInvoke: func(gap time.Duration) {
			if gap > thawGap {
				gw.Client().CloseIdleConnections()
			}
		},
		// Buffered telemetry is sent before each invoke returns, bounded
		// by FlushBound (InfluxFlushBound with telemetry/influx).
		AfterInvoke: withLogSinksFlush(flushAfterInvoke(gw.Observer(), flushBound(p), logger), a.LogSinks),
	}), nil
}

// Describe renders an init error the way `tributary check` prints it.
func Describe(err error) string {
	var errs config.Errors
	if errors.As(err, &errs) {
		return errs.Error()
	}
	return err.Error()
}

// validEndpoints lists the TRIBUTARY_ENDPOINT values cfg accepts, quoted,
// in config order (lambda.md §4.1: a missing or unknown value lists them).
func validEndpoints(cfg *config.Config) string {
	valid := make([]string, 0, len(cfg.Endpoints))
	for _, e := range cfg.Endpoints {
		valid = append(valid, strconv.Quote(e.Method+" "+e.Path))
	}
	return strings.Join(valid, ", ")
}

func lookup(env []string) map[string]string {
	m := make(map[string]string, 4)
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		switch k {
		case EnvConfig, EnvEndpoint, EnvBasePath, EnvIntegrationTimeout, EnvStrict:
			if _, seen := m[k]; !seen {
				m[k] = v
			}
		}
	}
	return m
}
