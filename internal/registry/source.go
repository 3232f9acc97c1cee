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
	"github.com/google/go-containerregistry/pkg/v1/cache"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Image is an image ready to push with what SAM CLI's tag is made of.
type Image struct {
	v1.Image
	// Source is where the image was read from, as the template names it.
	Source string
	// Name and Tag are the name and tag parts of SAM CLI's tag; Name is empty for images read
	// from files, which are named after each function that uses them.
	Name, Tag string
	// ID is the image id SAM CLI's tag takes its 12 hex from: the digest of its config
	// ("sha256:..."), or the id its engine gives it (which names an index or a manifest in an
	// engine that keeps images as registries do).
	ID string

	fromRegistry  bool // read from another registry, whose layers stream verified
	dockerArchive bool // read from a docker-archive file (docker save), tagged as SAM CLI tags those
	// engine is set for an image left in an engine: nothing of it is read until it must be
	// pushed (Image is nil then), and it is checked as it is read.
	engine *engineSource
	// layoutDir is the OCI layout directory the image was read from ("" for other sources).
	layoutDir string
}

// blobPath is where the layout holds the blob d.
func (img *Image) blobPath(d v1.Hash) string {
	return filepath.Join(img.layoutDir, "blobs", d.Algorithm, d.Hex)
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
// arch (x86_64 when ""), as SourceOf classifies it: an OCI layout directory, a docker-archive
// or OCI tarball (a path, relative to the template), a reference to another registry, or a
// name of the engine's; the kinds it cannot read it refuses with Source.Err. Of an index (a
// layout's, an archive's or a registry's) it reads the one image manifest for arch's platform
// (see selectImage); a single image whose config names another platform is refused. ctx
// bounds the engine and registry requests.
func (o *Opener) Open(ctx context.Context, value, fullPath, arch string) (*Image, error) {
	src := SourceOf(value, o.Dir, o.Engine)
	var img v1.Image
	var err error
	nm, tag := "", "latest"
	fromRegistry, dockerArchive := false, false
	engineID := "" // the id an engine gives the image, when it is not the config's digest
	switch src.Kind {
	case SourceLayout:
		img, tag, err = fromLayout(src.Path, arch)
	case SourceArchive:
		img, tag, dockerArchive, err = o.fromArchive(src.Path, arch)
	case SourceRegistry:
		fromRegistry = true
		var ref name.Reference
		if ref, err = name.ParseReference(value); err == nil {
			img, err = o.fromRegistry(ctx, ref, arch)
			nm, tag = refNameTag(ref)
		}
		if err == nil && o.Scratch != nil {
			// Read whole once, before anything changes (VerifyAll); the push reads the copy.
			var dir string
			if dir, err = o.Scratch.MkdirTemp("registry-*"); err == nil {
				img = cache.Image(img, cache.NewFilesystemCache(dir))
			}
		}
	case SourceEngine:
		nm, tag = splitNameTag(value)
		var es *engineSource
		es, err = o.fromEngine(ctx, value, arch)
		if err != nil || es.info.Indexed {
			if err == nil {
				img, err = o.saveEngine(ctx, value)
				engineID = es.info.ID
			}
			break
		}
		return &Image{Source: value, Name: nm, Tag: tag, ID: es.info.ID, engine: es}, nil
	default:
		return nil, src.Err(fullPath)
	}
	var wrong *platformError
	if errors.As(err, &wrong) {
		return nil, wrongPlatform(fullPath, value, wrong.holds, arch)
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
	layoutDir := ""
	if src.Kind == SourceLayout {
		layoutDir = src.Path
	}
	return &Image{Image: img, Source: value, Name: nm, Tag: tag, ID: engineID, fromRegistry: fromRegistry, dockerArchive: dockerArchive,
		layoutDir: layoutDir}, nil
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

// fromLayout reads the image of an OCI layout for arch (see selectImage), and the tag the
// ref name annotation of its entry in index.json gives ("latest" without one).
func fromLayout(dir, arch string) (v1.Image, string, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, "", err
	}
	l, err := selectImage(idx, arch)
	if err != nil {
		return nil, "", err
	}
	tag := "latest"
	if t, ok := tagOf(l.top.Annotations["org.opencontainers.image.ref.name"]); ok {
		tag = t
	}
	img, err := l.image()
	return img, tag, err
}

// fromRegistry reads the image ref names, and of an index the image for arch (see
// selectImage), so that what is pushed is one image manifest.
func (o *Opener) fromRegistry(ctx context.Context, ref name.Reference, arch string) (v1.Image, error) {
	opts := append([]remote.Option{remote.WithContext(ctx)}, o.Remote...)
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, err
	}
	// go-containerregistry checks the bytes against a digest reference, not against the digest
	// the registry says they have (Docker-Content-Digest): asked again, they must agree.
	if head, err := remote.Head(ref, opts...); err == nil && head.Digest != desc.Digest {
		return nil, fmt.Errorf("the registry names its manifest %s, but the manifest it sent hashes to %s", head.Digest, desc.Digest)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		l, err := selectImage(idx, arch)
		if err != nil {
			return nil, err
		}
		return l.image()
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	return img, checkPlatform(img, arch)
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

// fromArchive reads a docker-archive (docker save), reporting it, or an OCI archive (a tarred
// OCI layout) with the tag its ref name gives; the image for arch in either.
func (o *Opener) fromArchive(path, arch string) (img v1.Image, tag string, docker bool, err error) {
	oci, err := isOCIArchive(path)
	if err != nil {
		return nil, "", false, err
	}
	if !oci {
		if img, err = tarball.ImageFromPath(path, nil); err == nil {
			err = checkPlatform(img, arch)
		}
		return img, "latest", true, err
	}
	dir, err := o.Scratch.MkdirTemp("oci-")
	if err != nil {
		return nil, "", false, err
	}
	if err := untar(path, dir); err != nil {
		return nil, "", false, err
	}
	img, tag, err = fromLayout(dir, arch)
	return img, tag, false, err
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

// samName is the name part of a docker-archive's tag (and of a file's when no build name is
// given): the function's full path, made a valid tag (SAM CLI leaves "/" in and fails, defect
// D12).
func samName(fullPath string) string { return strings.ReplaceAll(fullPath, "/", "-") }

// TagFor returns SAM CLI's tag for img pushed for the function at fullPath: an engine's or
// registry's image keeps its own name and tag. A docker-archive file gets exactly SAM CLI's
// tag for it: the resource name SAM CLI's exporter passes, the function's full path (its
// SamResourceId or CDK id, not the logical id: aws-sam-cli samcli/lib/package/artifact_exporter.py
// Template.export, "full_path = get_full_path(self.parent_stack_id, resource_id)", given to
// ecr_uploader.py ECRUploader.upload as resource_name, which tags
// tag_translation(resource_name, ..., gen_tag="latest")), with "/" made "-" (see samName), and
// latest. An OCI layout or archive, samship's own, gets the name and tag sam build would have
// given it: buildName (the function's lower-cased logical id) and dockerTag (its
// Metadata.DockerTag, else the tag its ref name gives, else latest).
func (img *Image) TagFor(fullPath, buildName, dockerTag string) string {
	switch {
	case img.Name != "":
		return Tag(img.Name, img.Tag, img.ID)
	case img.dockerArchive:
		return Tag(samName(fullPath), "latest", img.ID)
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
