package build

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/baseimage"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/template"
)

// Engine modes (--engine).
const (
	EngineAuto   = "auto"   // build without the engine when samship can, else with it when one is reachable
	EngineNever  = "never"  // never use the engine: what samship cannot build alone is an error
	EngineAlways = "always" // build every image with the engine, as sam build does
)

// Options are one build run's.
type Options struct {
	// Template is the source template; BuildDir is where the images and the built template go
	// (.aws-sam/build, relative to the working directory as sam build's --build-dir).
	Template, BuildDir string
	// Functions limits the run to these functions (logical ids); empty: every image function
	// with build metadata.
	Functions []string
	// Overrides are --parameter-overrides; Region resolves AWS::Region for the template.
	Overrides map[string]string
	Region    string
	// Engine is EngineAuto, EngineNever or EngineAlways.
	Engine string
}

// EngineBuilder builds an image with a container engine (registry.Engine).
type EngineBuilder interface {
	Build(ctx context.Context, tarball io.Reader, opts registry.BuildOptions, progress io.Writer) (string, error)
	// Ping reports whether the engine answers; it is asked only when an image needs it.
	Ping(ctx context.Context) error
}

// Deps are what a run works with.
type Deps struct {
	Bases Bases
	// Engine is the reachable container engine; nil when none is.
	Engine EngineBuilder
	// EngineHost names the engine in messages.
	EngineHost string
	// CacheDir holds the layer cache ($XDG_CACHE_HOME/samship/build).
	CacheDir string
	// BlobDirs are other directories of blobs named by their sha256 hex (the base image
	// cache's): a layout gets hard links to them rather than copies.
	BlobDirs []string
	// Epoch is the time every file and the image configuration carry (SOURCE_DATE_EPOCH, else
	// the Unix epoch): a build at another time gives the same digest.
	Epoch time.Time
	// Tools receives pip's, npm's and the engine's output.
	Tools  io.Writer
	Report Reporter
	Now    func() time.Time
}

// Reporter hears a run's progress.
type Reporter interface {
	// BuildStarted: fn's image is being built for platform; with the engine, why.
	BuildStarted(fn, platform string, engine bool, why string)
	// BuildDone: fn's image is built.
	BuildDone(img Image)
}

// Image is one function's built image.
type Image struct {
	Function string
	Platform string
	// ImageURI is what the built template names: the layout's directory relative to the built
	// template, or the engine's name:tag.
	ImageURI string
	// Digest is the manifest's digest (for the engine: the image id).
	Digest string
	// Layers counts the image's layers, Added those this Dockerfile adds, and New those of
	// them not in the layer cache before.
	Layers, Added, New int
	Engine             bool
	Bases              []baseimage.Info
	Duration           time.Duration
}

// Result is a run's outcome.
type Result struct {
	Images []Image
	// BuildDir and Template are where the images and the built template were written.
	BuildDir, Template string
}

// Run builds the template's image functions and writes the built template. Every Dockerfile
// is read and checked before anything is built, and nothing in the build directory is
// replaced before every image is built.
func Run(ctx context.Context, opts Options, deps Deps) (*Result, error) {
	p, err := plan(ctx, opts, deps)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, fn := range p.functions {
			fn.job.context.Close()
		}
	}()
	sc, err := newScratch()
	if err != nil {
		return nil, err
	}
	defer sc.close()
	cache := layers{dir: deps.CacheDir, mtime: deps.Epoch}
	built := make([]builtImage, len(p.functions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	var mu sync.Mutex
	same := map[string]func() (builtImage, error){} // functions built from the same inputs: one build
	for i, fn := range p.functions {
		build := func() (builtImage, error) {
			if fn.engine {
				return buildWithEngine(gctx, fn, deps, sc)
			}
			e := &evaluator{bases: deps.Bases, cache: cache, scratch: sc, tools: deps.Tools}
			return e.image(gctx, fn)
		}
		if !fn.engine {
			k := fn.job.key()
			if same[k] == nil {
				same[k] = sync.OnceValues(build)
			}
			build = same[k]
		}
		g.Go(func() error {
			start := deps.Now()
			mu.Lock() // the Reporter hears one event at a time
			deps.Report.BuildStarted(fn.fn.LogicalID, fn.job.platform, fn.engine, fn.why)
			mu.Unlock()
			b, err := build()
			b.tag, b.info.Function, b.info.ImageURI = fn.fn.Build.Tag, fn.fn.LogicalID, fn.fn.LogicalID
			if fn.engine {
				b.info.ImageURI = fn.fn.BuildName() + ":" + fn.fn.Build.Tag
			}
			if err != nil {
				return fmt.Errorf("build function %s: %w", fn.fn.LogicalID, err)
			}
			b.info.Duration = deps.Now().Sub(start)
			mu.Lock()
			built[i] = b
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return write(p, built, opts, deps)
}

// builtImage is an image built, before it is written.
type builtImage struct {
	img  v1.Image // nil for the engine's
	tag  string
	info Image
}

func (e *evaluator) image(ctx context.Context, fn planned) (builtImage, error) {
	img, err := e.build(ctx, fn.job)
	if err != nil {
		return builtImage{}, err
	}
	d, err := img.Digest()
	if err != nil {
		return builtImage{}, err
	}
	ls, err := img.Layers()
	if err != nil {
		return builtImage{}, err
	}
	return builtImage{img: img, tag: fn.fn.Build.Tag, info: Image{Function: fn.fn.LogicalID, Platform: fn.job.platform,
		ImageURI: fn.fn.LogicalID, Digest: d.String(), Layers: len(ls), Added: e.added, New: e.made, Bases: e.fetched}}, nil
}

// functionNames lists the functions named by opts that the template has no image with build
// metadata for, in SAM CLI's words.
func unknownFunctions(names []string, fns []template.Function) error {
	have := map[string]bool{}
	for _, f := range fns {
		have[f.LogicalID], have[f.FullPath] = true, true
	}
	var missing []string
	for _, n := range names {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return fmt.Errorf("unable to find a function with name %s", strings.Join(missing, ", "))
}
