package prune

import (
	"cmp"
	"slices"
	"time"

	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/lambda"
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
	reason  Reason
	by      []string // what runs it, when in use
	deleted bool
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
				pl.reason, pl.by = InUse, by
			case i < keep || !cutoff.IsZero() && img.Pushed.Equal(cutoff):
				pl.reason = Newest
			case !recent.IsZero() && img.Pushed.After(recent):
				pl.reason = TooYoung
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
				r.images[i].reason, r.images[i].by = InUse, by
				out = append(out, stillInUse{repo: r.name, digest: img.Digest, by: by})
			}
		}
	}
	return out
}

// view is the plan as it stands: every repository with each of its images, newest first,
// and what becomes of it.
func (p *plan) view() []Repo {
	out := make([]Repo, 0, len(p.repos))
	for _, r := range p.repos {
		v := Repo{Name: r.name, Missing: r.missing, Images: make([]Image, 0, len(r.images))}
		for _, img := range r.images {
			tags := img.Tags
			if tags == nil {
				tags = []string{}
			}
			v.Images = append(v.Images, Image{Digest: img.Digest, Tags: tags, Size: img.Size, Pushed: img.Pushed,
				Kept: img.reason, By: img.by, Deleted: img.deleted})
			switch img.reason {
			case InUse:
				v.Kept.InUse++
			case Newest:
				v.Kept.Newest++
			case TooYoung:
				v.Kept.TooYoung++
			case Referenced:
				v.Kept.Referenced++
			}
		}
		out = append(out, v)
	}
	return out
}

// fill sets res's repositories and totals to the plan as it stands.
func (p *plan) fill(res *Result) {
	res.Repositories = p.view()
	res.ImagesToDelete, res.BytesToFree, res.ImagesDeleted, res.BytesFreed = 0, 0, 0, 0
	for _, r := range res.Repositories {
		for _, img := range r.Images {
			if img.Kept == "" {
				res.ImagesToDelete++
				res.BytesToFree += img.Size
			}
			if img.Deleted {
				res.ImagesDeleted++
				res.BytesFreed += img.Size
			}
		}
	}
}
