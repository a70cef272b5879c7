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
	defaultTemplate = "template.yaml"
	defaultSamPort  = 3000
	defaultRIE      = "bin/aws-lambda-rie"
)

// samLocalFlags are the flags start-api and invoke share.
type samLocalFlags struct {
	template     *string
	rie          *string
	skipBuild    *bool
	bootstrapDir *string
}

func addSamLocalFlags(fs *pflag.FlagSet) samLocalFlags {
	return samLocalFlags{
		template:  fs.StringP("template", "t", defaultTemplate, "SAM template `FILE`"),
		rie:       fs.String("rie", defaultRIE, "the aws-lambda-rie binary at `PATH` (make bin/aws-lambda-rie installs it)"),
		skipBuild: fs.Bool("skip-build", false, "do not run make; use the bootstraps already in --bootstrap-dir"),
		bootstrapDir: fs.String("bootstrap-dir", "",
			"each function's bootstrap is `DIR`/<LogicalId>/bootstrap; built there unless --skip-build (default: .build/sam next to the template; .aws-sam/build works after sam build)"),
	}
}

// samLocalSetup is what start-api and invoke need once their flags are
// read.
type samLocalSetup struct {
	template *samlocal.Template
	options  samlocal.Options
	// listening, when set, is called with the address once start-api
	// accepts connections.
	listening func(addr string)
}

// load reads the template and resolves the emulator and the bootstraps.
func (f samLocalFlags) load(stderr io.Writer) (*samlocal.Template, samlocal.Options, error) {
	t, err := samlocal.LoadTemplate(*f.template)
	if err != nil {
		return nil, samlocal.Options{}, err
	}
	for _, w := range t.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if _, err := os.Stat(*f.rie); err != nil {
		return nil, samlocal.Options{}, fmt.Errorf("the Lambda Runtime Interface Emulator is not at %s: run `make bin/aws-lambda-rie` (or pass --rie PATH)", *f.rie)
	}
	dir := *f.bootstrapDir
	if dir == "" {
		dir = filepath.Join(t.Dir, ".build", "sam")
	}
	o := samlocal.Options{RIE: *f.rie, Output: stderr}
	if *f.skipBuild {
		o.Bootstrap = samlocal.Prebuilt(dir)
	} else {
		o.Bootstrap = samlocal.Build(samlocal.BuildOptions{Dir: t.Dir, OutDir: dir, Output: stderr})
	}
	return t, o, nil
}

// cmdSamStartAPI serves a template's API events on 127.0.0.1 until SIGINT
// or SIGTERM.
func cmdSamStartAPI(args []string, stdout, stderr io.Writer) int {
	port, setup, code, ok := parseStartAPI(args, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return startAPI(ctx, port, setup, stdout, stderr)
}

// parseStartAPI reads the start-api flags and the template; ok false means
// exit with code.
func parseStartAPI(args []string, stderr io.Writer) (port int, setup samLocalSetup, code int, ok bool) {
	fs := pflag.NewFlagSet("sam start-api", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := addSamLocalFlags(fs)
	p := fs.IntP("port", "p", defaultSamPort, "`PORT` to listen on, always on 127.0.0.1 (0 picks a free one)")
	if code, ok := parseSamFlags(fs, args, "sam start-api", stderr); !ok {
		return 0, setup, code, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tributary sam start-api: unexpected argument %q\n", fs.Arg(0))
		return 0, setup, 2, false
	}
	if *p < 0 || *p > 65535 {
		fmt.Fprintf(stderr, "tributary sam start-api: --port %d is out of range 0-65535\n", *p)
		return 0, setup, 2, false
	}
	t, o, err := flags.load(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "tributary sam start-api: %v\n", err)
		return 0, setup, 1, false
	}
	o.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	return *p, samLocalSetup{template: t, options: o}, 0, true
}

// startAPI listens on 127.0.0.1:port, starts the emulators and serves until
// ctx ends; then it stops the server and every emulator.
func startAPI(ctx context.Context, port int, s samLocalSetup, stdout, stderr io.Writer) int {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
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

// cmdSamInvoke invokes one function once and prints its result.
func cmdSamInvoke(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("sam invoke", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := addSamLocalFlags(fs)
	eventFile := fs.StringP("event", "e", "", "event `FILE`, passed verbatim (default: a GET / event shaped like the function's first API event, or {} when it has none)")
	if code, ok := parseSamFlags(fs, args, "sam invoke", stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "tributary sam invoke: want exactly one FUNCTION (a logical ID of the template), got %d arguments\n", fs.NArg())
		return 2
	}
	id := fs.Arg(0)
	t, o, err := flags.load(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "tributary sam invoke: %v\n", err)
		return 1
	}
	fn := t.Function(id)
	if fn == nil {
		ids := make([]string, 0, len(t.Functions))
		for _, f := range t.Functions {
			ids = append(ids, f.LogicalID)
		}
		fmt.Fprintf(stderr, "tributary sam invoke: %s has no function %q; its functions: %s\n", *flags.template, id, strings.Join(ids, ", "))
		return 1
	}
	var event []byte
	if *eventFile == "" {
		event = samlocal.DefaultEvent(fn, time.Now())
	} else if event, err = os.ReadFile(*eventFile); err != nil {
		fmt.Fprintf(stderr, "tributary sam invoke: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return invokeOnce(ctx, fn, event, o, stdout, stderr)
}

// invokeOnce runs the invoke and prints the result; a function error is
// printed too and exits 1.
func invokeOnce(ctx context.Context, fn *samlocal.Function, event []byte, o samlocal.Options, stdout, stderr io.Writer) int {
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
	if res.FunctionError {
		fmt.Fprintf(stderr, "tributary sam invoke: %s returned a function error (emulator status %d)\n", fn.LogicalID, res.Status)
		return 1
	}
	return 0
}

// parseSamFlags parses args; ok false means return code now.
func parseSamFlags(fs *pflag.FlagSet, args []string, name string, stderr io.Writer) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0, false
		}
		fmt.Fprintf(stderr, "tributary %s: %v\n", name, err)
		return 2, false
	}
	return 0, true
}
