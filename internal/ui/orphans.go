package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/samship/samship/internal/orphans"
)

// repoCount is "2 repositories (14 images)".
func repoCount(repos []orphans.Repo) string {
	n := 0
	for _, r := range repos {
		n += r.Images
	}
	return fmt.Sprintf("%d %s (%d %s)", len(repos), Plural(len(repos), "repository", "repositories"), n, Plural(n, "image", "images"))
}

// Orphans lists the orphaned companion stacks of a region, and those left alone.
func (r *Reporter) Orphans(region string, found []orphans.Orphan, young []orphans.LeftAlone, minAge time.Duration) {
	var b strings.Builder
	if len(found) == 0 {
		fmt.Fprintf(&b, "No orphaned companion stacks in %s.\n", region)
	} else {
		fmt.Fprintf(&b, "Companion stacks in %s whose application stack no longer exists:\n", region)
		var all []orphans.Repo
		for _, o := range found {
			parent := o.ParentStackName
			if o.ParentTruncated {
				parent += "…"
			}
			fmt.Fprintf(&b, "\t%s (for stack %s; last changed %s): %s\n", o.StackName, parent, o.LastChanged.UTC().Format("2006-01-02 15:04"), repoCount(o.Repositories))
			for _, repo := range o.Repositories {
				fmt.Fprintf(&b, "\t  %s  %d %s\n", repo.Name, repo.Images, Plural(repo.Images, "image", "images"))
			}
			all = append(all, o.Repositories...)
		}
		fmt.Fprintf(&b, "%d orphaned companion %s: %s.\n", len(found), Plural(len(found), "stack", "stacks"), repoCount(all))
	}
	for _, y := range young {
		why := fmt.Sprintf("changed %s ago, less than --min-age %s", ShortDuration(time.Duration(y.AgeSeconds)*time.Second), ShortDuration(minAge))
		if y.InProgress {
			why = "being changed (" + y.Status + ")"
		}
		fmt.Fprintf(&b, "\tLeft alone: %s, %s; its application stack may be on its way.\n", y.StackName, why)
	}
	r.write(b.String())
}

// OrphanQuestion words the question asked before deleting an orphan.
func (r *Reporter) OrphanQuestion(stack string, repos []orphans.Repo) string {
	return fmt.Sprintf("\tDelete the companion stack %s with its %s?", stack, repoCount(repos))
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
