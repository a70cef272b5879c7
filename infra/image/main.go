// Command image builds Tributary's container images without a Docker
// daemon: a static binary and the config in one layer on an empty base,
// assembled with go-containerregistry and written as an OCI image layout
// and as a docker-archive tarball for `docker load` / `podman load`.
//
//	go run ./infra/image [-o DIR] [-c FILE] [--lambda [--function gateway|endpoint]]
//	                     [--arch amd64|arm64] [--tag NAME:TAG] [--version V] [--ca-certs FILE]
//
// The server image (the default) runs `/tributary run -c
// /etc/tributary/gateway.json` as uid/gid 65532 and exposes the config's
// port (8080 by default). The Lambda image (--lambda) has the Lambda
// bootstrap at /var/runtime/bootstrap as its entrypoint, for a function
// with PackageType Image; no AWS base image is used.
//
// Builds are deterministic: every mtime and the creation time are the Unix
// epoch, or SOURCE_DATE_EPOCH when it is set, so equal inputs give equal
// digests. `make image` and `make image-lambda` run this command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tributary-gw/tributary/config"
)

// defaultCACerts is the host's CA bundle on Debian, Ubuntu and Alpine.
const defaultCACerts = "/etc/ssl/certs/ca-certificates.crt"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command: it parses args, builds the binary, assembles the
// image and writes it. env is the process environment (SOURCE_DATE_EPOCH
// is read from it, and the go command runs with it). It returns the exit
// code.
func run(ctx context.Context, args, env []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("image", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "", "output directory: `DIR`/oci (OCI layout) and DIR/image.tar (docker-archive) (default .build/image, or .build/image-lambda)")
	cfgPath := fl.String("c", "", "gateway config `FILE` to bake in (default: config/gateway.json for the server image; none for --lambda, which then serves the config embedded in the bootstrap)")
	lambda := fl.Bool("lambda", false, "build the AWS Lambda container image (bootstrap entrypoint) instead of the server image")
	function := fl.String("function", "gateway", "with --lambda: which function, gateway (every endpoint) or endpoint (set TRIBUTARY_ENDPOINT in the function's environment)")
	arch := fl.String("arch", runtime.GOARCH, "target `GOARCH`: amd64 or arm64")
	tag := fl.String("tag", "", "image `NAME:TAG` in the tarball and the layout (default tributary:latest, or tributary-lambda:latest)")
	version := fl.String("version", "dev", "version stamped into the binary and the image label")
	caCerts := fl.String("ca-certs", defaultCACerts, "PEM CA bundle `FILE` to include, for HTTPS backends; empty to leave it out")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "image: unexpected arguments %q\n", fl.Args())
		return 2
	}
	if *arch != "amd64" && *arch != "arm64" {
		fmt.Fprintf(stderr, "image: --arch %q: want amd64 or arm64 (the architectures Lambda and the usual container hosts run)\n", *arch)
		return 2
	}
	pkg := ServerPackage
	if *lambda {
		switch *function {
		case "gateway":
			pkg = GatewayPackage
		case "endpoint":
			pkg = EndpointPackage
		default:
			fmt.Fprintf(stderr, "image: --function %q: want gateway or endpoint\n", *function)
			return 2
		}
	}
	if *tag == "" {
		*tag = "tributary:latest"
		if *lambda {
			*tag = "tributary-lambda:latest"
		}
	}
	if *out == "" {
		*out = filepath.Join(".build", "image")
		if *lambda {
			*out += "-lambda"
		}
	}
	created, err := sourceDateEpoch(env)
	if err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 2
	}

	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 1
	}
	repo, err := findRepo(wd)
	if err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 1
	}
	spec := Spec{Lambda: *lambda, Arch: *arch, Version: *version, Created: created}
	if *cfgPath == "" && !*lambda {
		*cfgPath = filepath.Join(repo, "config", "gateway.json")
	}
	if *cfgPath != "" {
		if spec.Config, err = os.ReadFile(*cfgPath); err != nil {
			fmt.Fprintf(stderr, "image: config: %v\n", err)
			return 1
		}
		// The loader `tributary check` and the functions run: a config
		// they would refuse never makes it into an image.
		if _, err := config.Load(*cfgPath, spec.Config, env); err != nil {
			fmt.Fprintf(stderr, "image: %s is not a valid config:\n%v\n", *cfgPath, err)
			return 1
		}
	}
	if *caCerts != "" {
		spec.CACerts, err = os.ReadFile(*caCerts)
		switch {
		case errors.Is(err, fs.ErrNotExist) && *caCerts == defaultCACerts:
			fmt.Fprintf(stderr, "image: warning: %s not found; the image has no CA bundle, so HTTPS backends will fail verification (pass --ca-certs FILE)\n", defaultCACerts)
		case err != nil:
			fmt.Fprintf(stderr, "image: --ca-certs: %v\n", err)
			return 1
		}
	}

	tmp, err := os.MkdirTemp("", "tributary-image-")
	if err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "binary")
	b := goBuild{Repo: repo, Package: pkg, Arch: *arch, Lambda: *lambda, Version: *version, Out: bin, Env: env}
	if err := b.run(ctx); err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 1
	}
	if spec.Binary, err = os.ReadFile(bin); err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 1
	}
	img, err := Build(spec)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	res, err := Write(img, *out, *tag)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}

	kind := "server: " + ServerBinary + " run -c " + ConfigPath
	if *lambda {
		kind = "lambda (" + *function + "): " + LambdaBootstrap
	}
	cfgNote := *cfgPath
	if cfgNote == "" {
		cfgNote = "none (the bootstrap's embedded config)"
	}
	fmt.Fprintf(stdout, "image   %s, linux/%s, %s\n", *tag, *arch, kind)
	fmt.Fprintf(stdout, "config  %s\n", cfgNote)
	fmt.Fprintf(stdout, "digest  %s  (OCI manifest, %s)\n", res.Digest, res.LayoutPath)
	fmt.Fprintf(stdout, "id      %s  (config digest: the image ID docker/podman load shows)\n", res.ImageID)
	fmt.Fprintf(stdout, "sizes   binary %s, layer %s compressed, %s %s\n",
		mb(int64(len(spec.Binary))), mb(res.LayerSize), TarName, mb(res.TarSize))
	fmt.Fprintf(stdout, "created %s  (every mtime; SOURCE_DATE_EPOCH sets it)\n", created.Format(time.RFC3339))
	fmt.Fprintf(stdout, "load    docker load -i %s   (or podman load -i %s)\n", res.TarPath, res.TarPath)
	return 0
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH (seconds since the Unix epoch)
// from env; unset means the epoch itself.
func sourceDateEpoch(env []string) (time.Time, error) {
	var s string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "SOURCE_DATE_EPOCH="); ok {
			s = v
		}
	}
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want a non-negative number of seconds", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// mb formats a byte count in megabytes (10^6), one decimal.
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
