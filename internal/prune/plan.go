package prune

import (
	"cmp"
	"slices"
	"time"

	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/lambda"
	"github.com/samship/samship/internal/ui"
)

// Why an image stays.
const (
	keptInUse  = "in use"
	keptNewest = "newest"
	keptRecent = "pushed within --min-age"
)

// plan is what prune decided, repository by repository.
type plan struct {
	repos []repoPlan
}

type repoPlan struct {
	name    string
	missing bool
	images  []planned // newest first
}

// planned is one image and why it stays ("" when it goes).
type planned struct {
	ecr.Image
	reason string
	by     []string // what runs it, when in use
}

// decide keeps, in each repository, every image a function, version or alias runs or a
// pending change set names, the keep newest (by push time, with any pushed at the same
// instant as the last of them), and those pushed after recent (unless zero); the rest go.
func decide(st *state, keep int, recent time.Time) *plan {
	used := inUse(st.functions)
	p := &plan{}
	for _, repo := range st.repos {
		imgs, ok := st.images[repo]
		rp := repoPlan{name: repo, missing: !ok}
		sorted := slices.Clone(imgs)
		slices.SortStableFunc(sorted, func(a, b ecr.Image) int {
			if c := b.Pushed.Compare(a.Pushed); c != 0 {
				return c
			}
			return cmp.Compare(a.Digest, b.Digest)
		})
		var cutoff time.Time // an image pushed at the same instant as the keep-th newest stays too
		if keep > 0 && len(sorted) >= keep {
			cutoff = sorted[keep-1].Pushed
		}
		for i, img := range sorted {
			pl := planned{Image: img}
			switch by := usedBy(used, st.pending, repo, img); {
			case len(by) > 0:
				pl.reason, pl.by = keptInUse, by
			case i < keep || !cutoff.IsZero() && img.Pushed.Equal(cutoff):
				pl.reason = keptNewest
			case !recent.IsZero() && img.Pushed.After(recent):
				pl.reason = keptRecent
			}
			rp.images = append(rp.images, pl)
		}
		p.repos = append(p.repos, rp)
	}
	return p
}

func (r repoPlan) deleteDigests() []string {
	var out []string
	for _, img := range r.images {
		if img.reason == "" {
			out = append(out, img.Digest)
		}
	}
	return out
}

// count is how many images go.
func (p *plan) count() int {
	n, _, _ := p.totals()
	return n
}

// totals are the images that go, their size, and how many repositories they are in.
func (p *plan) totals() (n int, size int64, repos int) {
	for _, r := range p.repos {
		d := 0
		for _, img := range r.images {
			if img.reason == "" {
				d++
				size += img.Size
			}
		}
		n += d
		if d > 0 {
			repos++
		}
	}
	return n, size, repos
}

// stillInUse is an image planned to go that something runs now.
type stillInUse struct {
	repo, digest string
	by           []string
}

// usedBy is what runs an image (functions, versions, aliases, by digest) or will run it (a
// change set waiting to be executed, by digest or by any of its tags).
func usedBy(used, pending map[string][]string, repo string, img ecr.Image) []string {
	by := slices.Clone(used[repo+"@"+img.Digest])
	by = append(by, pending[repo+"@"+img.Digest]...)
	for _, t := range img.Tags {
		by = append(by, pending[repo+":"+t]...)
	}
	slices.Sort(by) // "fn:$LATEST" before "fn:1" before "fn:live"
	return slices.Compact(by)
}

// stillUsed keeps the planned images that fns now run or pending change sets name, and
// returns them.
func (p *plan) stillUsed(fns map[string]*lambda.Function, pending map[string][]string) []stillInUse {
	used := inUse(fns)
	var out []stillInUse
	for _, r := range p.repos {
		for i, img := range r.images {
			if by := usedBy(used, pending, r.name, img.Image); img.reason == "" && len(by) > 0 {
				r.images[i].reason, r.images[i].by = keptInUse, by
				out = append(out, stillInUse{repo: r.name, digest: img.Digest, by: by})
			}
		}
	}
	return out
}

// view is the plan as the UI lists it.
func (p *plan) view() []ui.PruneRepo {
	var out []ui.PruneRepo
	for _, r := range p.repos {
		v := ui.PruneRepo{Name: r.name, Missing: r.missing}
		for _, img := range r.images {
			v.Images = append(v.Images, ui.PruneImage{Digest: img.Digest, Tags: img.Tags, Size: img.Size, Pushed: img.Pushed,
				Kept: img.reason, By: img.by})
		}
		out = append(out, v)
	}
	return out
}
