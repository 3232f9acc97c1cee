package build

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/samship/samship/internal/template"
)

// write writes each image as an OCI layout in the build directory, then the built template
// naming them. A layout's blobs stay between builds, so a rebuild writes only new blobs; its
// index.json is replaced last, whole.
func write(p *buildPlan, built []builtImage, opts Options, deps Deps) (*Result, error) {
	if err := os.MkdirAll(opts.BuildDir, 0o755); err != nil {
		return nil, fmt.Errorf("create build directory: %w", err)
	}
	// Two builds writing the same directory take turns: one's clean-up of unused blobs must not
	// remove those the other's index is about to name.
	lf, err := os.OpenFile(filepath.Join(opts.BuildDir, ".samship-build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock the build directory: %w", err)
	}
	defer lf.Close()
	if err := lockFile(lf); err != nil {
		return nil, fmt.Errorf("lock the build directory: %w", err)
	}
	res := &Result{BuildDir: opts.BuildDir, Template: filepath.Join(opts.BuildDir, "template.yaml")}
	var edits []template.Edit
	for i, b := range built {
		fn := p.functions[i].fn
		dir := filepath.Join(opts.BuildDir, fn.LogicalID)
		if b.img != nil {
			blobs := append([]string{filepath.Join(deps.CacheDir, "blobs", "sha256")}, deps.BlobDirs...)
			if err := writeLayout(dir, b.img, b.tag, p.functions[i].job.platform, blobs); err != nil {
				return nil, fmt.Errorf("write the image of function %s: %w", fn.LogicalID, err)
			}
		} else if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err == nil {
			os.RemoveAll(dir) // an earlier build's layout, which the built template no longer names
		}
		e, err := fn.SetImageEdit(b.info.ImageURI)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e)
		res.Images = append(res.Images, b.info)
		deps.Report.BuildDone(b.info)
	}
	// The functions this run did not build keep the images an earlier build left them.
	done := map[string]bool{}
	for _, pf := range p.functions {
		done[pf.fn.LogicalID] = true
	}
	for _, fn := range p.tree.BuildFunctions() {
		if done[fn.LogicalID] || fn.FullPath != fn.LogicalID {
			continue
		}
		if _, err := os.Stat(filepath.Join(opts.BuildDir, fn.LogicalID, "index.json")); err != nil {
			continue
		}
		e, err := fn.SetImageEdit(fn.LogicalID)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e)
	}
	root := p.tree.Stacks[0].Template
	abs, err := filepath.Abs(opts.BuildDir)
	if err != nil {
		return nil, err
	}
	moved, err := root.RelocateEdits(abs)
	if err != nil {
		return nil, err
	}
	out, err := root.Apply(append(edits, moved...))
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(res.Template, out); err != nil {
		return nil, fmt.Errorf("write the built template: %w", err)
	}
	return res, nil
}

// writeLayout writes img into the OCI layout at dir, named by tag for platform, and removes
// the blobs of the image it replaces.
func writeLayout(dir string, img v1.Image, tag, platform string, blobDirs []string) error {
	p, err := layout.FromPath(dir)
	if err != nil {
		if p, err = layout.Write(dir, empty.Index); err != nil {
			return err
		}
	}
	if err := linkLayers(dir, img, blobDirs); err != nil {
		return err
	}
	if err := p.WriteImage(img); err != nil {
		return err
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	size, err := img.Size()
	if err != nil {
		return err
	}
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	os, arch, _ := strings.Cut(platform, "/")
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{{
		MediaType: mt, Size: size, Digest: d, Platform: &v1.Platform{OS: os, Architecture: arch},
		Annotations: map[string]string{"org.opencontainers.image.ref.name": tag}}}}
	b, err := json.MarshalIndent(idx, "", "   ")
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, "index.json"), b); err != nil {
		return err
	}
	return removeUnused(dir, img)
}

// linkLayers hard-links into the layout the layers of img found in blobDirs, so that a base
// image of hundreds of megabytes is not copied into each function's layout; WriteImage then
// writes only what is not there. Where a link cannot be made (another file system), the
// layer is copied.
func linkLayers(dir string, img v1.Image, blobDirs []string) error {
	ls, err := img.Layers()
	if err != nil {
		return err
	}
	dst := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		to := filepath.Join(dst, d.Hex)
		if _, err := os.Stat(to); err == nil {
			continue
		}
		for _, from := range blobDirs {
			if os.Link(filepath.Join(from, d.Hex), to) == nil {
				break
			}
		}
	}
	return nil
}

// removeUnused deletes the layout's blobs img does not use: those of earlier builds.
func removeUnused(dir string, img v1.Image) error {
	keep := map[string]bool{}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	keep[d.Hex] = true
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	keep[m.Config.Digest.Hex] = true
	for _, l := range m.Layers {
		keep[l.Digest.Hex] = true
	}
	blobs := filepath.Join(dir, "blobs", "sha256")
	entries, err := os.ReadDir(blobs)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !keep[e.Name()] {
			if err := os.Remove(filepath.Join(blobs, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
