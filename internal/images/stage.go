package images

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/template"
)

// Reporter starts following the pushes of a run's images (ui.Reporter, output.JSON).
type Reporter interface {
	// Pushes starts following the push of the functions' images, atOnce at a time.
	Pushes(functions []string, atOnce int, noProgressBar bool, now func() time.Time) Pushes
}

// Pushes follows the pushes of a run's images.
type Pushes interface {
	registry.Reporter
	// Done ends a push that succeeded, Stop one that failed.
	Done()
	Stop()
}

// Stage is the images of one run's functions, from Open to Missing. Its fields are set
// before Open; Close removes what it wrote.
type Stage struct {
	// Access is how registries are reached, to read images and to push them.
	Access registry.Access
	// Engine is the Docker or Podman engine local image names are read from (nil: none).
	Engine *registry.Engine
	// Layers remembers what engine images' layers were pushed as, and which layouts' blobs were
	// verified; nil remembers nothing.
	Layers *registry.LayerCache
	// Report hears the pushes; nil hears nothing.
	Report Reporter
	// Jobs bounds how many images are pushed at once (8 when 0).
	Jobs int
	// NoProgressBar keeps the report of the pushes to one line per image.
	NoProgressBar bool
	Now           func() time.Time

	scratch *registry.Scratch          // temporary files
	order   []string                   // the functions opened, by full path, in order
	images  map[string]*registry.Image // by function full path, read and verified
	tags    map[string]string          // by function full path: SAM's tag for its image
	pusher  *registry.Pusher           // what pushed them, to check them after a deploy
}

// Pushed is one function's image in place in its repository.
type Pushed struct {
	Function, Source, Ref string
	// Digest is the digest of the manifest Ref names.
	Digest string
	// Pushed is false for an image its repository already had under its tag.
	Pushed bool
}

// Open reads the image of every function in fns (those Select returns), whole, and verifies
// each against its digests: a broken image stops the run before anything changes in AWS.
// Each source is read once per platform however many functions share it.
func (s *Stage) Open(ctx context.Context, fns []template.Function) error {
	if len(fns) == 0 {
		return nil
	}
	s.scratch = registry.NewScratch("")
	opener := &registry.Opener{Remote: s.Access.Options(), Engine: s.Engine, Scratch: s.scratch}
	s.images, s.tags = map[string]*registry.Image{}, map[string]string{}
	bySource := map[string]*registry.Image{}
	var distinct []*registry.Image
	var firstUse []template.Function // of each distinct image, for errors
	for _, f := range fns {
		dir, err := filepath.Abs(f.Template().Dir()) // the function's own template
		if err != nil {
			return err
		}
		key := f.ImageURI // a registry or engine name, or the absolute path of a file
		if src := registry.SourceOf(f.ImageURI, dir, s.Engine); src.Path != "" {
			key = src.Path
		}
		key += " " + registry.PlatformOf(f.Architecture).String() // an index holds one image per platform
		img, ok := bySource[key]
		if !ok {
			opener.Dir = dir
			if img, err = opener.Open(ctx, f.ImageURI, f.FullPath, f.Architecture); err != nil {
				return fmt.Errorf("%s: %w", f.Where, err)
			}
			bySource[key] = img
			distinct, firstUse = append(distinct, img), append(firstUse, f)
		}
		s.order = append(s.order, f.FullPath)
		s.images[f.FullPath] = img
		s.tags[f.FullPath] = img.TagFor(f.FullPath, f.BuildName(), f.DockerTag)
	}
	if i, err := registry.VerifyAll(distinct, s.Layers); err != nil {
		f := firstUse[i]
		return fmt.Errorf("%s: function %s: image %s is broken: %w", f.Where, f.FullPath, f.ImageURI, err)
	}
	return nil
}

// Refs returns the references the opened images will be pushed as, by function full path,
// given each function's repository URI (repos, by full path): the repository and SAM's tag
// are known before anything is pushed.
func (s *Stage) Refs(repos map[string]string) map[string]string {
	refs := map[string]string{}
	for _, fp := range s.order {
		if repo := repos[fp]; repo != "" {
			refs[fp] = repo + ":" + s.tags[fp]
		}
	}
	return refs
}

// Push pushes the opened images to their repositories (repos, by function full path; every
// opened function has one) and returns them in the order opened. The repositories of the
// functions in fresh were created by this run and hold nothing: nothing is looked up there.
func (s *Stage) Push(ctx context.Context, repos map[string]string, fresh map[string]bool) ([]Pushed, error) {
	if len(s.order) == 0 {
		return nil, nil
	}
	var jobs []registry.Job
	for _, fp := range s.order {
		jobs = append(jobs, registry.Job{Function: fp, Image: s.images[fp], Repo: repos[fp], Empty: fresh[fp], Tag: s.tags[fp]})
	}
	jobsAtOnce := s.Jobs
	if jobsAtOnce <= 0 {
		jobsAtOnce = 8
	}
	s.pusher = &registry.Pusher{Access: s.Access, Jobs: jobsAtOnce, Scratch: s.scratch, Cache: s.Layers}
	var pushes Pushes
	if s.Report != nil {
		pushes = s.Report.Pushes(s.order, jobsAtOnce, s.NoProgressBar, s.Now)
		s.pusher.Report = pushes
	}
	res, err := s.pusher.PushAll(ctx, jobs)
	if pushes != nil && err != nil {
		pushes.Stop()
	} else if pushes != nil {
		pushes.Done()
	}
	if err != nil {
		return nil, err
	}
	out := make([]Pushed, len(res))
	for i, x := range res {
		out[i] = Pushed{Function: x.Function, Source: jobs[i].Image.Source, Ref: x.Ref, Digest: x.Digest, Pushed: x.Pushed}
	}
	return out, nil
}

// Missing looks, after a deploy, for the images refs (by function full path) name in their
// registries: another run (a deploy removing a function, a prune) may have deleted one
// meanwhile. It returns the functions whose image is gone and those references, both
// sorted; none when nothing was pushed. It reuses the pushes' connections.
func (s *Stage) Missing(ctx context.Context, refs map[string]string) (functions, gone []string, err error) {
	if len(refs) == 0 || s.pusher == nil {
		return nil, nil, nil
	}
	byRef := map[string][]string{}
	for fp, ref := range refs {
		byRef[ref] = append(byRef[ref], fp)
	}
	if gone, err = s.pusher.Missing(ctx, slices.Sorted(maps.Keys(byRef))); err != nil {
		return nil, nil, err
	}
	for _, ref := range gone {
		functions = append(functions, byRef[ref]...)
	}
	slices.Sort(functions)
	return functions, gone, nil
}

// Close removes the temporary files reading and pushing the images made.
func (s *Stage) Close() {
	if s.scratch != nil {
		s.scratch.Close()
	}
}

// Digest is the manifest digest the opened image of fullPath will have in its repository,
// when it is known before pushing (an engine's image is compressed, and so named, only as it
// is pushed).
func (s *Stage) Digest(fullPath string) (string, bool) {
	img := s.images[fullPath]
	if img == nil || img.Image == nil { // an engine's: read only when pushed
		return "", false
	}
	d, err := img.Digest()
	if err != nil {
		return "", false
	}
	return d.String(), true
}

// Only keeps, of the opened functions, those of fullPaths: Push pushes their images alone.
func (s *Stage) Only(fullPaths []string) {
	keep := map[string]bool{}
	for _, fp := range fullPaths {
		keep[fp] = true
	}
	s.order = slices.DeleteFunc(s.order, func(fp string) bool { return !keep[fp] })
}
