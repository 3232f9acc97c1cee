package depinstall

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// pipPlatforms and npmCPUs name the Lambda architectures as pip and npm do.
var (
	pipPlatforms = map[string]string{"amd64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
	npmCPUs      = map[string]string{"amd64": "x64", "arm64": "arm64"}
)

// Run runs the install, writing what it adds under opts.Out at image paths.
//
// pip: `<python> -m pip install --platform manylinux2014_x86_64|manylinux2014_aarch64
// --only-binary=:all: --python-version <v> --implementation cp --no-compile --target
// <Out+target> <the user's options and arguments>` in Root+Workdir, where target is the
// user's -t (relative to the working directory) or else the working directory.
//
// npm: the package files (Inputs) are copied to a scratch directory beside Out, `npm
// ci|install --os linux --cpu x64|arm64 --libc glibc --no-audit --no-fund
// --no-update-notifier <the user's options>` runs there, and node_modules (and package.json
// and package-lock.json when npm changed or created them) move to Out+Workdir.
//
// Errors are one line: "pip install -r requirements.txt: exit status 1: <last line of the
// tool's errors>".
func (in *Install) Run(ctx context.Context, opts RunOptions) error {
	if _, err := in.Inputs(opts); err != nil {
		return err
	}
	t, err := findTool(ctx, in.Tool)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	dir := filepath.Join(opts.Root, filepath.FromSlash(path.Join("/", opts.Workdir)))
	for _, g := range in.globs {
		if m, _ := filepath.Glob(filepath.Join(dir, g)); len(m) > 0 {
			return fmt.Errorf("%s: %s matches files in %s, as a shell pattern; build with an engine (--engine)", in, g, opts.Workdir)
		}
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	env = append(append(append([]string{}, env...), in.toolEnv...), "PYTHONDONTWRITEBYTECODE=1", "npm_config_update_notifier=false")
	if in.Tool == "pip" {
		err = in.runPip(ctx, t, dir, env, opts)
	} else {
		err = in.runNpm(ctx, t, env, opts)
	}
	if err != nil {
		return err
	}
	if err := tidy(opts.Out, t.python, opts.PythonVersion); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return nil
}

func (in *Install) runPip(ctx context.Context, t *tool, dir string, env []string, opts RunOptions) error {
	platform, ok := pipPlatforms[opts.Arch]
	if !ok {
		return fmt.Errorf("%s: architecture %q is not amd64 or arm64", in, opts.Arch)
	}
	if opts.PythonVersion == "" {
		return fmt.Errorf("%s: no Python version for the image", in)
	}
	target := in.target
	if target == "" {
		target = opts.Workdir
	}
	out := filepath.Join(opts.Out, filepath.FromSlash(imagePath(opts.Workdir, target)))
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	args := []string{"install", "--platform", platform, "--only-binary=:all:", "--python-version", opts.PythonVersion,
		"--implementation", "cp", "--no-compile", "--target", out}
	for i := 0; i < len(in.opts); i++ {
		a := in.opts[i]
		args = append(args, a)
		switch pipValued[a] {
		case "":
		case "requirement", "constraint", "find-links":
			i++
			v := in.opts[i]
			if path.IsAbs(v) { // an image path: the stage's copy of it
				v = filepath.Join(opts.Root, filepath.FromSlash(v))
			}
			args = append(args, v)
		default:
			i++
			args = append(args, in.opts[i])
		}
	}
	return in.run(ctx, t, dir, args, env, opts, lastLine)
}

func (in *Install) runNpm(ctx context.Context, t *tool, env []string, opts RunOptions) error {
	cpu, ok := npmCPUs[opts.Arch]
	if !ok {
		return fmt.Errorf("%s: architecture %q is not amd64 or arm64", in, opts.Arch)
	}
	inputs, err := in.Inputs(opts)
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp(filepath.Dir(filepath.Clean(opts.Out)), "npm-")
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	defer os.RemoveAll(scratch)
	for _, p := range inputs {
		if err := copyFile(filepath.Join(opts.Root, p), filepath.Join(scratch, p)); err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
	}
	work := filepath.Join(scratch, filepath.FromSlash(path.Join("/", opts.Workdir)))
	before := map[string][]byte{}
	for _, f := range []string{"package.json", "package-lock.json"} {
		before[f], _ = os.ReadFile(filepath.Join(work, f))
	}
	args := append([]string{in.subcommand, "--os", "linux", "--cpu", cpu, "--libc", "glibc",
		"--no-audit", "--no-fund", "--no-update-notifier"}, in.opts...)
	if err := in.run(ctx, t, work, args, env, opts, npmMessage); err != nil {
		return err
	}
	out := filepath.Join(opts.Out, filepath.FromSlash(path.Join("/", opts.Workdir)))
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := os.Rename(filepath.Join(work, "node_modules"), filepath.Join(out, "node_modules")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", in, err)
	}
	for _, f := range []string{"package.json", "package-lock.json"} {
		after, err := os.ReadFile(filepath.Join(work, f))
		if err != nil || bytes.Equal(after, before[f]) {
			continue
		}
		if err := os.WriteFile(filepath.Join(out, f), after, 0o644); err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
	}
	return nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}
