package ui

import (
	"fmt"
	"strings"
	"time"
)

// Orphan is a companion stack whose application stack is gone.
type Orphan struct {
	Stack, Parent string // Parent ends in "…" when the name holds only its start
	Changed       time.Time
	Repos         []OrphanRepo
}

// OrphanRepo is one repository of an orphan and how many images it holds.
type OrphanRepo struct {
	Name   string
	Images int
}

// RepoCount is "2 repositories (14 images)".
func RepoCount(repos []OrphanRepo) string {
	n := 0
	for _, r := range repos {
		n += r.Images
	}
	return fmt.Sprintf("%d %s (%d %s)", len(repos), Plural(len(repos), "repository", "repositories"), n, Plural(n, "image", "images"))
}

// LeftAlone is a companion stack without its application stack that is too recent, or
// being changed, to call orphaned: a first deploy creates it before the application stack.
type LeftAlone struct {
	Stack, Status string
	Age           time.Duration
	InProgress    bool
}

// Orphans lists the orphaned companion stacks of a region, and those left alone.
func (r *Reporter) Orphans(region string, found []Orphan, young []LeftAlone, minAge time.Duration) {
	var b strings.Builder
	if len(found) == 0 {
		fmt.Fprintf(&b, "No orphaned companion stacks in %s.\n", region)
	} else {
		fmt.Fprintf(&b, "Companion stacks in %s whose application stack no longer exists:\n", region)
		var all []OrphanRepo
		for _, o := range found {
			fmt.Fprintf(&b, "\t%s (for stack %s; last changed %s): %s\n", o.Stack, o.Parent, o.Changed.UTC().Format("2006-01-02 15:04"), RepoCount(o.Repos))
			for _, repo := range o.Repos {
				fmt.Fprintf(&b, "\t  %s  %d %s\n", repo.Name, repo.Images, Plural(repo.Images, "image", "images"))
			}
			all = append(all, o.Repos...)
		}
		fmt.Fprintf(&b, "%d orphaned companion %s: %s.\n", len(found), Plural(len(found), "stack", "stacks"), RepoCount(all))
	}
	for _, y := range young {
		why := fmt.Sprintf("changed %s ago, less than --min-age %s", ShortDuration(y.Age), ShortDuration(minAge))
		if y.InProgress {
			why = "being changed (" + y.Status + ")"
		}
		fmt.Fprintf(&b, "\tLeft alone: %s, %s; its application stack may be on its way.\n", y.Stack, why)
	}
	r.write(b.String())
}

// NoLongerOrphan says a companion stack found orphaned is kept: since it was listed, its
// application stack appeared or it began to change.
func (r *Reporter) NoLongerOrphan(stack string) {
	r.errf("\tKeeping %s: since it was listed, its application stack appeared or it began to change\n", stack)
}

// ShortDuration is "1h", "30m", "1h30m", "45s": a Duration without its zero tail.
func ShortDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
