package build

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/samship/samship/internal/dockerfile"
)

// copy runs a COPY or ADD: from the context, from an earlier stage, or from an image.
func (e *evaluator) copy(ctx context.Context, j job, st *stage, c *dockerfile.Copy, x func(string) (string, error), built map[int]*stage) error {
	srcs := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		v, err := x(s)
		if err != nil {
			return err
		}
		srcs[i] = v
	}
	dest, err := x(c.Dest)
	if err != nil {
		return err
	}
	chown, err := x(c.Chown)
	if err != nil {
		return err
	}
	chmodValue, err := x(c.Chmod)
	if err != nil {
		return err
	}
	root, fsys := j.dir, j.context.FS()
	if c.From != "" {
		from, err := x(c.From)
		if err != nil {
			return err
		}
		if root, err = e.fromRoot(ctx, j, c, from, srcs, dest, st.workdir(), built); err != nil {
			return err
		}
		fsys = os.DirFS(root)
	}
	if c.Add {
		for _, s := range srcs {
			if why := dockerfile.RemoteSource(s); why != "" {
				return needsEngine(c.Where(), why)
			}
		}
	}
	if len(srcs) == 1 && !strings.HasSuffix(dest, "/") {
		// COPY app.py ${LAMBDA_TASK_ROOT}: a destination that is a directory of the image
		// takes the file in, as docker build does.
		if isDir, err := e.isDir(st, resolve(st.workdir(), dest)); err != nil {
			return fmt.Errorf("%s: %w", c.Where(), err)
		} else if isDir {
			dest += "/"
		}
	}
	entries, err := dockerfile.Place(fsys, srcs, dest, st.workdir())
	if err != nil {
		return fmt.Errorf("%s: %w", c.Where(), err)
	}
	if c.Add {
		for _, en := range entries {
			if en.Dir || en.Symlink != "" {
				continue
			}
			if archive, err := dockerfile.IsArchive(fsys, en.Src); err == nil && archive {
				return needsEngine(c.Where(), "ADD of an archive ("+en.Src+")")
			}
		}
	}
	made, err := st.copyFiles(ctx, c, chown, chmodValue, root, entries, e.cache)
	if made {
		e.made++
	}
	return err
}

// fromRoot gives the directory COPY --from reads: an earlier stage's files (this build's
// first; the base image's too when a source is not among them), or an image's.
func (e *evaluator) fromRoot(ctx context.Context, j job, c *dockerfile.Copy, from string, srcs []string, dest, workdir string, built map[int]*stage) (string, error) {
	if k, ok := j.file.StageByName(from); ok {
		src := built[k]
		if src == nil {
			return "", fmt.Errorf("%s: --from=%s names a later stage", c.Where(), from)
		}
		root, err := e.materialize(src, false)
		if err != nil {
			return "", err
		}
		if _, err := dockerfile.Place(os.DirFS(root), srcs, dest, workdir); err == nil {
			return root, nil
		}
		return e.materialize(src, true)
	}
	img, err := e.base(ctx, j.file.Path, j.file.Stages[0], from, j.platform)
	if err != nil {
		return "", err
	}
	dir, err := e.scratch.dir("image")
	if err != nil {
		return "", err
	}
	return dir, extract(mutate.Extract(img), dir)
}

// materialize writes a stage's files into a scratch directory: this build's own and those of
// its installs, over the base image's when withBase.
func (e *evaluator) materialize(st *stage, withBase bool) (string, error) {
	dir, err := e.scratch.dir("stage")
	if err != nil {
		return "", err
	}
	if withBase {
		if err := extract(mutate.Extract(st.base), dir); err != nil {
			return "", fmt.Errorf("read the base image's files: %w", err)
		}
	}
	for _, l := range st.installed {
		rc, err := l.Uncompressed()
		if err != nil {
			return "", err
		}
		err = extract(rc, dir)
		rc.Close()
		if err != nil {
			return "", err
		}
	}
	for _, p := range st.ownPaths() {
		if err := place(dir, st.own[p]); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// place writes f under dir, linking its bytes when it can.
func place(dir string, f file) error {
	dst := filepath.Join(dir, filepath.FromSlash(f.Path))
	switch {
	case f.dir():
		return os.MkdirAll(dst, 0o755)
	case f.link():
		os.Remove(dst)
		return os.Symlink(f.Link, dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	os.Remove(dst)
	if os.Link(f.Src, dst) == nil {
		return nil
	}
	in, err := os.Open(f.Src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, f.Mode.Perm()|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// extract unpacks a layer or flattened image tar into dir: regular files, directories and
// symlinks (no devices, no owners); whiteouts remove what earlier layers wrote.
func extract(rc io.ReadCloser, dir string) error {
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean("/" + h.Name)
		dst := filepath.Join(dir, name)
		base := filepath.Base(name)
		if strings.HasPrefix(base, ".wh.") {
			os.RemoveAll(filepath.Join(filepath.Dir(dst), strings.TrimPrefix(base, ".wh.")))
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(dst, 0o755)
		case tar.TypeSymlink:
			os.MkdirAll(filepath.Dir(dst), 0o755)
			os.RemoveAll(dst)
			err = os.Symlink(h.Linkname, dst)
		case tar.TypeReg:
			os.MkdirAll(filepath.Dir(dst), 0o755)
			os.RemoveAll(dst)
			var f *os.File
			if f, err = os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, fs.FileMode(h.Mode).Perm()|0o200); err == nil {
				_, err = io.Copy(f, tr)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
		}
		if err != nil {
			return err
		}
	}
}

// isDir reports whether p is a directory of the stage: one of its own, or of its base image.
func (e *evaluator) isDir(st *stage, p string) (bool, error) {
	if f, ok := st.own[p]; ok {
		return f.dir(), nil
	}
	facts, err := e.facts(st.base)
	if err != nil {
		return false, err
	}
	return facts.isDir(p), nil
}

// flushPending puts the stage's pending WORKDIR directories the image lacks into a layer of
// their own, at the end of the stage.
func (e *evaluator) flushPending(st *stage) error {
	var dirs []file
	for _, f := range st.takePending() {
		isDir, err := e.isDir(st, f.Path)
		if err != nil {
			return err
		}
		if !isDir {
			dirs = append(dirs, f)
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	files := layerFiles(dirs)
	key, err := filesKey(files)
	if err != nil {
		return err
	}
	l, made, err := e.cache.make("copy-"+key+"-"+layerKind(st.mediaType), files, st.mediaType)
	if err != nil {
		return err
	}
	if made {
		e.made++
	}
	for _, f := range files {
		st.own[f.Path] = f
	}
	st.add(l, "WORKDIR "+st.workdir())
	return nil
}

// image assembles the stage's image: the base, this build's layers, and the configuration
// with the history of each instruction and no time of the build.
func (s *stage) image(mtime v1.Time) (v1.Image, error) {
	adds := make([]mutate.Addendum, len(s.layers))
	for i, l := range s.layers {
		adds[i] = mutate.Addendum{Layer: l, MediaType: s.mediaType}
	}
	img, err := mutate.Append(s.base, adds...)
	if err != nil {
		return nil, err
	}
	base, err := s.base.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg := s.cfg.DeepCopy()
	cfg.RootFS.Type = "layers"
	cfg.RootFS.DiffIDs = append([]v1.Hash{}, base.RootFS.DiffIDs...)
	for _, l := range s.layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, l.rec.DiffID)
	}
	cfg.History = append(append([]v1.History{}, base.History...), s.history...)
	cfg.Created = mtime
	return mutate.ConfigFile(img, cfg)
}
