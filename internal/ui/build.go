package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/samship/samship/internal/build"
)

// BuildStarted implements build.Reporter.
func (r *Reporter) BuildStarted(fn, platform string, engine bool, why string) {
	if engine {
		r.errf("Building image for %s function (%s) with the container engine: %s\n", fn, platform, why)
		return
	}
	r.errf("Building image for %s function (%s)\n", fn, platform)
}

// BuildDone implements build.Reporter.
func (r *Reporter) BuildDone(img build.Image) {
	if img.Engine {
		r.errf("Built %s: %s (the engine's image %s) in %s\n", img.Function, short(img.Digest), img.ImageURI, secs(img.Duration))
		return
	}
	var bases []string
	for _, b := range img.Bases {
		how := "cached"
		if b.Fetched {
			how = "pulled"
		}
		bases = append(bases, fmt.Sprintf("%s %s", b.Ref, how))
	}
	base := ""
	if len(bases) > 0 {
		base = "; " + strings.Join(bases, ", ")
	}
	r.errf("Built %s: %s in %s (%d %s: %d from the Dockerfile, %d new%s)\n", img.Function, short(img.Digest), secs(img.Duration),
		img.Layers, Plural(img.Layers, "layer", "layers"), img.Added, img.New, base)
}

// BuildSucceeded shows where a build left its images and template, as sam build does, and
// what to run next.
func (r *Reporter) BuildSucceeded(res *build.Result) {
	r.errf("\nBuild Succeeded\n\nBuilt Artifacts  : %s\nBuilt Template   : %s\n\nCommands you can use next\n=========================\n[*] Deploy: samship deploy --guided\n",
		res.BuildDir, res.Template)
}

func short(digest string) string {
	if _, hex, ok := strings.Cut(digest, ":"); ok && len(hex) > 12 {
		return digest[:len(digest)-len(hex)+12]
	}
	return digest
}

// secs is a build's time as sam build's lines give it, "0.4 s".
func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", max(0, d.Seconds())) }
