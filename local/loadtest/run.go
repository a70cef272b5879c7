package main

import (
	"github.com/tributary-gw/tributary/local/measure"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// report is everything one harness run measured.
type report struct {
	Machine   machine          `json:"machine"`
	Command   string           `json:"command"`
	Generator string           `json:"generator"`
	Conns     int              `json:"connections"`
	GenProcs  int              `json:"generator_gomaxprocs"`
	GwProcs   int              `json:"gateway_gomaxprocs,omitempty"`
	BackProcs int              `json:"backend_gomaxprocs,omitempty"`
	Warmup    string           `json:"warmup"`
	Duration  string           `json:"duration"`
	Rounds    int              `json:"rounds"`
	Startup   *startupResult   `json:"startup,omitempty"`
	Scenarios []scenarioResult `json:"scenarios"`
	// Interrupted is set when the run stopped early; what is here is
	// complete, what is missing was not measured.
	Interrupted string `json:"interrupted,omitempty"`
}

// newGenerator returns the generator named by -gen.
func newGenerator(name string, procs int) (generator, error) {
	switch name {
	case "http":
		return httpGen{}, nil
	case "raw":
		return rawGen{}, nil
	case "wrk":
		p, err := exec.LookPath("wrk")
		if err != nil {
			return nil, fmt.Errorf("-gen wrk: %w", err)
		}
		return wrkGen{path: p, threads: procs}, nil
	}
	return nil, fmt.Errorf("unknown generator %q", name)
}

// run is the whole harness: build, start, measure, report. The report of
// what completed is printed even when a later step fails.
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	procs := goMaxProcs(o.procs)
	gen, err := newGenerator(o.gen, procs)
	if err != nil {
		return err
	}
	rep := &report{
		Machine: machineInfo(), Command: o.command, Generator: o.gen, Conns: o.conns,
		GenProcs: procs, GwProcs: o.gwProcs, BackProcs: o.backProcs,
		Warmup: o.warmup.String(), Duration: o.duration.String(), Rounds: o.rounds,
	}
	err = measureAll(ctx, o, gen, rep, stderr)
	relateToProxy(rep.Scenarios)
	if err != nil && len(rep.Scenarios) == 0 && rep.Startup == nil {
		return err
	}
	if err != nil {
		rep.Interrupted = err.Error()
	}
	printReport(stdout, rep)
	if o.jsonPath != "" {
		data, jerr := json.MarshalIndent(rep, "", "  ")
		if jerr == nil {
			jerr = os.WriteFile(o.jsonPath, append(data, '\n'), 0o644)
		}
		if jerr != nil {
			return errors.Join(err, fmt.Errorf("writing %s: %w", o.jsonPath, jerr))
		}
	}
	return err
}

// measureAll starts the processes and fills rep, scenario by scenario.
func measureAll(ctx context.Context, o options, gen generator, rep *report, progress io.Writer) error {
	dir, err := os.MkdirTemp("", "tributary-loadtest-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	ps := &procSet{}
	defer ps.stopAll()

	bin := o.gatewayBin
	if bin == "" {
		repo := o.repo
		if repo == "" {
			if repo, err = measure.FindRepo(o.workDir); err != nil {
				return err
			}
		}
		goBin, err := exec.LookPath("go")
		if err != nil {
			return fmt.Errorf("building the gateway: %w", err)
		}
		bin = filepath.Join(dir, "tributary")
		fmt.Fprintf(progress, "building the gateway (go build ./local/tributary in %s)…\n", repo)
		if err := buildGateway(ctx, goBin, repo, bin, o.env); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locating the harness binary: %w", err)
	}
	backend, backendAddr, err := startBackend(ctx, ps, self, childEnv(o.env, o.backProcs), filepath.Join(dir, "backend.log"))
	if err != nil {
		return err
	}
	gwEnv := childEnv(o.env, o.gwProcs)

	if o.startupRuns > 0 {
		fmt.Fprintf(progress, "start-up: %d runs with a %d-endpoint config…\n", o.startupRuns, startupEndpoints)
		st, err := measureStartup(ctx, ps, bin, backendAddr, dir, gwEnv, o.startupRuns)
		if err != nil {
			return err
		}
		rep.Startup = &st
	}

	// One key and token serve every secured scenario of the run.
	var fx *authFixture
	for _, sc := range scenarios() {
		if sc.Token && contains(o.scenarios, sc.Name) {
			if fx, err = newAuthFixture(dir, time.Now()); err != nil {
				return err
			}
			break
		}
	}
	h := &harness{
		gen:      gen,
		spec:     loadSpec{Conns: o.conns, Warmup: o.warmup, Duration: o.duration},
		selfPID:  os.Getpid(),
		progress: progress,
	}
	for _, sc := range scenarios() {
		if !contains(o.scenarios, sc.Name) {
			continue
		}
		fmt.Fprintf(progress, "scenario %s: %d round(s) × (%v + %v warm-up) × 2…\n", sc.Name, o.rounds, o.duration, o.warmup)
		servers := o.servers
		if len(servers) == 0 {
			servers = []string{"net/http"}
		}
		for _, server := range servers {
			res, err := runGatewayScenario(ctx, h, ps, sc, fx, bin, backend, backendAddr, dir, gwEnv, o.rounds, server)
			if err != nil {
				return err
			}
			rep.Scenarios = append(rep.Scenarios, res)
		}
	}
	return nil
}

// runGatewayScenario starts a gateway with the scenario's config, runs the
// rounds and stops it. fx is the secured scenarios' key material (nil when
// none of the selected scenarios needs it).
func runGatewayScenario(ctx context.Context, h *harness, ps *procSet, sc scenario, fx *authFixture, bin string,
	backend *child, backendAddr, dir string, env []string, rounds int, server string) (scenarioResult, error) {
	hs, err := requestHeaders(sc, fx)
	if err != nil {
		return scenarioResult{}, err
	}
	port, err := freePort()
	if err != nil {
		return scenarioResult{}, err
	}
	data, err := scenarioConfig(sc.Name, backendAddr, port, fx)
	if err != nil {
		return scenarioResult{}, err
	}
	cfg := filepath.Join(dir, sc.Name+".json")
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		return scenarioResult{}, fmt.Errorf("writing %s: %w", cfg, err)
	}
	var extra []string
	logName := "gateway-" + sc.Name + ".log"
	if server != "" && server != "net/http" {
		// The same scenario on another server: reported as "name [server]".
		extra, logName = []string{"--server", server}, "gateway-"+sc.Name+"-"+server+".log"
		sc.Name += " [" + server + "]"
	}
	gw, err := startGateway(ps, bin, cfg, port, env, filepath.Join(dir, logName), extra...)
	if err != nil {
		return scenarioResult{}, err
	}
	defer gw.stop()
	gwURL := fmt.Sprintf("http://127.0.0.1:%d%s", port, sc.GatewayPath)
	if err := waitFor200(ctx, gw, gwURL, 10*time.Millisecond, 15*time.Second, hs...); err != nil {
		return scenarioResult{}, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	// Both sides get the same headers, so the generator's work per request
	// is the same on both.
	direct := target{Name: "direct", URL: "http://" + backendAddr + sc.DirectPath, ServerPID: backend.pid(), Headers: hs}
	gateway := target{Name: "gateway", URL: gwURL, ServerPID: gw.pid(), BackendPID: backend.pid(), Headers: hs}
	res, err := h.runScenario(ctx, sc, direct, gateway, rounds)
	if err == nil && (backend.exited() || gw.exited()) {
		err = fmt.Errorf("scenario %s: a process exited during the run%s%s", sc.Name, backend.logTail(), gw.logTail())
	}
	return res, err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// machineInfo describes this machine; fields it cannot read say "unknown".
func machineInfo() machine {
	m := machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version(),
		CPUModel: "unknown", LoadAvg: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPUModel = cpuModel(b)
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAvg = loadAvg(b)
	}
	return m
}
