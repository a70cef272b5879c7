package conformance

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/tributary-gw/tributary/adapters/httpadapter"
	"github.com/tributary-gw/tributary/config"
	"github.com/tributary-gw/tributary/core/exec"
	"github.com/tributary-gw/tributary/core/plan"
)

// lamHost is the Host every Lambda-suite request carries unless the case
// sets one, so that no answer depends on a loopback port.
const lamHost = "gateway.test"

// lamCompile loads and compiles the config file at cfgPath exactly as
// `tributary run` does.
func lamCompile(cfgPath string) (*config.Config, *plan.Plan, error) {
	cfg, err := config.LoadFile(cfgPath, os.Environ())
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	p, err := plan.Compile(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("plan: %w", err)
	}
	return cfg, p, nil
}

// lamMaxTimeout is the largest endpoint timeout of a plan.
func lamMaxTimeout(p *plan.Plan) time.Duration {
	var d time.Duration
	for _, ep := range p.Endpoints {
		d = max(d, ep.Timeout)
	}
	return d
}

// lamServeHTTP serves the config file at cfgPath with the gateway
// `tributary run` builds (a fresh one per call, like a fresh process) on
// the HTTP runner's loopback server, and sends req the way the HTTP runner
// does (sendHTTP), with Host lamHost unless the case sets one.
func lamServeHTTP(cfgPath string, req *caseRequest) (*observed, error) {
	cfg, p, err := lamCompile(cfgPath)
	if err != nil {
		return nil, err
	}
	gw := exec.New(p, exec.Options{})
	defer gw.Client().CloseIdleConnections()
	addr, stop, err := serveHTTP(httpadapter.New(gw, httpadapter.Options{Logger: slog.New(slog.DiscardHandler)}), cfg)
	if err != nil {
		return nil, err
	}
	defer stop()
	client, tr := newHTTPClient()
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	return sendHTTP(ctx, client, addr, lamHost, req)
}

// lamFunctionTimeout is the function timeout the emulator gets for a plan
// whose largest endpoint timeout is maxT: maxT + 1 s rounded up to whole
// seconds, at least 3 s (the SAM template's rule, lambda.md §7.1).
func lamFunctionTimeout(maxT time.Duration) time.Duration {
	d := (maxT + time.Second + time.Second - 1).Truncate(time.Second)
	return max(d, 3*time.Second)
}
