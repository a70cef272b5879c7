package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Paths and identities inside the image.
const (
	// ServerBinary is where the `tributary` CLI lives in the server image.
	ServerBinary = "/tributary"
	// LambdaBootstrap is where the Lambda bootstrap lives in the Lambda
	// image: the path the AWS base images and the Runtime Interface
	// Emulator use for a custom runtime.
	LambdaBootstrap = "/var/runtime/bootstrap"
	// ConfigPath is where the gateway config is placed.
	ConfigPath = "/etc/tributary/gateway.json"
	// CACertsPath is where a CA bundle is placed; Go's crypto/x509 reads it
	// on Linux, and SSL_CERT_FILE names it too.
	CACertsPath = "/etc/ssl/certs/ca-certificates.crt"
	// NonRootID is the uid and gid the image runs as (distroless's nonroot).
	NonRootID = 65532
	// DefaultPort is the exposed port when the config does not set "port".
	DefaultPort = 8080
)

// Spec is everything an image is built from. Two builds of equal Specs
// give byte-identical images, so equal digests.
type Spec struct {
	// Binary is the static linux executable: the `tributary` CLI for the
	// server image, a Lambda bootstrap (functions/gateway or
	// functions/endpoint) when Lambda is set. Required.
	Binary []byte
	// Config is the gateway config placed at ConfigPath. Required for the
	// server image (its entrypoint reads it). For the Lambda image it is
	// optional: without it the bootstrap serves the config embedded at
	// build time; with it TRIBUTARY_CONFIG names the file.
	Config []byte
	// CACerts is a PEM bundle placed at CACertsPath, so HTTPS backends
	// (and the AWS SDK) can verify certificates; empty leaves it out.
	CACerts []byte
	// Lambda builds the Lambda container image: the bootstrap is the
	// entrypoint and no port is exposed.
	Lambda bool
	// Arch is the GOARCH of Binary ("amd64", "arm64"). Required.
	Arch string
	// Version, when set, becomes the org.opencontainers.image.version label.
	Version string
	// Created is the image's creation time and every file's mtime. The
	// zero value means the Unix epoch.
	Created time.Time
}

// Build assembles the image of s from scratch: one layer with the binary,
// the config, /etc/passwd and /etc/group for the non-root user, an
// optional CA bundle and a writable /tmp, and an OCI config that runs the
// binary as that user.
func Build(s Spec) (v1.Image, error) {
	if len(s.Binary) == 0 {
		return nil, errors.New("image: no binary")
	}
	if s.Arch == "" {
		return nil, errors.New("image: no architecture")
	}
	if !s.Lambda && len(s.Config) == 0 {
		return nil, errors.New("image: the server image needs a config")
	}
	created := s.Created
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	created = created.UTC().Truncate(time.Second)

	rootfs, err := layerTar(s, created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(rootfs)), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressedCaching)
	if err != nil {
		return nil, fmt.Errorf("image: layer: %w", err)
	}

	cfg, err := containerConfig(s)
	if err != nil {
		return nil, err
	}
	cf := &v1.ConfigFile{
		Architecture: s.Arch,
		OS:           "linux",
		Created:      v1.Time{Time: created},
		Config:       cfg,
		RootFS:       v1.RootFS{Type: "layers"},
	}
	if s.Arch == "arm64" {
		cf.Variant = "v8"
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	if base, err = mutate.ConfigFile(base, cf); err != nil {
		return nil, fmt.Errorf("image: config: %w", err)
	}
	what := "tributary run"
	if s.Lambda {
		what = "tributary Lambda bootstrap"
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: created},
			CreatedBy: "infra/image: " + what + " (no base image)",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("image: append layer: %w", err)
	}
	return img, nil
}

// containerConfig is the runtime part of the image config: entrypoint,
// user, environment, exposed port and labels.
func containerConfig(s Spec) (v1.Config, error) {
	user := strconv.Itoa(NonRootID) + ":" + strconv.Itoa(NonRootID)
	labels := map[string]string{"org.opencontainers.image.title": "tributary"}
	if s.Version != "" {
		labels["org.opencontainers.image.version"] = s.Version
	}
	var env []string
	if len(s.CACerts) > 0 {
		env = append(env, "SSL_CERT_FILE="+CACertsPath)
	}
	if s.Lambda {
		labels["org.opencontainers.image.description"] = "Tributary API gateway, AWS Lambda function (custom runtime, no base image)"
		if len(s.Config) > 0 {
			env = append(env, "TRIBUTARY_CONFIG="+ConfigPath)
		}
		return v1.Config{
			Entrypoint: []string{LambdaBootstrap},
			User:       user,
			Env:        env,
			WorkingDir: "/",
			Labels:     labels,
		}, nil
	}
	port, err := configPort(s.Config)
	if err != nil {
		return v1.Config{}, err
	}
	labels["org.opencontainers.image.description"] = "Tributary API gateway (tributary run)"
	return v1.Config{
		Entrypoint:   []string{ServerBinary, "run", "-c", ConfigPath},
		User:         user,
		Env:          env,
		WorkingDir:   "/",
		ExposedPorts: map[string]struct{}{strconv.Itoa(port) + "/tcp": {}},
		Labels:       labels,
	}, nil
}

// configPort returns the config's top-level "port", or DefaultPort when it
// has none, so the exposed port is the one `tributary run` listens on.
// Full validation is `tributary check`'s job; only the port is read here.
func configPort(config []byte) (int, error) {
	var c struct {
		Port *int `json:"port"`
	}
	if err := json.Unmarshal(config, &c); err != nil {
		return 0, fmt.Errorf("image: config is not a JSON object: %w", err)
	}
	if c.Port == nil || *c.Port == 0 {
		return DefaultPort, nil
	}
	if *c.Port < 1 || *c.Port > 65535 {
		return 0, fmt.Errorf("image: config port %d is out of range 1-65535", *c.Port)
	}
	return *c.Port, nil
}

// entry is one file or directory of the layer.
type entry struct {
	path string // relative, no leading slash; directories end in "/"
	mode int64  // permission bits, setuid/setgid/sticky included
	uid  int
	data []byte // nil for directories
}

// layerTar renders the image's single layer as an uncompressed tar, with
// every entry's mtime set to mtime and parents listed before children.
func layerTar(s Spec, mtime time.Time) ([]byte, error) {
	const root = 0
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n"+
		"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"+
		"nonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", NonRootID, NonRootID)
	group := fmt.Sprintf("root:x:0:\nnobody:x:65534:\nnonroot:x:%d:\n", NonRootID)

	entries := []entry{
		{path: "etc/", mode: 0o755, uid: root},
		{path: "etc/group", mode: 0o644, uid: root, data: []byte(group)},
		{path: "etc/passwd", mode: 0o644, uid: root, data: []byte(passwd)},
	}
	if len(s.CACerts) > 0 {
		entries = append(entries,
			entry{path: "etc/ssl/", mode: 0o755, uid: root},
			entry{path: "etc/ssl/certs/", mode: 0o755, uid: root},
			entry{path: CACertsPath[1:], mode: 0o644, uid: root, data: s.CACerts})
	}
	if len(s.Config) > 0 {
		entries = append(entries,
			entry{path: "etc/tributary/", mode: 0o755, uid: root},
			entry{path: ConfigPath[1:], mode: 0o644, uid: root, data: s.Config})
	}
	entries = append(entries,
		entry{path: "home/", mode: 0o755, uid: root},
		entry{path: "home/nonroot/", mode: 0o700, uid: NonRootID},
		entry{path: "tmp/", mode: 0o1777, uid: root})
	if s.Lambda {
		entries = append(entries,
			entry{path: "var/", mode: 0o755, uid: root},
			entry{path: "var/runtime/", mode: 0o755, uid: root},
			entry{path: LambdaBootstrap[1:], mode: 0o755, uid: root, data: s.Binary})
	} else {
		entries = append(entries, entry{path: ServerBinary[1:], mode: 0o755, uid: root, data: s.Binary})
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name:    e.path,
			Mode:    e.mode,
			Uid:     e.uid,
			Gid:     e.uid,
			ModTime: mtime,
		}
		if e.uid == root {
			h.Uname, h.Gname = "root", "root"
		} else {
			h.Uname, h.Gname = "nonroot", "nonroot"
		}
		if e.data == nil {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("image: layer %s: %w", e.path, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, fmt.Errorf("image: layer %s: %w", e.path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("image: layer: %w", err)
	}
	return buf.Bytes(), nil
}
