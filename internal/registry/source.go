// Package registry pushes function images to their repositories without Docker: it reads an
// image from a Docker or Podman engine, an OCI layout directory, a docker-archive or OCI
// tarball, or another registry (with go-containerregistry), tags it as SAM CLI does, and
// pushes it with its own lean client of the registry protocol: each blob goes to a registry
// once, and what a repository holds is not sent again. ECR credentials come from samship's own
// SDK client, and SAMSHIP_REGISTRY_ENDPOINT sends ECR registry traffic to a local registry for
// testing.
package registry

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/samship/samship/internal/imageref"
)

// Image is an image ready to push with what SAM CLI's tag is made of.
type Image struct {
	v1.Image
	// Source is where the image was read from, as the template names it.
	Source string
	// Name and Tag are the name and tag parts of SAM CLI's tag; Name is empty for images read
	// from files, which SAM CLI names after each function that uses them.
	Name, Tag string
	// ID is the image id SAM CLI's tag takes its 12 hex from: the digest of its config
	// ("sha256:..."), or the id its engine gives it (which names an index or a manifest in an
	// engine that keeps images as registries do).
	ID string

	fromRegistry bool // read from another registry, whose layers stream verified
	// engine is set for an image left in an engine: nothing of it is read until it must be
	// pushed (Image is nil then), and it is checked as it is read.
	engine *engineSource
}

// Opener reads images named by ImageUri values.
type Opener struct {
	// Dir is the template's directory; relative paths are read from there. When it is empty
	// only absolute paths name files.
	Dir string
	// Remote are the options for reading from registries (auth, transport).
	Remote []remote.Option
	// Scratch is where OCI archives are unpacked and engine images saved.
	Scratch *Scratch
	// Engine is the Docker or Podman engine local names are read from; nil when none.
	Engine *Engine
}

// Open reads the image that value names for the function at fullPath, whose Architectures is
// arch (x86_64 when ""): an OCI layout directory, a docker-archive or OCI tarball (a path,
// relative to the template), or a reference to another registry. ctx bounds the engine and
// registry requests.
func (o *Opener) Open(ctx context.Context, value, fullPath, arch string) (*Image, error) {
	path := value
	if !filepath.IsAbs(path) {
		path = ""
		if o.Dir != "" {
			path = filepath.Join(o.Dir, value)
		}
	}
	var img v1.Image
	var err error
	nm, tag := "", "latest"
	fromRegistry := false
	engineID := "" // the id an engine gives the image, when it is not the config's digest
	fi, statErr := os.Stat(path)
	if path == "" {
		statErr = os.ErrNotExist
	}
	switch {
	case statErr == nil && fi.IsDir():
		img, tag, err = fromLayout(path)
	case statErr == nil:
		img, tag, err = o.fromArchive(path)
	case imageref.IsRegistryReference(value):
		fromRegistry = true
		var ref name.Reference
		if ref, err = name.ParseReference(value); err == nil {
			img, err = remote.Image(ref, append([]remote.Option{remote.WithContext(ctx)}, o.Remote...)...)
			nm, tag = refNameTag(ref)
		}
	case o.Engine != nil:
		nm, tag = splitNameTag(value)
		var src *engineSource
		src, err = o.fromEngine(ctx, value, fullPath, arch)
		if err != nil || src.info.Indexed {
			if err == nil {
				img, err = o.saveEngine(ctx, value)
				engineID = src.info.ID
			}
			break
		}
		return &Image{Source: value, Name: nm, Tag: tag, ID: src.info.ID, engine: src}, nil
	default:
		return nil, fmt.Errorf("function %s: image %s is neither a file nor a directory next to the template, nor an image in a registry, and no Docker or Podman engine is reachable (set DOCKER_HOST)", fullPath, value)
	}
	var pe *PlatformError
	if errors.As(err, &pe) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("function %s: read image %s: %w", fullPath, value, err)
	}
	id, err := img.ConfigName()
	if err != nil {
		return nil, fmt.Errorf("function %s: read image %s: %w", fullPath, value, err)
	}
	if engineID == "" {
		engineID = id.String()
	}
	return &Image{Image: img, Source: value, Name: nm, Tag: tag, ID: engineID, fromRegistry: fromRegistry}, nil
}

// saveEngine saves the engine's image to a docker archive in the scratch directory and reads
// it from there: what an engine that keeps images as registries do (the containerd image
// store) exports is its compressed blobs, named by digests that only its manifests tie to
// the image.
func (o *Opener) saveEngine(ctx context.Context, ref string) (v1.Image, error) {
	f, err := o.Scratch.CreateTemp("engine-*.tar")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rc, err := o.Engine.Export(ctx, []string{ref})
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if _, err := io.Copy(f, rc); err != nil {
		return nil, err
	}
	return tarball.ImageFromPath(f.Name(), nil)
}

// fromLayout reads the single image of an OCI layout (the first for linux/amd64 when the
// index has several), and the tag its ref name annotation gives ("latest" without one).
func fromLayout(dir string) (v1.Image, string, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, "", err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, "", err
	}
	tag := "latest"
	if len(m.Manifests) > 0 {
		if t, ok := tagOf(m.Manifests[0].Annotations["org.opencontainers.image.ref.name"]); ok {
			tag = t
		}
	}
	img, d, err := firstImage(idx)
	if err != nil {
		return nil, "", err
	}
	return &named{Image: img, digest: d}, tag, nil
}

// named is an image of a layout with the digest the layout's index names it by, which is
// what its manifest must hash to (go-containerregistry computes Digest from the bytes read).
type named struct {
	v1.Image
	digest v1.Hash
}

// tagOf returns the tag of a ref name: the name itself ("v1") or what follows the last ":"
// of a reference ("app:v1"), when that is a valid tag.
func tagOf(ref string) (string, bool) {
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && !strings.Contains(ref[i:], "/") {
		ref = ref[i+1:]
	}
	if !validTag.MatchString(ref) {
		return "", false
	}
	return ref, true
}

// validTag is the distribution spec's tag grammar.
var validTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

func firstImage(idx v1.ImageIndex) (v1.Image, v1.Hash, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, v1.Hash{}, err
	}
	if len(m.Manifests) == 0 {
		return nil, v1.Hash{}, errors.New("the index holds no image")
	}
	pick := m.Manifests[0]
	for _, d := range m.Manifests {
		if d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == "amd64" {
			pick = d
			break
		}
	}
	if pick.MediaType.IsIndex() {
		child, err := idx.ImageIndex(pick.Digest)
		if err != nil {
			return nil, v1.Hash{}, err
		}
		return firstImage(child)
	}
	img, err := idx.Image(pick.Digest)
	return img, pick.Digest, err
}

// fromArchive reads a docker-archive (docker save) or an OCI archive (a tarred OCI layout),
// and the tag the archive names the image by ("latest" when it names none).
func (o *Opener) fromArchive(path string) (v1.Image, string, error) {
	oci, err := isOCIArchive(path)
	if err != nil {
		return nil, "", err
	}
	if !oci {
		img, err := tarball.ImageFromPath(path, nil)
		tag := "latest"
		if m, merr := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(path) }); merr == nil && len(m) > 0 && len(m[0].RepoTags) > 0 {
			if t, ok := tagOf(m[0].RepoTags[0]); ok {
				tag = t
			}
		}
		return img, tag, err
	}
	dir, err := o.Scratch.MkdirTemp("oci-")
	if err != nil {
		return nil, "", err
	}
	if err := untar(path, dir); err != nil {
		return nil, "", err
	}
	return fromLayout(dir)
}

func isOCIArchive(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("not a tar archive: %w", err)
		}
		if strings.TrimPrefix(h.Name, "./") == "oci-layout" {
			return true, nil
		}
	}
}

// untar unpacks the regular files and directories of an archive below dir.
func untar(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.Clean("/"+h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.Create(target)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			out.Close()
			if err != nil {
				return err
			}
		}
	}
}

// refNameTag splits a reference into SAM CLI's name and tag parts: the repository's last
// path element and the tag ("latest" for digests).
func refNameTag(ref name.Reference) (string, string) {
	repo := ref.Context().RepositoryStr()
	n := repo[strings.LastIndexByte(repo, '/')+1:]
	if t, ok := ref.(name.Tag); ok {
		return n, t.TagStr()
	}
	return n, "latest"
}

// samName is the name part for images read from files when no build name is given: the
// function's full path, made a valid tag (SAM CLI leaves "/" in and fails, defect D12).
func samName(fullPath string) string { return strings.ReplaceAll(fullPath, "/", "-") }

// TagFor returns SAM CLI's tag for img pushed for a function: an engine's or registry's image
// keeps its own name and tag; an image read from a file gets the name and tag sam build would
// have given it (buildName, the function's lower-cased logical id; dockerTag, its
// Metadata.DockerTag, else the tag the file names, else latest), so that the tag is the one
// SAM CLI pushes for the same image.
func (img *Image) TagFor(buildName, dockerTag string) string {
	if img.Name != "" {
		return Tag(img.Name, img.Tag, img.ID)
	}
	tag := img.Tag
	if dockerTag != "" {
		tag = dockerTag
	}
	return Tag(buildName, tag, img.ID)
}

// pushTag is the form of every tag Tag makes: <name>-<12 hex>-<tag>.
var pushTag = regexp.MustCompile(`^[A-Za-z0-9_.-]+-[0-9a-f]{12}-[A-Za-z0-9_.-]+$`)

// IsPushTag reports whether tag has the form samship and SAM CLI push images with, i.e.
// one of them pushed it (a tag someone chose, such as v1 or prebuilt, does not).
func IsPushTag(tag string) bool { return pushTag.MatchString(tag) }

// Tag returns SAM CLI's tag for img: <name>-<first 12 hex of the image id>-<tag>, kept to the
// 128 characters and the alphabet a tag allows.
func Tag(name, tag, id string) string {
	hex := strings.TrimPrefix(id, "sha256:")
	if len(hex) > 12 {
		hex = hex[:12]
	}
	t := name + "-" + hex + "-" + tag
	t = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, t)
	if len(t) > 128 {
		t = t[:128]
	}
	return t
}
