package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/tributary-gw/tributary/local/samlocal"
)

// Defaults of the sam start-api and sam invoke flags.
const (
	defaultSamPort = 3000
	defaultSamHost = "127.0.0.1"
	defaultRIE     = "bin/aws-lambda-rie"
	// emptyEvent is what sam invoke sends without --event, as `sam local
	// invoke` does.
	emptyEvent = "{}"
	// stdinEvent as the --event file reads the event from standard input.
	stdinEvent = "-"
)

// Help texts of the two commands: a usage line, then what the command
// does; the flags follow.
const (
	startAPIHelp = `Usage: tributary sam start-api [flags]

Serves the Api and HttpApi events of a SAM template over HTTP, like
"sam local start-api" but without Docker: each function runs under its own
AWS Lambda Runtime Interface Emulator, requests are routed and converted
to events as API Gateway does, and replies are converted back. Logs go to
standard error; stops on SIGINT or SIGTERM.
`
	invokeHelp = `Usage: tributary sam invoke [FUNCTION] [flags]

Invokes one function of a SAM template once, like "sam local invoke" but
without Docker, and prints its result on standard output; the emulator's
and the function's logs go to standard error. FUNCTION is the function's
logical ID; it may be left out when the template has only one function.
A function error is printed like a result and exits 0, as with
"sam local invoke" (see --fail-on-error).
`
)

// samLocalFlags are the flags start-api and invoke share.
type samLocalFlags struct {
	help         *bool
	template     *string
	envVars      *string
	overrides    *[]string
	rie          *string
	skipBuild    *bool
	bootstrapDir *string
}

func addSamLocalFlags(fs *pflag.FlagSet) samLocalFlags {
	return samLocalFlags{
		help: fs.BoolP("help", "h", false, "print this help and exit"),
		template: fs.StringP("template", "t", "",
			"SAM template `FILE` (default: .aws-sam/build/template.yaml if sam build wrote it, else template.yaml, template.yml or template.json)"),
		envVars: fs.String("env-vars", "",
			"JSON `FILE` of environment variables, as for sam local: {\"Parameters\": {\"VAR\": \"value\"}} for every function, {\"<LogicalId>\": {\"VAR\": \"value\"}} for one (which wins); only variables the template declares in Environment.Variables are set"),
		overrides: fs.StringArray("parameter-overrides", nil,
			"template parameter `VALUES`, as for sam local: Name=Value or ParameterKey=Name,ParameterValue=Value, several separated by spaces (quote a value holding spaces); they replace the parameters' Defaults wherever !Ref names them"),
		rie:       fs.String("rie", defaultRIE, "the aws-lambda-rie binary at `PATH` (make bin/aws-lambda-rie installs it)"),
		skipBuild: fs.Bool("skip-build", false, "do not run make; use the bootstraps already in --bootstrap-dir (implied for a template in .aws-sam/build)"),
		bootstrapDir: fs.String("bootstrap-dir", "",
			"each function's bootstrap is `DIR`/<LogicalId>/bootstrap; built there unless --skip-build (default: .build/sam next to the template, or the template's own directory for .aws-sam/build/template.yaml)"),
	}
}

// newSamFlagSet returns a flag set that reports errors to stderr and whose
// help, printed by the caller when --help is set, goes to stdout.
func newSamFlagSet(name, help string, stdout, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "%s\nFlags:\n%s", help, fs.FlagUsages())
	}
	return fs
}

// samLocalSetup is what start-api and invoke need once their flags are
// read.
type samLocalSetup struct {
	template *samlocal.Template
	options  samlocal.Options
	// addr is where start-api listens (host:port).
	addr string
	// listening, when set, is called with the address once start-api
	// accepts connections.
	listening func(addr string)
}

// load reads the template (found as `sam local` finds it when -t is not
// given) with the overrides applied, and resolves the emulator and the
// bootstraps.
func (f samLocalFlags) load(stderr io.Writer) (*samlocal.Template, samlocal.Options, error) {
	params, err := samlocal.ParseParameterOverrides(*f.overrides)
	if err != nil {
		return nil, samlocal.Options{}, err
	}
	var to samlocal.TemplateOptions
	if len(params) > 0 {
		to.Parameters = params
	}
	if *f.envVars != "" {
		if to.EnvVars, err = samlocal.LoadEnvVars(*f.envVars); err != nil {
			return nil, samlocal.Options{}, err
		}
	}
	path := *f.template
	if path == "" {
		if path, err = samlocal.FindTemplate("."); err != nil {
			return nil, samlocal.Options{}, fmt.Errorf("%w (or pass -t FILE)", err)
		}
	}
	t, err := samlocal.LoadTemplate(path, to)
	if err != nil {
		return nil, samlocal.Options{}, err
	}
	for _, w := range t.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if _, err := os.Stat(*f.rie); err != nil {
		return nil, samlocal.Options{}, fmt.Errorf("the Lambda Runtime Interface Emulator is not at %s: run `make bin/aws-lambda-rie` (or pass --rie PATH)", *f.rie)
	}
	built := samlocal.IsBuildOutput(t.Dir)
	dir := *f.bootstrapDir
	switch {
	case dir != "":
	case built:
		dir = t.Dir // where `sam build` put each function's bootstrap
	default:
		dir = filepath.Join(t.Dir, ".build", "sam")
	}
	o := samlocal.Options{RIE: *f.rie, Output: stderr}
	if *f.skipBuild || built {
		o.Bootstrap = samlocal.Prebuilt(dir)
	} else {
		o.Bootstrap = samlocal.Build(samlocal.BuildOptions{Dir: t.Dir, OutDir: dir, Output: stderr})
	}
	return t, o, nil
}

// spreadOverrides lets --parameter-overrides take several words, as `sam
// local` does (`--parameter-overrides A=1 B=2`): every argument after it
// that is not a flag and holds '=' becomes a --parameter-overrides of its
// own. Function IDs hold no '=', so nothing else is taken.
func spreadOverrides(args []string) []string {
	const flag = "--parameter-overrides"
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		if a == "--" {
			return append(out, args[i+1:]...)
		}
		switch {
		case a == flag && i+1 < len(args):
			i++
			out = append(out, args[i])
		case strings.HasPrefix(a, flag+"="):
		default:
			continue
		}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && strings.Contains(args[i+1], "=") {
			i++
			out = append(out, flag, args[i])
		}
	}
	return out
}

// parseSamFlags parses args; ok false means return code now (0 after
// --help, which prints the help on stdout).
func parseSamFlags(fs *pflag.FlagSet, flags samLocalFlags, args []string, name string, stderr io.Writer) (code int, ok bool) {
	if err := fs.Parse(spreadOverrides(args)); err != nil {
		fmt.Fprintf(stderr, "tributary %s: %v\nRun \"tributary %s --help\" for its flags.\n", name, err, name)
		return 2, false
	}
	if *flags.help {
		fs.Usage()
		return 0, false
	}
	if _, err := samlocal.ParseParameterOverrides(*flags.overrides); err != nil {
		fmt.Fprintf(stderr, "tributary %s: %v\n", name, err)
		return 2, false
	}
	return 0, true
}

// cmdSamStartAPI serves a template's API events until SIGINT or SIGTERM.
func cmdSamStartAPI(args []string, stdout, stderr io.Writer) int {
	setup, code, ok := parseStartAPI(args, stdout, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return startAPI(ctx, setup, stdout, stderr)
}

// parseStartAPI reads the start-api flags and the template; ok false means
// exit with code.
func parseStartAPI(args []string, stdout, stderr io.Writer) (setup samLocalSetup, code int, ok bool) {
	fs := newSamFlagSet("sam start-api", startAPIHelp, stdout, stderr)
	flags := addSamLocalFlags(fs)
	host := fs.String("host", defaultSamHost, "`ADDRESS` to listen on; anything but a loopback address exposes the functions to the network")
	p := fs.IntP("port", "p", defaultSamPort, "`PORT` to listen on (0 picks a free one)")
	if code, ok := parseSamFlags(fs, flags, args, "sam start-api", stderr); !ok {
		return setup, code, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tributary sam start-api: unexpected argument %q\n", fs.Arg(0))
		return setup, 2, false
	}
	if *p < 0 || *p > 65535 {
		fmt.Fprintf(stderr, "tributary sam start-api: --port %d is out of range 0-65535\n", *p)
		return setup, 2, false
	}
	if *host == "" {
		fmt.Fprintln(stderr, "tributary sam start-api: --host is empty")
		return setup, 2, false
	}
	if !loopback(*host) {
		fmt.Fprintf(stderr, "warning: --host %s: the API is reachable from other machines, and every function runs with your environment and credentials\n", *host)
	}
	t, o, err := flags.load(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "tributary sam start-api: %v\n", err)
		return setup, 1, false
	}
	o.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	return samLocalSetup{template: t, options: o, addr: net.JoinHostPort(*host, strconv.Itoa(*p))}, 0, true
}

// loopback reports whether host names this machine only.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// startAPI listens on s.addr, starts the emulators and serves until ctx
// ends; then it stops the server and every emulator.
func startAPI(ctx context.Context, s samLocalSetup, stdout, stderr io.Writer) int {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		fmt.Fprintf(stderr, "tributary sam start-api: %v\n", err)
		return 1
	}
	defer ln.Close()
	srv, err := samlocal.Start(ctx, s.template, s.options)
	if err != nil {
		fmt.Fprintf(stderr, "tributary sam start-api: %v\n", err)
		return 1
	}
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	routes := srv.Router().Routes()
	if len(routes) == 0 {
		fmt.Fprintln(stderr, "tributary sam start-api: the template has no Api or HttpApi events")
		return 1
	}
	var longest time.Duration
	for _, r := range routes {
		path := r.Event.Path
		if r.Event.IsDefaultRoute() {
			path = "/ ($default: every path)"
		}
		fmt.Fprintf(stdout, "Mounting %s at %s%s [%s] (%s, payload %s)\n", r.Function.LogicalID, base, path,
			r.Event.Method, r.Event.Type, r.Event.PayloadFormatVersion)
		longest = max(longest, r.Function.Timeout)
	}
	fmt.Fprintf(stdout, "Running on %s (Ctrl+C to quit)\n", base)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      longest + 15*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if s.listening != nil {
		s.listening(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	code := 0
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "tributary sam start-api: %v\n", err)
		code = 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "tributary sam start-api: shutdown cut short: %v\n", err)
		_ = hs.Close()
	}
	if code == 0 {
		<-errc
	}
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "tributary sam start-api: %v\n", err)
		code = 1
	}
	return code
}

// cmdSamInvoke invokes one function once and prints its result; `-e -`
// reads the event from standard input.
func cmdSamInvoke(args []string, stdout, stderr io.Writer) int {
	return samInvoke(args, os.Stdin, stdout, stderr)
}

// samInvoke is cmdSamInvoke with standard input passed in.
func samInvoke(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newSamFlagSet("sam invoke", invokeHelp, stdout, stderr)
	flags := addSamLocalFlags(fs)
	eventFile := fs.StringP("event", "e", "", "event `FILE`, passed verbatim; - reads it from standard input (default: the empty event {})")
	noEvent := fs.Bool("no-event", false, "invoke with the empty event {} (what happens without --event too)")
	failOnError := fs.Bool("fail-on-error", false, "exit 1 when the function returns an error (default: print the error and exit 0, as sam local invoke does)")
	if code, ok := parseSamFlags(fs, flags, args, "sam invoke", stderr); !ok {
		return code
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "tributary sam invoke: unexpected argument %q: give at most one FUNCTION\n", fs.Arg(1))
		return 2
	}
	if *noEvent && fs.Changed("event") {
		fmt.Fprintln(stderr, "tributary sam invoke: --no-event and --event cannot be used together")
		return 2
	}
	t, o, err := flags.load(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "tributary sam invoke: %v\n", err)
		return 1
	}
	fn, code := pickFunction(t, fs.Arg(0), stderr)
	if fn == nil {
		return code
	}
	event, err := readEvent(*eventFile, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "tributary sam invoke: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return invokeOnce(ctx, fn, event, o, *failOnError, stdout, stderr)
}

// pickFunction returns the function named id, or the template's only
// function when id is empty; nil means exit with code.
func pickFunction(t *samlocal.Template, id string, stderr io.Writer) (*samlocal.Function, int) {
	ids := make([]string, 0, len(t.Functions))
	for _, f := range t.Functions {
		ids = append(ids, f.LogicalID)
	}
	switch {
	case len(t.Functions) == 0:
		fmt.Fprintf(stderr, "tributary sam invoke: %s has no AWS::Serverless::Function\n", t.Path)
		return nil, 1
	case id == "" && len(t.Functions) == 1:
		return t.Functions[0], 0
	case id == "":
		fmt.Fprintf(stderr, "tributary sam invoke: %s has %d functions; name the one to invoke: %s\n", t.Path, len(ids), strings.Join(ids, ", "))
		return nil, 2
	}
	if fn := t.Function(id); fn != nil {
		return fn, 0
	}
	fmt.Fprintf(stderr, "tributary sam invoke: %s has no function %q; its functions: %s\n", t.Path, id, strings.Join(ids, ", "))
	return nil, 1
}

// readEvent returns the event: the file's bytes, standard input's for "-",
// or {} when no file is named. It must be JSON of at most Lambda's invoke
// payload size.
func readEvent(file string, stdin io.Reader) ([]byte, error) {
	if file == "" {
		return []byte(emptyEvent), nil
	}
	name, r := file, stdin
	if file == stdinEvent {
		name = "the event on standard input"
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, samlocal.MaxInvokePayload+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > samlocal.MaxInvokePayload {
		return nil, fmt.Errorf("%s is larger than Lambda's %d-byte invoke payload", name, samlocal.MaxInvokePayload)
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%s is not valid JSON", name)
	}
	return data, nil
}

// invokeOnce runs the invoke and prints the result on stdout. A function
// error is printed the same way and exits 0, as with `sam local invoke`,
// unless failOnError.
func invokeOnce(ctx context.Context, fn *samlocal.Function, event []byte, o samlocal.Options, failOnError bool, stdout, stderr io.Writer) int {
	res, err := samlocal.Invoke(ctx, fn, event, o)
	if err != nil {
		fmt.Fprintf(stderr, "tributary sam invoke: %v\n", err)
		return 1
	}
	body := res.Body
	if len(body) == 0 || body[len(body)-1] != '\n' {
		body = append(body, '\n')
	}
	if _, err := stdout.Write(body); err != nil {
		fmt.Fprintf(stderr, "tributary sam invoke: %v\n", err)
		return 1
	}
	if res.FunctionError && failOnError {
		fmt.Fprintf(stderr, "tributary sam invoke: %s returned a function error (emulator status %d)\n", fn.LogicalID, res.Status)
		return 1
	}
	return 0
}
