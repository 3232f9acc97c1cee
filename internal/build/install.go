package build

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/samship/samship/internal/depinstall"
	"github.com/samship/samship/internal/dockerfile"
)

// run runs a RUN samship recognises as a dependency install into a layer, from the layer
// cache when the same install of the same inputs was made before.
func (e *evaluator) run(ctx context.Context, j job, st *stage, r *dockerfile.Run) error {
	in, ok := depinstall.Recognize(depinstall.Command{Args: r.Args, Shell: r.Shell, Env: st.envMap()})
	if !ok {
		return needsEngine(r.Where(), "RUN "+runText(r))
	}
	root, err := e.materialize(st, false)
	if err != nil {
		return err
	}
	opts := depinstall.RunOptions{Root: root, Workdir: st.workdir(), Arch: e.arch(j.platform), PythonVersion: in.PythonVersion,
		Stdout: e.tools, Stderr: e.tools}
	if in.Tool == "pip" && opts.PythonVersion == "" {
		if opts.PythonVersion, err = e.pythonVersion(st.base); err != nil {
			return fmt.Errorf("%s: %w", r.Where(), err)
		}
	}
	key, err := in.Key(ctx, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", r.Where(), err)
	}
	key = "run-" + key + "-" + layerKind(st.mediaType)
	l, ok := e.cache.lookup(key)
	if !ok {
		if opts.Out, err = e.scratch.dir("install"); err != nil {
			return err
		}
		if err := in.Run(ctx, opts); err != nil {
			return fmt.Errorf("%s: %w", r.Where(), err)
		}
		files, err := walk(opts.Out)
		if err != nil {
			return err
		}
		files = append(st.takePending(), files...)
		if l, _, err = e.cache.make(key, layerFiles(files), st.mediaType); err != nil {
			return err
		}
		e.made++
	}
	st.installed = append(st.installed, l)
	st.add(l, "RUN "+runText(r))
	return nil
}

func runText(r *dockerfile.Run) string {
	if r.Shell {
		return strings.Join(r.Args, " ")
	}
	return jsonText(r.Args)
}

// walk lists the files under dir as image paths.
func walk(dir string) ([]file, error) {
	var files []file
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		f := file{Path: "/" + filepath.ToSlash(rel), Mode: fi.Mode()}
		switch {
		case fi.IsDir():
			f.Mode = os.ModeDir | 0o755
		case fi.Mode()&os.ModeSymlink != 0:
			if f.Link, err = os.Readlink(p); err != nil {
				return err
			}
			f.Mode = os.ModeSymlink | 0o777
		case fi.Mode().IsRegular():
			f.Src, f.Mode = p, 0o644
			if fi.Mode()&0o111 != 0 {
				f.Mode = 0o755
			}
		default:
			return nil
		}
		files = append(files, f)
		return nil
	})
	return files, err
}
