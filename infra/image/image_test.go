package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// buildMu runs one `go build` at a time: the tests run in parallel, and
// two builds of packages that share most dependencies would compete for
// the same two cores.
var buildMu sync.Mutex

// buildBinary builds pkg for this machine's architecture the way the
// command does (static, stripped, lambda.norpc for bootstraps) and returns
// its bytes.
func buildBinary(t *testing.T, pkg string, lambda bool) []byte {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := findRepo(wd)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "bin")
	b := goBuild{Repo: repo, Package: pkg, Arch: runtime.GOARCH, Lambda: lambda, Version: "test", Out: out, Env: os.Environ()}
	start := time.Now()
	if err := b.run(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("go build %s: %s", pkg, time.Since(start).Round(time.Millisecond))
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// backend is a canned upstream on loopback: GET /greet answers a small
// JSON object, of which the test config keeps one field.
func backend(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/greet" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"msg":"hello from the backend","secret":"dropped by allow"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// testConfig is a one-endpoint config bound to loopback whose backend is
// backendURL.
func testConfig(backendURL string) []byte {
	return fmt.Appendf(nil, `{
  "version": 3,
  "name": "image-test",
  "port": 8080,
  "listen_ip": "127.0.0.1",
  "timeout": "2s",
  "endpoints": [
    {
      "endpoint": "/hello",
      "method": "GET",
      "backend": [{"host": [%q], "url_pattern": "/greet", "allow": ["msg"]}]
    }
  ]
}`, backendURL)
}

// wantHello is /hello's body: the backend's document, shaped by "allow".
const wantHello = `{"msg":"hello from the backend"}`

// unpacked is an image's root filesystem extracted into a directory, with
// each entry's tar header kept for ownership checks.
type unpacked struct {
	root    string
	headers map[string]*tar.Header // by path, no leading slash, dirs without "/"
}

// unpack flattens img (mutate.Extract) into a fresh directory. Paths that
// would leave the directory fail the test.
func unpack(t *testing.T, img v1.Image) unpacked {
	t.Helper()
	u := unpacked{root: t.TempDir(), headers: map[string]*tar.Header{}}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("extract: %v", err)
		}
		rel := strings.TrimSuffix(filepath.Clean(h.Name), "/")
		if !filepath.IsLocal(rel) {
			t.Fatalf("extract: unsafe path %q", h.Name)
		}
		u.headers[rel] = h
		dst := filepath.Join(u.root, rel)
		switch h.Typeflag {
		case tar.TypeDir:
			// 0755 here so the test can write into every directory; the
			// image's own modes are checked on the headers.
			if err := os.MkdirAll(dst, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fs.FileMode(h.Mode).Perm())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				f.Close()
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("extract: %s has unexpected type %q", h.Name, h.Typeflag)
		}
	}
	return u
}

// path maps an absolute path inside the image to the unpacked tree.
func (u unpacked) path(p string) string { return filepath.Join(u.root, filepath.FromSlash(p)) }

// checkEntry asserts one entry's type, mode and owner.
func (u unpacked) checkEntry(t *testing.T, p string, dir bool, mode int64, uid int) {
	t.Helper()
	h, ok := u.headers[strings.Trim(p, "/")]
	if !ok {
		t.Errorf("%s: not in the image", p)
		return
	}
	if got := h.Typeflag == tar.TypeDir; got != dir {
		t.Errorf("%s: directory %v, want %v", p, got, dir)
	}
	if h.Mode != mode {
		t.Errorf("%s: mode %#o, want %#o", p, h.Mode, mode)
	}
	if h.Uid != uid || h.Gid != uid {
		t.Errorf("%s: owner %d:%d, want %d:%d", p, h.Uid, h.Gid, uid, uid)
	}
	if !h.ModTime.Equal(time.Unix(0, 0)) {
		t.Errorf("%s: mtime %s, want the Unix epoch", p, h.ModTime.UTC())
	}
}

// readBack reads the written image back from both outputs and checks
// they agree with img: the layout by manifest digest, the tarball (which
// carries no manifest) by config digest and layer content.
func readBack(t *testing.T, img v1.Image, res Result, tag string) (fromLayout, fromTar v1.Image) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(res.LayoutPath)
	if err != nil {
		t.Fatalf("layout: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		t.Fatalf("layout index has %d manifests, want 1", len(im.Manifests))
	}
	d := im.Manifests[0]
	if d.Digest != res.Digest {
		t.Errorf("layout manifest %s, want %s", d.Digest, res.Digest)
	}
	ref, _ := name.NewTag(tag)
	if got := d.Annotations[refNameAnnotation]; got != ref.TagStr() {
		t.Errorf("layout ref name %q, want %q", got, ref.TagStr())
	}
	if d.Platform == nil || d.Platform.OS != "linux" || d.Platform.Architecture != runtime.GOARCH {
		t.Errorf("layout platform %+v, want linux/%s", d.Platform, runtime.GOARCH)
	}
	if fromLayout, err = idx.Image(d.Digest); err != nil {
		t.Fatal(err)
	}
	if got, _ := fromLayout.Digest(); got != res.Digest {
		t.Errorf("image read from the layout has digest %s, want %s", got, res.Digest)
	}

	if fromTar, err = tarball.ImageFromPath(res.TarPath, &ref); err != nil {
		t.Fatalf("tarball: %v", err)
	}
	want, _ := img.ConfigName()
	if got, _ := fromTar.ConfigName(); got != want || got != res.ImageID {
		t.Errorf("image read from the tarball has image ID %s, want %s", got, want)
	}
	wantLayers, _ := img.Layers()
	gotLayers, err := fromTar.Layers()
	if err != nil || len(gotLayers) != len(wantLayers) {
		t.Fatalf("tarball layers: %d, %v; want %d", len(gotLayers), err, len(wantLayers))
	}
	for i := range wantLayers {
		w, _ := wantLayers[i].DiffID()
		g, err := gotLayers[i].DiffID()
		if err != nil || g != w {
			t.Errorf("tarball layer %d: diff ID %s (%v), want %s", i, g, err, w)
		}
	}
	// docker load reads manifest.json: the tag must be there.
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(res.TarPath) })
	if err != nil || len(m) != 1 || !slices.Contains(m[0].RepoTags, tag) {
		t.Errorf("tarball manifest.json: %+v (%v), want RepoTags with %q", m, err, tag)
	}
	return fromLayout, fromTar
}

// TestServerImage builds the server image from a freshly built tributary,
// reads it back from both outputs, unpacks it and runs its entrypoint on
// loopback against a canned backend.
func TestServerImage(t *testing.T) {
	t.Parallel()
	be := backend(t)
	spec := Spec{
		Binary:  buildBinary(t, ServerPackage, false),
		Config:  testConfig(be.URL),
		CACerts: []byte("-----BEGIN CERTIFICATE-----\n(test bundle)\n-----END CERTIFICATE-----\n"),
		Arch:    runtime.GOARCH,
		Version: "test",
	}
	img, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	const tag = "tributary:test"
	dir := t.TempDir()
	res, err := Write(img, dir, tag)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("server image %s: id %s, binary %s, layer %s, tarball %s",
		res.Digest, res.ImageID, mb(int64(len(spec.Binary))), mb(res.LayerSize), mb(res.TarSize))

	// Deterministic: the same inputs, built and written again elsewhere,
	// give the same digest and byte-identical outputs.
	img2, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := Write(img2, t.TempDir(), tag)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Digest != res.Digest || res2.ImageID != res.ImageID {
		t.Errorf("second build: digest %s id %s, want %s %s", res2.Digest, res2.ImageID, res.Digest, res.ImageID)
	}
	sameFile(t, res.TarPath, res2.TarPath)
	sameFile(t, filepath.Join(res.LayoutPath, "index.json"), filepath.Join(res2.LayoutPath, "index.json"))

	fromLayout, fromTar := readBack(t, img, res, tag)
	for _, src := range []struct {
		name string
		img  v1.Image
	}{{"layout", fromLayout}, {"tarball", fromTar}} {
		cf, err := src.img.ConfigFile()
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		c := cf.Config
		if want := []string{"/tributary", "run", "-c", "/etc/tributary/gateway.json"}; !slices.Equal(c.Entrypoint, want) {
			t.Errorf("%s: entrypoint %q, want %q", src.name, c.Entrypoint, want)
		}
		if len(c.Cmd) != 0 {
			t.Errorf("%s: cmd %q, want none", src.name, c.Cmd)
		}
		if c.User != "65532:65532" {
			t.Errorf("%s: user %q, want 65532:65532", src.name, c.User)
		}
		if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 1 {
			t.Errorf("%s: exposed ports %v, want 8080/tcp", src.name, c.ExposedPorts)
		}
		if want := []string{"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}; !slices.Equal(c.Env, want) {
			t.Errorf("%s: env %q, want %q", src.name, c.Env, want)
		}
		if cf.OS != "linux" || cf.Architecture != runtime.GOARCH || !cf.Created.Equal(time.Unix(0, 0)) {
			t.Errorf("%s: %s/%s created %s, want linux/%s at the epoch", src.name, cf.OS, cf.Architecture, cf.Created.UTC(), runtime.GOARCH)
		}
	}

	root := unpack(t, fromLayout)
	root.checkEntry(t, "/tributary", false, 0o755, 0)
	root.checkEntry(t, "/etc/tributary/gateway.json", false, 0o644, 0)
	root.checkEntry(t, "/etc/passwd", false, 0o644, 0)
	root.checkEntry(t, "/etc/group", false, 0o644, 0)
	root.checkEntry(t, "/etc/ssl/certs/ca-certificates.crt", false, 0o644, 0)
	root.checkEntry(t, "/tmp", true, 0o1777, 0)
	root.checkEntry(t, "/home/nonroot", true, 0o700, NonRootID)
	if _, ok := root.headers["var/runtime/bootstrap"]; ok {
		t.Error("the server image has a Lambda bootstrap")
	}
	passwd, _ := os.ReadFile(root.path("/etc/passwd"))
	if !strings.Contains(string(passwd), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no nonroot user:\n%s", passwd)
	}
	group, _ := os.ReadFile(root.path("/etc/group"))
	if !strings.Contains(string(group), "nonroot:x:65532:") {
		t.Errorf("/etc/group has no nonroot group:\n%s", group)
	}
	if got, _ := os.ReadFile(root.path(ConfigPath)); !bytes.Equal(got, spec.Config) {
		t.Errorf("config in the image differs from the input:\n%s", got)
	}

	// Run the image's entrypoint from the unpacked tree: absolute paths
	// point into the tree, and --port picks a free loopback port (the
	// config binds 127.0.0.1).
	cf, _ := fromTar.ConfigFile()
	var argv []string
	for _, a := range cf.Config.Entrypoint {
		if strings.HasPrefix(a, "/") {
			a = root.path(a)
		}
		argv = append(argv, a)
	}
	port := freePort(t)
	argv = append(argv, "--port", strconv.Itoa(port))
	var logs syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = []string{"SSL_CERT_FILE=" + root.path(CACertsPath)}
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	waitHealthy(t, client, base+"/__health", exited, &logs)

	status, body := get(t, client, base+"/__health")
	var health struct{ Status string }
	if status != http.StatusOK || json.Unmarshal(body, &health) != nil || health.Status != "ok" {
		t.Errorf("/__health: %d %s", status, body)
	}
	status, body = get(t, client, base+"/hello")
	if status != http.StatusOK || string(body) != wantHello {
		t.Errorf("/hello: %d %s, want 200 %s", status, body, wantHello)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("tributary run exited with %v after SIGTERM; output:\n%s", err, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("tributary run did not stop within 10 s of SIGTERM; output:\n%s", logs.String())
	}
}

// TestLambdaImage builds the Lambda image from a freshly built gateway
// bootstrap and checks the config, the tree and the bootstrap itself: with
// no Runtime API it exits with aws-lambda-go's message, and against a
// minimal Runtime API on loopback it serves one HTTP API event with the
// config the image names in TRIBUTARY_CONFIG.
func TestLambdaImage(t *testing.T) {
	t.Parallel()
	be := backend(t)
	spec := Spec{
		Binary: buildBinary(t, GatewayPackage, true),
		Config: testConfig(be.URL),
		Lambda: true,
		Arch:   runtime.GOARCH,
	}
	img, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	const tag = "tributary-lambda:test"
	res, err := Write(img, t.TempDir(), tag)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("lambda image %s: id %s, binary %s, layer %s, tarball %s",
		res.Digest, res.ImageID, mb(int64(len(spec.Binary))), mb(res.LayerSize), mb(res.TarSize))
	fromLayout, _ := readBack(t, img, res, tag)
	cf, err := fromLayout.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if want := []string{"/var/runtime/bootstrap"}; !slices.Equal(c.Entrypoint, want) {
		t.Errorf("entrypoint %q, want %q", c.Entrypoint, want)
	}
	if want := []string{"TRIBUTARY_CONFIG=/etc/tributary/gateway.json"}; !slices.Equal(c.Env, want) {
		t.Errorf("env %q, want %q", c.Env, want)
	}
	if len(c.ExposedPorts) != 0 {
		t.Errorf("exposed ports %v, want none", c.ExposedPorts)
	}

	root := unpack(t, fromLayout)
	root.checkEntry(t, "/var/runtime/bootstrap", false, 0o755, 0)
	root.checkEntry(t, "/etc/tributary/gateway.json", false, 0o644, 0)
	root.checkEntry(t, "/tmp", true, 0o1777, 0)
	if _, ok := root.headers["tributary"]; ok {
		t.Error("the Lambda image has the server binary")
	}

	// The image's environment, with its paths pointing into the tree.
	var env []string
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(v, "/") {
			v = root.path(v)
		}
		env = append(env, k+"="+v)
	}
	bootstrap := root.path(c.Entrypoint[0])

	// Outside Lambda: init succeeds (the config loads), then the runtime
	// loop refuses to start. The message names only AWS_LAMBDA_RUNTIME_API,
	// which proves the lambda.norpc build.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bootstrap)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	const want = "expected AWS Lambda environment variables [AWS_LAMBDA_RUNTIME_API] are not defined"
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("bootstrap without the Runtime API: %v, output:\n%s\nwant a failure saying %q", err, out, want)
	}

	// Inside a (minimal) Lambda: one invoke through the Runtime API.
	rt := newRuntimeAPI(t, `{"version":"2.0","routeKey":"$default","rawPath":"/hello","rawQueryString":"",`+
		`"headers":{"host":"image.test"},"requestContext":{"http":{"method":"GET","path":"/hello",`+
		`"sourceIp":"127.0.0.1"},"stage":"$default"},"isBase64Encoded":false}`)
	var logs syncBuffer
	run := exec.CommandContext(ctx, bootstrap)
	run.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+rt.addr, "AWS_LAMBDA_FUNCTION_NAME=image-test",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_REGION=us-east-1")
	run.Stdout, run.Stderr = &logs, &logs
	run.WaitDelay = 5 * time.Second
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	var reply []byte
	select {
	case reply = <-rt.responses:
	case <-time.After(15 * time.Second):
		t.Errorf("no invoke response within 15 s; bootstrap output:\n%s", logs.String())
	}
	_ = run.Process.Kill()
	_ = run.Wait()
	if reply != nil {
		var r struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if err := json.Unmarshal(reply, &r); err != nil || r.StatusCode != http.StatusOK || r.Body != wantHello {
			t.Errorf("invoke response %s (%v), want status 200 and body %s", reply, err, wantHello)
		}
	}
}

// runtimeAPI is the part of the Lambda Runtime API a Go bootstrap uses:
// it hands out one event, collects its response, and holds every later
// "next" call until the test ends.
type runtimeAPI struct {
	addr      string
	responses chan []byte
}

// newRuntimeAPI serves event as the only invocation on a loopback port.
func newRuntimeAPI(t *testing.T, event string) *runtimeAPI {
	t.Helper()
	rt := &runtimeAPI{responses: make(chan []byte, 1)}
	done := make(chan struct{})
	var served sync.Once
	const prefix = "/2018-06-01/runtime/invocation/"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == prefix+"next":
			first := false
			served.Do(func() { first = true })
			if !first {
				select { // the bootstrap waits for its next event
				case <-done:
				case <-r.Context().Done():
				}
				http.Error(w, "shutting down", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(10*time.Second).UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:012345678912:function:image-test")
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, event)
		case r.Method == http.MethodPost && r.URL.Path == prefix+"req-1/response":
			body, _ := io.ReadAll(r.Body)
			select {
			case rt.responses <- body:
			default:
			}
			w.WriteHeader(http.StatusAccepted)
		case r.Method == http.MethodPost && r.URL.Path == prefix+"req-1/error":
			body, _ := io.ReadAll(r.Body)
			select {
			case rt.responses <- append([]byte("function error: "), body...):
			default:
			}
			w.WriteHeader(http.StatusAccepted)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(func() {
		close(done)
		srv.Close()
	})
	rt.addr = srv.Listener.Addr().String()
	return rt
}

// TestBuildDeterministic pins the digest's inputs without building a
// binary: equal specs give equal digests, and each input (including the
// creation time) changes it.
func TestBuildDeterministic(t *testing.T) {
	base := Spec{Binary: []byte("\x7fELF not really"), Config: []byte(`{"version":3}`), Arch: "amd64"}
	digest := func(s Spec) v1.Hash {
		t.Helper()
		img, err := Build(s)
		if err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d0 := digest(base)
	if d := digest(base); d != d0 {
		t.Fatalf("two builds of one spec: %s and %s", d0, d)
	}
	epoch := base
	epoch.Created = time.Unix(0, 0)
	if d := digest(epoch); d != d0 {
		t.Errorf("an explicit epoch changed the digest: %s, want %s", d, d0)
	}
	variants := map[string]func(*Spec){
		"binary":  func(s *Spec) { s.Binary = []byte("\x7fELF other") },
		"config":  func(s *Spec) { s.Config = []byte(`{"version":3,"port":9000}`) },
		"arch":    func(s *Spec) { s.Arch = "arm64" },
		"lambda":  func(s *Spec) { s.Lambda = true },
		"created": func(s *Spec) { s.Created = time.Unix(1700000000, 0) },
		"ca":      func(s *Spec) { s.CACerts = []byte("pem") },
		"version": func(s *Spec) { s.Version = "v1" },
	}
	for what, change := range variants {
		s := base
		change(&s)
		if d := digest(s); d == d0 {
			t.Errorf("changing %s did not change the digest", what)
		}
	}

	// SOURCE_DATE_EPOCH sets the creation time and every mtime.
	s := base
	s.Created = time.Unix(1700000000, 0)
	img, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	if !cf.Created.Equal(s.Created) || !cf.History[0].Created.Equal(s.Created) {
		t.Errorf("created %s, history %s; want %s", cf.Created, cf.History[0].Created, s.Created)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if !h.ModTime.Equal(s.Created) {
			t.Errorf("%s: mtime %s, want %s", h.Name, h.ModTime, s.Created)
		}
	}
}

// TestBuildErrorsAndPort covers the spec checks and the exposed port.
func TestBuildErrorsAndPort(t *testing.T) {
	bin := []byte("bin")
	for name, s := range map[string]Spec{
		"no binary":       {Config: []byte(`{}`), Arch: "amd64"},
		"no arch":         {Binary: bin, Config: []byte(`{}`)},
		"server, no cfg":  {Binary: bin, Arch: "amd64"},
		"config not JSON": {Binary: bin, Arch: "amd64", Config: []byte(`nope`)},
		"port too big":    {Binary: bin, Arch: "amd64", Config: []byte(`{"port":70000}`)},
	} {
		if _, err := Build(s); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	img, err := Build(Spec{Binary: bin, Arch: "arm64", Config: []byte(`{"version":3,"port":9000}`)})
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	if _, ok := cf.Config.ExposedPorts["9000/tcp"]; !ok || cf.Variant != "v8" {
		t.Errorf("exposed %v variant %q, want 9000/tcp and v8", cf.Config.ExposedPorts, cf.Variant)
	}
	// The Lambda image needs no config: the bootstrap embeds one.
	img, err = Build(Spec{Binary: bin, Arch: "amd64", Lambda: true})
	if err != nil {
		t.Fatal(err)
	}
	cf, _ = img.ConfigFile()
	if len(cf.Config.Env) != 0 {
		t.Errorf("Lambda image without a config has env %q, want none", cf.Config.Env)
	}
}

// TestSourceDateEpoch covers the environment variable's parsing.
func TestSourceDateEpoch(t *testing.T) {
	if got, err := sourceDateEpoch(nil); err != nil || !got.Equal(time.Unix(0, 0)) {
		t.Errorf("unset: %s %v", got, err)
	}
	if got, err := sourceDateEpoch([]string{"SOURCE_DATE_EPOCH=1700000000"}); err != nil || got.Unix() != 1700000000 {
		t.Errorf("set: %s %v", got, err)
	}
	for _, bad := range []string{"x", "-1", "1.5"} {
		if _, err := sourceDateEpoch([]string{"SOURCE_DATE_EPOCH=" + bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestRunFlags covers the command's argument checks, which fail before
// anything is built.
func TestRunFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--arch", "386"},
		{"--lambda", "--function", "other"},
		{"stray"},
		{"--no-such-flag"},
	} {
		var out, errs bytes.Buffer
		if code := run(context.Background(), args, nil, &out, &errs); code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %s)", args, code, errs.String())
		}
	}
	// A config the loader refuses stops the build before go build runs.
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version": 3, "endpoints": [{"endpoint": "/x", "backend": [{"url_pattern": "/y", "hots": ["http://127.0.0.1:1"]}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"-c", bad, "-o", t.TempDir()}, nil, &out, &errs); code != 1 ||
		!strings.Contains(errs.String(), "is not a valid config") {
		t.Errorf("bad config: exit %d, stderr %s; want 1 and the loader's errors", code, errs.String())
	}
}

// TestRunCommand runs the whole command as `make image-lambda` does (the
// Lambda variant: the smaller build) and checks what it writes and prints.
func TestRunCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "my.json")
	if err := os.WriteFile(cfg, testConfig("http://127.0.0.1:9"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	buildMu.Lock()
	code := run(ctx, []string{"--lambda", "-o", out, "-c", cfg, "--ca-certs", "", "--version", "v9"},
		append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000"), &stdout, &stderr)
	buildMu.Unlock()
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	t.Logf("output:\n%s", stdout.String())
	idx, err := layout.ImageIndexFromPath(filepath.Join(out, LayoutDir))
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 {
		t.Fatalf("index: %v %v", im, err)
	}
	if want := "digest  " + im.Manifests[0].Digest.String(); !strings.Contains(stdout.String(), want) {
		t.Errorf("output does not print the layout's digest %q", want)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Created.Unix() != 1700000000 || cf.Config.Labels["org.opencontainers.image.version"] != "v9" ||
		!slices.Equal(cf.Config.Env, []string{"TRIBUTARY_CONFIG=" + ConfigPath}) {
		t.Errorf("config: created %s, labels %v, env %q", cf.Created, cf.Config.Labels, cf.Config.Env)
	}
	ref, _ := name.NewTag("tributary-lambda:latest")
	if _, err := tarball.ImageFromPath(filepath.Join(out, TarName), &ref); err != nil {
		t.Errorf("tarball: %v", err)
	}
}

// sameFile asserts two files have identical bytes.
func sameFile(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, y) {
		t.Errorf("%s and %s differ (%d and %d bytes)", a, b, len(x), len(y))
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitHealthy polls url until it answers 200, the process exits, or 20 s
// pass.
func waitHealthy(t *testing.T, c *http.Client, url string, exited <-chan error, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := c.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("tributary run exited before listening (%v); output:\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy within 20 s; output:\n%s", url, logs.String())
		}
	}
}

// get fetches url and returns the status and body.
func get(t *testing.T, c *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, body
}

// syncBuffer is a bytes.Buffer safe for a child's stdout and stderr and
// the test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
