package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Output names under the output directory.
const (
	// LayoutDir is the OCI image layout (index.json, oci-layout, blobs/).
	LayoutDir = "oci"
	// TarName is the docker-archive tarball that `docker load` and
	// `podman load` read.
	TarName = "image.tar"
)

// refNameAnnotation names an image inside an OCI layout; skopeo's
// `oci:DIR:NAME` and containerd's import look it up.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// Result describes a written image.
type Result struct {
	// Digest is the OCI manifest digest: the image's identity in the layout
	// and in a registry it is copied to unchanged.
	Digest v1.Hash
	// ImageID is the config digest, which `docker load`/`podman load` and
	// `docker images` show as the image ID.
	ImageID v1.Hash
	// LayerSize is the compressed size of the image's layer.
	LayerSize int64
	// TarPath and TarSize are the docker-archive tarball and its size.
	TarPath string
	TarSize int64
	// LayoutPath is the OCI layout directory.
	LayoutPath string
}

// Write writes img as an OCI layout in dir/oci (replacing any earlier one)
// and as a docker-archive tarball dir/image.tar tagged tag (e.g.
// "tributary:latest").
func Write(img v1.Image, dir, tag string) (Result, error) {
	ref, err := name.NewTag(tag)
	if err != nil {
		return Result{}, fmt.Errorf("image: tag %q: %w", tag, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return Result{}, fmt.Errorf("image: config: %w", err)
	}
	if cf.Platform() == nil {
		return Result{}, errors.New("image: the config names no platform")
	}
	r := Result{LayoutPath: filepath.Join(dir, LayoutDir), TarPath: filepath.Join(dir, TarName)}
	if r.Digest, err = img.Digest(); err != nil {
		return Result{}, fmt.Errorf("image: digest: %w", err)
	}
	if r.ImageID, err = img.ConfigName(); err != nil {
		return Result{}, fmt.Errorf("image: config digest: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return Result{}, fmt.Errorf("image: layers: %w", err)
	}
	for _, l := range layers {
		n, err := l.Size()
		if err != nil {
			return Result{}, fmt.Errorf("image: layer size: %w", err)
		}
		r.LayerSize += n
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("image: %w", err)
	}

	// The layout: a fresh directory, so the index holds this image only.
	if err := os.RemoveAll(r.LayoutPath); err != nil {
		return Result{}, fmt.Errorf("image: %w", err)
	}
	p, err := layout.Write(r.LayoutPath, empty.Index)
	if err != nil {
		return Result{}, fmt.Errorf("image: OCI layout: %w", err)
	}
	if err := p.AppendImage(img,
		layout.WithAnnotations(map[string]string{refNameAnnotation: ref.TagStr()}),
		layout.WithPlatform(*cf.Platform())); err != nil {
		return Result{}, fmt.Errorf("image: OCI layout: %w", err)
	}

	// The tarball: written beside its final name, then renamed, so a
	// failed build never leaves half a tarball under the final name.
	tmp := r.TarPath + ".tmp"
	if err := tarball.WriteToFile(tmp, ref, img); err != nil {
		_ = os.Remove(tmp)
		return Result{}, fmt.Errorf("image: tarball: %w", err)
	}
	if err := os.Rename(tmp, r.TarPath); err != nil {
		_ = os.Remove(tmp)
		return Result{}, fmt.Errorf("image: %w", err)
	}
	fi, err := os.Stat(r.TarPath)
	if err != nil {
		return Result{}, fmt.Errorf("image: %w", err)
	}
	r.TarSize = fi.Size()
	return r, nil
}
