package registry

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"
	"golang.org/x/sync/errgroup"
)

// Missing returns the references (repo:tag) whose manifest the registry does not have, or
// whose repository is gone, sorted: one HEAD request each, eight at a time, on the
// connections (and version checks) of the pushes. What deployed functions run must be
// there: another run may have deleted it meanwhile.
func (p *Pusher) Missing(ctx context.Context, refs []string) ([]string, error) {
	found := make([]bool, len(refs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, s := range refs {
		g.Go(func() error {
			tag, err := name.NewTag(s)
			if err != nil {
				return fmt.Errorf("check image %s: %w", s, err)
			}
			c, err := newRepoClient(gctx, p.Access, p.transport(), tag.Context())
			if err != nil {
				return fmt.Errorf("check image %s: %w", s, err)
			}
			if _, found[i], err = c.lookupTag(gctx, tag.TagStr()); err != nil {
				return fmt.Errorf("check image %s: %w", s, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var missing []string
	for i, s := range refs {
		if !found[i] {
			missing = append(missing, s)
		}
	}
	sort.Strings(missing)
	return missing, nil
}
