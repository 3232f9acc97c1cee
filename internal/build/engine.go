package build

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/samship/samship/internal/registry"
)

// buildWithEngine builds fn's image with the container engine, as sam build does: the
// context (without what .dockerignore excludes) sent to it, the image named
// <logical id lower-cased>:<DockerTag>, which the built template names and deploy reads from
// the engine.
func buildWithEngine(ctx context.Context, fn planned, deps Deps, sc *scratch) (builtImage, error) {
	dir, err := sc.dir("context")
	if err != nil {
		return builtImage{}, err
	}
	// A file, not a pipe: the engine may be sent the context twice (registry.Engine.Build).
	tf, err := os.Create(filepath.Join(dir, "context.tar"))
	if err != nil {
		return builtImage{}, err
	}
	defer tf.Close()
	if err := tarContext(tf, fn); err != nil {
		return builtImage{}, err
	}
	if _, err := tf.Seek(0, io.SeekStart); err != nil {
		return builtImage{}, err
	}
	b := fn.fn.Build
	ref := fn.fn.BuildName() + ":" + b.Tag
	id, err := deps.Engine.Build(ctx, tf, registry.BuildOptions{Dockerfile: filepath.ToSlash(b.Dockerfile), Tag: ref,
		Args: b.Args, Target: b.Target, Platform: fn.job.platform}, deps.Tools)
	if err != nil {
		return builtImage{}, err
	}
	return builtImage{tag: b.Tag, info: Image{Function: fn.fn.LogicalID, Platform: fn.job.platform, ImageURI: ref,
		Digest: id, Engine: true}}, nil
}

// tarContext writes the build context as the engine reads it: the files .dockerignore leaves,
// and the Dockerfile, which docker build always sends.
func tarContext(w io.Writer, fn planned) error {
	names, err := fn.job.context.Files()
	if err != nil {
		return err
	}
	df := filepath.ToSlash(filepath.Clean(fn.fn.Build.Dockerfile))
	seen := false
	tw := tar.NewWriter(w)
	add := func(name string) error {
		p := filepath.Join(fn.job.dir, filepath.FromSlash(name))
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&os.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		h.Name, h.Uname, h.Gname = name, "", ""
		if fi.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			return copyFile(tw, p, fi.Size())
		}
		return nil
	}
	for _, n := range names {
		seen = seen || n == df
		if err := add(n); err != nil {
			return fmt.Errorf("read the build context: %w", err)
		}
	}
	if !seen {
		if err := add(df); err != nil {
			return fmt.Errorf("read the Dockerfile: %w", err)
		}
	}
	return tw.Close()
}
