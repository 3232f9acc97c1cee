package sync

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/template"
)

// update sets each changed function's image (by the digest pushed) and moves its
// AutoPublishAlias, all functions at once: functions sharing an image take one Lambda update
// time, not N.
func update(ctx context.Context, deps Deps, fns []template.Function, names, running map[string]string, pushed []images.Pushed, start time.Time) ([]Function, error) {
	byPath := map[string]images.Pushed{}
	for _, p := range pushed {
		byPath[p.Function] = p
	}
	out := make([]Function, len(fns))
	var mu sync.Mutex
	var g errgroup.Group
	for i, f := range fns {
		g.Go(func() error {
			p, ok := byPath[f.FullPath]
			if !ok {
				return fmt.Errorf("function %s: its image was not pushed", f.FullPath)
			}
			repo, _, _ := cutRef(p.Ref)
			image := repo + "@" + p.Digest
			name := names[f.FullPath]
			if run := running[f.FullPath]; run == image {
				// An engine's image is named only as it is pushed: the push found it there, and
				// the function runs it already.
				fn := Function{LogicalID: f.FullPath, Name: name, Image: image, Digest: p.Digest, Took: deps.Now().Sub(start)}
				mu.Lock()
				out[i] = fn
				deps.Report.FunctionSynced(fn)
				mu.Unlock()
				return nil
			}
			u, err := deps.Functions.SetImage(ctx, name, image)
			if err != nil {
				return fmt.Errorf("function %s: %w", f.FullPath, err)
			}
			fn := Function{LogicalID: f.FullPath, Name: name, Image: image, Digest: p.Digest, Changed: true}
			if f.AutoPublishAlias != "" {
				if fn.Version, err = deps.Functions.PublishAlias(ctx, name, f.AutoPublishAlias, u); err != nil {
					return fmt.Errorf("function %s: %w", f.FullPath, err)
				}
				fn.Alias = f.AutoPublishAlias
			}
			fn.Took = deps.Now().Sub(start)
			mu.Lock()
			out[i] = fn
			deps.Report.FunctionSynced(fn)
			mu.Unlock()
			return nil
		})
	}
	err := g.Wait()
	var done []Function
	for _, fn := range out {
		if fn.LogicalID != "" {
			done = append(done, fn)
		}
	}
	return done, err
}

// cutRef splits "<repo>:<tag>" (a pushed reference) into the repository and the tag.
func cutRef(ref string) (repo, tag string, ok bool) {
	for i := len(ref) - 1; i >= 0 && ref[i] != '/'; i-- {
		if ref[i] == ':' {
			return ref[:i], ref[i+1:], true
		}
	}
	return ref, "", false
}
