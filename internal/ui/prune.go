package ui

import (
	"fmt"
	"strings"

	"github.com/samship/samship/internal/prune"
)

// PruneReading says what prune reads before deciding.
func (r *Reporter) PruneReading(stack string, repos int) {
	r.Note(fmt.Sprintf("Reading what the functions of %s run, and the images of %d managed %s", stack, repos,
		Plural(repos, "repository", "repositories")))
}

// PrunePlan lists, repository by repository, each image with what becomes of it.
func (r *Reporter) PrunePlan(stack string, repos []prune.Repo, keep int) {
	tagsWidth := 0 // the tags column, as wide as the widest list (up to 48)
	for _, repo := range repos {
		for _, img := range repo.Images {
			tagsWidth = max(tagsWidth, min(len(tagList(img.Tags)), 48))
		}
	}
	var b strings.Builder
	newest := fmt.Sprintf(" and the %d newest of each", keep)
	if keep == 0 {
		newest = ""
	}
	fmt.Fprintf(&b, "\nManaged image repositories of stack %s (keeping every image in use%s):\n", stack, newest)
	for _, repo := range repos {
		del, size := 0, int64(0)
		for _, img := range repo.Images {
			if img.Kept == "" {
				del++
				size += img.Size
			}
		}
		switch {
		case repo.Missing:
			fmt.Fprintf(&b, "\t%s (does not exist)\n", repo.Name)
			continue
		case len(repo.Images) == 0:
			fmt.Fprintf(&b, "\t%s: no images\n", repo.Name)
			continue
		case del > 0:
			fmt.Fprintf(&b, "\t%s: %d %s, %d to delete (%s)\n", repo.Name, len(repo.Images), Plural(len(repo.Images), "image", "images"), del, MB(size))
		default:
			fmt.Fprintf(&b, "\t%s: %d %s, all kept\n", repo.Name, len(repo.Images), Plural(len(repo.Images), "image", "images"))
		}
		for _, img := range repo.Images {
			action, why := r.Paint.Red("delete"), ""
			switch img.Kept {
			case "":
			case prune.InUse:
				action, why = "keep  ", "  in use: "+strings.Join(img.By, ", ")
			default:
				action, why = "keep  ", "  "+keptWhy(img.Kept)
			}
			fmt.Fprintf(&b, "\t  %s  %s  %-*s  %9s  %s%s\n", action, ShortDigest(img.Digest), tagsWidth, tagList(img.Tags), MB(img.Size),
				img.Pushed.UTC().Format("2006-01-02 15:04"), why)
		}
	}
	r.write(b.String())
}

// keptWhy says why an image not in use stays.
func keptWhy(why prune.Reason) string {
	switch why {
	case prune.Newest:
		return "newest"
	case prune.TooYoung:
		return "pushed within --min-age"
	case prune.Referenced:
		return "an image index refers to it"
	}
	return string(why)
}

// ShortDigest is "sha256:" and the first 12 hex digits of a digest.
func ShortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}

func tagList(tags []string) string {
	if len(tags) == 0 {
		return "<untagged>"
	}
	return strings.Join(tags, ",")
}

// NoManagedRepositories says a stack has no companion stack, so nothing to prune.
func (r *Reporter) NoManagedRepositories(stack string) {
	r.errf("Stack %s has no managed image repositories (no companion stack): nothing to prune.\n", stack)
}

// NothingToPrune says every image stays.
func (r *Reporter) NothingToPrune(keep int) {
	if keep == 0 {
		r.errf("\nNothing to prune: every image is in use.\n")
		return
	}
	r.errf("\nNothing to prune: every image is in use or among the %d newest of its repository.\n", keep)
}

// PruneDryRun says a dry run deleted nothing.
func (r *Reporter) PruneDryRun() { r.errf("\nDry run: nothing was deleted.\n") }

// PruneQuestion words the question asked before deleting n images of size bytes from repos
// repositories.
func (r *Reporter) PruneQuestion(n int, size int64, repos int) string {
	return fmt.Sprintf("\tDelete %d %s (%s) from %d %s?", n, Plural(n, "image", "images"), MB(size), repos,
		Plural(repos, "repository", "repositories"))
}

// NowInUse says an image listed for deletion stays: something began to run it meanwhile.
func (r *Reporter) NowInUse(repo, digest string, by []string) {
	r.errf("\tKeeping %s@%s: in use since it was listed, by %s\n", repo, ShortDigest(digest), strings.Join(by, ", "))
}

// KeptByIndex says ECR kept an image because an image index still refers to it.
func (r *Reporter) KeptByIndex(repo, digest string) {
	r.errf("\tKept %s@%s: an image index still refers to it\n", repo, ShortDigest(digest))
}

// Pruned says how many images went.
func (r *Reporter) Pruned(n int, size int64) {
	r.errf("\nDeleted %d %s (%s).\n", n, Plural(n, "image", "images"), MB(size))
}
