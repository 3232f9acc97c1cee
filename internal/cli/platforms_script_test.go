package cli_test

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/rogpeppe/go-internal/testscript"
)

// genPlatformsCmd writes an OCI layout as docker buildx --output type=oci leaves a
// multi-platform build: index.json names one image index holding an image for each platform
// (its config naming that platform) and, after them, a BuildKit attestation manifest:
//
//	gen-platforms DIR linux/amd64 linux/arm64 ...
func genPlatformsCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: gen-platforms DIR PLATFORM...")
	}
	var adds []mutate.IndexAddendum
	for _, s := range args[1:] {
		p, err := v1.ParsePlatform(s)
		ts.Check(err)
		img, err := random.Image(1024, 2)
		ts.Check(err)
		cf, err := img.ConfigFile()
		ts.Check(err)
		cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
		img, err = mutate.ConfigFile(img, cf)
		ts.Check(err)
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}
	att, err := random.Image(256, 1)
	ts.Check(err)
	first, err := adds[0].Add.Digest()
	ts.Check(err)
	adds = append(adds, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": first.String()},
	}})
	p, err := layout.Write(ts.MkAbs(args[0]), empty.Index)
	ts.Check(err)
	ts.Check(p.AppendIndex(mutate.AppendManifests(empty.Index, adds...)))
}

// regImageCmd prints, for each tag of a repository of the local registry, what the tag names:
// its manifest's media type and the platform its config names:
//
//	reg-image REPO     TAG MEDIA-TYPE OS/ARCH
func regImageCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: reg-image REPO")
	}
	repo := regRepo(ts, args[0])
	tags, err := remote.List(repo)
	ts.Check(err)
	for _, tag := range tags {
		desc, err := remote.Get(repo.Tag(tag))
		ts.Check(err)
		platform := "-"
		if desc.MediaType.IsImage() {
			img, err := desc.Image()
			ts.Check(err)
			cf, err := img.ConfigFile()
			ts.Check(err)
			platform = cf.OS + "/" + cf.Architecture
		}
		fmt.Fprintf(ts.Stdout(), "%s %s %s\n", tag, desc.MediaType, platform)
	}
}
