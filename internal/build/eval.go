package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/samship/samship/internal/baseimage"
	"github.com/samship/samship/internal/dockerfile"
)

// Bases gives the images FROM names (baseimage.Cache).
type Bases interface {
	Image(ctx context.Context, ref, platform string) (v1.Image, baseimage.Info, error)
}

// job is one image to build: a Dockerfile in its context, for one platform.
type job struct {
	file     *dockerfile.File
	context  *dockerfile.Context
	dir      string // the context directory
	args     map[string]string
	target   int
	platform string // "linux/amd64"
}

// key identifies what the job builds: the Dockerfile, its context, arguments, target and
// platform. Functions with the same key get one build.
func (j job) key() string {
	args := make([]string, 0, len(j.args))
	for k, v := range j.args {
		args = append(args, k+"="+v)
	}
	sort.Strings(args)
	b, _ := json.Marshal([]any{j.file.Path, j.dir, args, j.target, j.platform})
	return string(b)
}

// evaluator builds jobs' images.
type evaluator struct {
	bases   Bases
	cache   layers
	scratch *scratch
	tools   io.Writer // pip's and npm's output
	// what the image's build did: the base images it read, the layers its target stage added,
	// and how many layers were made rather than found in the cache
	fetched     []baseimage.Info
	added, made int
}

func (e *evaluator) arch(platform string) string {
	_, a, _ := strings.Cut(platform, "/")
	return a
}

// build builds j's target stage and the stages it needs.
func (e *evaluator) build(ctx context.Context, j job) (v1.Image, error) {
	built := map[int]*stage{}
	for _, i := range needed(j.file, j.target) {
		st, err := e.stage(ctx, j, i, built)
		if err != nil {
			return nil, err
		}
		built[i] = st
	}
	e.added = len(built[j.target].layers)
	return built[j.target].image(v1.Time{Time: e.cache.mtime})
}

// stage builds stage i of j.
func (e *evaluator) stage(ctx context.Context, j job, i int, built map[int]*stage) (*stage, error) {
	s := j.file.Stages[i]
	from, err := j.file.ExpandFrom(s, j.args, j.platform)
	if err != nil {
		return nil, err
	}
	var st *stage
	if k, ok := j.file.StageByName(from); ok && k < i {
		parent := built[k]
		img, err := parent.image(v1.Time{Time: e.cache.mtime})
		if err != nil {
			return nil, err
		}
		if st, err = newStage(img, j.platform); err != nil {
			return nil, err
		}
		for p, f := range parent.own {
			st.own[p] = f
		}
		st.installed = append(st.installed, parent.installed...)
	} else {
		base, err := e.base(ctx, j.file.Path, s, from, j.platform)
		if err != nil {
			return nil, err
		}
		if st, err = newStage(base, j.platform); err != nil {
			return nil, err
		}
	}
	for _, in := range s.Instructions {
		if err := e.apply(ctx, j, st, in, built); err != nil {
			return nil, err
		}
	}
	if err := e.flushPending(st); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", j.file.Path, s.Line, err)
	}
	return st, nil
}

func (e *evaluator) base(ctx context.Context, path string, s dockerfile.Stage, from, platform string) (v1.Image, error) {
	if strings.EqualFold(from, "scratch") {
		return mutate.ConfigFile(empty.Image, &v1.ConfigFile{OS: "linux", Architecture: e.arch(platform), RootFS: v1.RootFS{Type: "layers"}})
	}
	img, info, err := e.bases.Image(ctx, from, platform)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, s.Line, err)
	}
	e.fetched = append(e.fetched, info)
	return img, nil
}

// apply applies one instruction to st.
func (e *evaluator) apply(ctx context.Context, j job, st *stage, in dockerfile.Instruction, built map[int]*stage) error {
	x := func(w string) (string, error) {
		v, err := j.file.Expand(w, st.env)
		if err != nil {
			return "", fmt.Errorf("%s: %w", in.Where(), err)
		}
		return v, nil
	}
	switch in := in.(type) {
	case *dockerfile.Copy:
		return e.copy(ctx, j, st, in, x, built)
	case *dockerfile.Run:
		return e.run(ctx, j, st, in)
	case *dockerfile.Env:
		for _, kv := range in.Pairs {
			v, err := x(kv.Value)
			if err != nil {
				return err
			}
			st.setEnv(kv.Key, v)
		}
		st.note("ENV " + pairsText(in.Pairs))
	case *dockerfile.Arg:
		v, given := j.args[in.Name]
		switch {
		case given:
		case in.Default == nil:
			// ARG NAME in a stage brings in the value an ARG before FROM gave NAME.
			global, err := j.file.GlobalArgs(j.args, j.platform)
			if err != nil {
				return err
			}
			v = global[in.Name]
		case in.Default != nil:
			d, err := x(*in.Default)
			if err != nil {
				return err
			}
			v = d
		}
		st.args[in.Name] = v
	case *dockerfile.Workdir:
		p, err := x(in.Path)
		if err != nil {
			return err
		}
		st.cfg.Config.WorkingDir = resolve(st.workdir(), p)
		st.pending = append(st.pending, st.cfg.Config.WorkingDir)
		st.note("WORKDIR " + st.cfg.Config.WorkingDir)
	case *dockerfile.Cmd:
		st.cfg.Config.Cmd = e.command(st, in.Args, in.Shell)
		st.cmdSet = true
		st.note("CMD " + jsonText(st.cfg.Config.Cmd))
	case *dockerfile.Entrypoint:
		st.cfg.Config.Entrypoint = e.command(st, in.Args, in.Shell)
		if !st.cmdSet {
			st.cfg.Config.Cmd = nil // as docker build: a new ENTRYPOINT drops the base's CMD
		}
		st.note("ENTRYPOINT " + jsonText(st.cfg.Config.Entrypoint))
	case *dockerfile.User:
		u, err := x(in.User)
		if err != nil {
			return err
		}
		st.cfg.Config.User = u
		st.note("USER " + u)
	case *dockerfile.Label:
		if st.cfg.Config.Labels == nil {
			st.cfg.Config.Labels = map[string]string{}
		}
		for _, kv := range in.Pairs {
			k, err := x(kv.Key)
			if err != nil {
				return err
			}
			v, err := x(kv.Value)
			if err != nil {
				return err
			}
			st.cfg.Config.Labels[k] = v
		}
		st.note("LABEL " + pairsText(in.Pairs))
	case *dockerfile.Expose:
		if st.cfg.Config.ExposedPorts == nil {
			st.cfg.Config.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range in.Ports {
			p, err := x(p)
			if err != nil {
				return err
			}
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			st.cfg.Config.ExposedPorts[p] = struct{}{}
		}
		st.note("EXPOSE " + strings.Join(in.Ports, " "))
	case *dockerfile.Shell:
		st.cfg.Config.Shell = append([]string{}, in.Args...)
		st.note("SHELL " + jsonText(in.Args))
	case *dockerfile.Unsupported:
		return needsEngine(in.Where(), in.Reason)
	default:
		return fmt.Errorf("%s: instruction %T is not supported", in.Where(), in)
	}
	return nil
}

func (e *evaluator) command(st *stage, args []string, shell bool) []string {
	if shell {
		return st.shellForm(strings.Join(args, " "))
	}
	return append([]string{}, args...)
}

func pairsText(kvs []dockerfile.KeyValue) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = kv.Key + "=" + kv.Value
	}
	return strings.Join(parts, " ")
}

// resolve makes p absolute against dir, as WORKDIR and COPY's destination are.
func resolve(dir, p string) string {
	if strings.HasPrefix(p, "/") {
		return cleanAbs(p)
	}
	return cleanAbs(dir + "/" + p)
}

// needed lists the stages target needs, in order: those its FROM and COPY --from name,
// recursively, and itself.
func needed(f *dockerfile.File, target int) []int {
	want := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		if want[i] {
			return
		}
		want[i] = true
		s := f.Stages[i]
		if k, ok := f.StageByName(s.From); ok && k < i {
			visit(k)
		}
		for _, in := range s.Instructions {
			if c, ok := in.(*dockerfile.Copy); ok && c.From != "" {
				if k, ok := f.StageByName(c.From); ok && k < i {
					visit(k)
				}
			}
		}
	}
	visit(target)
	var out []int
	for i := range f.Stages {
		if want[i] {
			out = append(out, i)
		}
	}
	return out
}

// ErrNeedsEngine marks an instruction samship cannot build without a container engine.
var ErrNeedsEngine = errors.New("needs a container engine")

func needsEngine(where, what string) error {
	return fmt.Errorf("%s: %s %w", where, what, ErrNeedsEngine)
}

// jsonText is a command line as docker history shows an exec form.
func jsonText(args []string) string {
	b, _ := json.Marshal(args)
	return string(b)
}

// cleanAbs cleans an absolute image path.
func cleanAbs(p string) string { return path.Clean("/" + p) }
