package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// Media types of what an engine's image is pushed as: Docker's, as docker push writes them.
const (
	dockerLayer    = types.DockerLayer
	dockerConfig   = types.DockerConfigJSON
	dockerManifest = types.DockerManifestSchema2
)

// engineTask is a job whose engine image is not in its repository yet.
type engineTask struct {
	i   int // the job's index
	job Job
	tag name.Tag
	c   *repoClient
}

// filesInFlight bounds the compressed layers waiting for their uploads at once, and so the
// temporary space a push takes: one, so at most the largest layer, compressed. Layers only
// checked go on being read meanwhile; the next compression waits. (With two the next layer
// would be compressed while one uploads, which saves little: an image's time goes to its
// biggest layer.)
const filesInFlight = 1

// pushEngine pushes the engine images of tasks, all read in one export of the engine: each
// distinct layer is read once, compressed once (or only checked, when the registry is known
// to hold it already: see LayerCache) and sent to every repository that lacks it; then each
// image's config and manifest go to its repositories.
func (r *pushRun) pushEngine(ctx context.Context, tasks []engineTask, results []Result) error {
	if len(tasks) == 0 {
		return nil
	}
	e := tasks[0].job.Image.engine.e
	want := exportWant{ids: map[v1.Hash]bool{}, layers: map[v1.Hash]*layerJob{}}
	var refs []string
	var total int64
	targets := map[v1.Hash][]*repoClient{} // by diff id: the repositories the layer goes to
	for _, t := range tasks {
		img := t.job.Image
		id, err := v1.NewHash(img.ID)
		if err != nil {
			return fmt.Errorf("image %s: %w", img.Source, err)
		}
		if !want.ids[id] {
			want.ids[id] = true
			refs = append(refs, img.Source)
			total += img.engine.info.Size
		}
		for _, s := range img.engine.info.DiffIDs {
			d, err := v1.NewHash(s)
			if err != nil {
				return fmt.Errorf("image %s: layer %q: %w", img.Source, s, err)
			}
			if want.layers[d] == nil {
				want.layers[d] = &layerJob{diff: d, compress: true}
			}
			if !slices.Contains(targets[d], t.c) {
				targets[d] = append(targets[d], t.c)
			}
		}
	}
	if err := r.known(ctx, want.layers, targets); err != nil {
		return err
	}
	ups := map[*repoClient]Upload{}
	for _, t := range tasks {
		if ups[t.c] == nil {
			ups[t.c] = r.p.report().Sending(t.c.repo.RepositoryStr(), t.job.Image.engine.info.Size)
		}
	}
	configs, err := r.exportAndSend(ctx, e, refs, total, want, targets, ups)
	if err != nil {
		err = fmt.Errorf("push %s: %w", describe(tasks), err)
	} else {
		err = r.putEngineManifests(ctx, tasks, want, configs, ups, results)
	}
	for _, up := range ups {
		up.Done(err != nil)
	}
	return err
}

// describe names the functions and repositories of tasks as push errors do: "image of
// function A to REPO", or "images of functions A, B to their repositories".
func describe(tasks []engineTask) string {
	if len(tasks) == 1 {
		return fmt.Sprintf("image of function %s to %s", tasks[0].job.Function, tasks[0].job.Repo)
	}
	var fns []string
	for _, t := range tasks {
		fns = append(fns, t.job.Function)
	}
	return "images of functions " + strings.Join(fns, ", ") + " to their repositories"
}

// known marks the layers the cache knows a blob of that every repository they go to holds:
// those are only checked as the export passes, not compressed.
func (r *pushRun) known(ctx context.Context, layers map[v1.Hash]*layerJob, targets map[v1.Hash][]*repoClient) error {
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for d, l := range layers {
		cs := targets[d]
		cached, ok := r.p.Cache.Lookup(cs[0].repo.RegistryStr(), d)
		for _, c := range cs[1:] {
			if c2, ok2 := r.p.Cache.Lookup(c.repo.RegistryStr(), d); !ok2 || c2 != cached {
				ok = false
			}
		}
		if !ok {
			continue
		}
		g.Go(func() error {
			for _, c := range cs {
				if c.empty {
					return nil
				}
				there, err := c.hasBlob(gctx, cached.Digest)
				if err != nil || !there {
					return nil // sent again: a failed look is not fatal
				}
			}
			mu.Lock()
			l.compress, l.known = false, cached
			mu.Unlock()
			for _, c := range cs {
				r.blobs.landed(cached.Digest, c.repo)
			}
			return nil
		})
	}
	return g.Wait()
}

// exportAndSend reads the export of refs once, sending each compressed layer to the
// repositories that need it as soon as it is compressed, and returns the images' configs by
// id. A layer whose guess by size was wrong (Docker before 25 names layers by position) is
// read again in a second export.
func (r *pushRun) exportAndSend(ctx context.Context, e *Engine, refs []string, total int64, want exportWant, targets map[v1.Hash][]*repoClient, ups map[*repoClient]Upload) (map[v1.Hash][]byte, error) {
	g, gctx := errgroup.WithContext(ctx)
	sp := &layerSpool{s: r.p.Scratch, ctx: gctx, slots: make(chan struct{}, filesInFlight), files: map[string]bool{}}
	defer sp.removeAll()
	var reading Read
	send := func(l *layerJob) error {
		reading.Compressed(l.usize)
		file := l.file
		var wg sync.WaitGroup
		for _, c := range targets[l.diff] {
			wg.Add(1)
			g.Go(func() error {
				defer wg.Done()
				open := func() (io.ReadCloser, error) { return os.Open(file) }
				if err := r.blob(gctx, c, l.desc, open, ups[c]); err != nil {
					return fmt.Errorf("send layer %s: %w", l.diff, err)
				}
				return nil
			})
		}
		go func() { wg.Wait(); sp.Remove(file) }() // once every repository has it
		return nil
	}
	fail := func(err error) (map[v1.Hash][]byte, error) {
		g.Wait()
		return nil, err
	}
	var configs map[v1.Hash][]byte
	for pass := 0; ; pass++ {
		rc, err := e.Export(gctx, refs)
		if err != nil {
			return fail(fmt.Errorf("export %s from the engine: %w", strings.Join(refs, ", "), err))
		}
		reading = r.p.report().Reading(refs, total)
		out, err := readExport(countBytes(rc, reading), want, sp, send)
		rc.Close()
		reading.Done(err != nil)
		if err == nil && len(out.missed) > 0 && pass > 0 {
			err = fmt.Errorf("layers %v are not where the export's sizes placed them", out.missed)
		}
		if err != nil {
			if gctx.Err() != nil && ctx.Err() == nil {
				return fail(g.Wait()) // an upload failed: that is the cause
			}
			return fail(fmt.Errorf("read %s from the engine: %w", strings.Join(refs, ", "), err))
		}
		configs = out.configs
		if len(out.missed) == 0 {
			break
		}
		for _, d := range out.missed {
			want.layers[d].done, want.layers[d].compress = false, true
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for d, l := range want.layers {
		if l.file == "" {
			continue
		}
		for _, c := range targets[d] {
			r.p.Cache.Add(c.repo.RegistryStr(), d, CachedLayer{Digest: l.desc.Digest, Size: l.desc.Size, Uncompressed: l.usize})
		}
	}
	// The cache is a hint: a run that cannot write it (a read-only home) compresses again next
	// time, which is no reason to fail this one.
	_ = r.p.Cache.Save()
	return configs, nil
}

// putEngineManifests sends each task's config and manifest: the manifest names each layer by
// the blob it was sent as (or, unread, the blob the registry already holds for it), in the
// order of the config's diff ids.
func (r *pushRun) putEngineManifests(ctx context.Context, tasks []engineTask, want exportWant, configs map[v1.Hash][]byte, ups map[*repoClient]Upload, results []Result) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, t := range tasks {
		g.Go(func() error {
			id, _ := v1.NewHash(t.job.Image.ID)
			raw, m, err := engineManifest(configs[id], id, want.layers)
			if err != nil {
				return fmt.Errorf("image %s: %w", t.job.Image.Source, err)
			}
			open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(configs[id])), nil }
			if err := r.blob(gctx, t.c, m.Config, open, ups[t.c]); err != nil {
				return fmt.Errorf("push image of function %s to %s: send config: %w", t.job.Function, t.job.Repo, err)
			}
			if err := retry(gctx, r.delays(), func() error { return t.c.putManifest(gctx, t.tag.TagStr(), raw, dockerManifest) }); err != nil {
				return fmt.Errorf("push image of function %s to %s: %w", t.job.Function, t.job.Repo, err)
			}
			d := digestOf(raw)
			results[t.i] = Result{Function: t.job.Function, Ref: t.tag.String(), Digest: d, Pushed: true}
			r.p.report().Result(t.job.Function, t.job.Image.Source, t.tag.String(), d, true)
			return nil
		})
	}
	return g.Wait()
}

// engineManifest is the manifest of the image whose config is cfg (with digest id).
func engineManifest(cfg []byte, id v1.Hash, layers map[v1.Hash]*layerJob) ([]byte, *v1.Manifest, error) {
	var c struct {
		RootFS struct {
			DiffIDs []v1.Hash `json:"diff_ids"`
		} `json:"rootfs"`
	}
	if err := json.Unmarshal(cfg, &c); err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	m := &v1.Manifest{SchemaVersion: 2, MediaType: dockerManifest,
		Config: v1.Descriptor{MediaType: dockerConfig, Size: int64(len(cfg)), Digest: id}}
	for _, d := range c.RootFS.DiffIDs {
		l := layers[d]
		switch {
		case l == nil:
			return nil, nil, fmt.Errorf("its config names layer %s, which the engine did not list", d)
		case l.file != "":
			m.Layers = append(m.Layers, l.desc)
		default:
			m.Layers = append(m.Layers, v1.Descriptor{MediaType: dockerLayer, Size: l.known.Size, Digest: l.known.Digest})
		}
	}
	raw, err := json.Marshal(m)
	return raw, m, err
}

// layerSpool keeps compressed layers in the run's scratch directory, at most as many at once
// as it has slots: compressing the next waits while the earlier ones are still uploading.
type layerSpool struct {
	s     *Scratch
	ctx   context.Context
	slots chan struct{}

	mu    sync.Mutex
	files map[string]bool
}

// Create implements spool.
func (sp *layerSpool) Create() (*os.File, error) {
	select {
	case sp.slots <- struct{}{}:
	case <-sp.ctx.Done():
		return nil, sp.ctx.Err()
	}
	f, err := sp.s.CreateTemp("layer-*.gz")
	if err != nil {
		<-sp.slots
		return nil, err
	}
	sp.mu.Lock()
	sp.files[f.Name()] = true
	sp.mu.Unlock()
	return f, nil
}

// Remove implements spool.
func (sp *layerSpool) Remove(name string) {
	sp.mu.Lock()
	held := sp.files[name]
	delete(sp.files, name)
	sp.mu.Unlock()
	if held {
		os.Remove(name)
		<-sp.slots
	}
}

func (sp *layerSpool) removeAll() {
	sp.mu.Lock()
	var names []string
	for n := range sp.files {
		names = append(names, n)
	}
	sp.mu.Unlock()
	for _, n := range names {
		sp.Remove(n)
	}
}
