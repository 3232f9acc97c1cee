package registry

import (
	"bytes"
	"errors"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// platformError reports that an image holds nothing for the function's platform; holds names
// what it does hold. Open turns it into wrongPlatform's message.
type platformError struct{ holds string }

func (e *platformError) Error() string { return "image holds " + e.holds }

// leaf is an image manifest of an index: the index naming it, its descriptor there, and the
// top-level entry of the outermost index it was reached through (whose annotations name it).
type leaf struct {
	idx  v1.ImageIndex
	desc v1.Descriptor
	top  v1.Descriptor
}

// image reads the leaf's image, which must hash to the digest its index names it by.
func (l leaf) image() (v1.Image, error) {
	img, err := l.idx.Image(l.desc.Digest)
	if err != nil {
		return nil, err
	}
	return &named{Image: img, digest: l.desc.Digest}, nil
}

// selectImage returns the image of idx that Lambda runs for a function of architecture arch
// (see PlatformOf): nested indexes are searched, attestations skipped; an image without a
// platform in its index is judged by its config, and one whose config names no architecture
// is taken when no image names the platform. A *platformError lists the platforms idx holds
// when none fits.
func selectImage(idx v1.ImageIndex, arch string) (leaf, error) {
	leaves, err := imagesOf(idx, nil)
	if err != nil {
		return leaf{}, err
	}
	if len(leaves) == 0 {
		return leaf{}, errors.New("the index holds no image")
	}
	want := PlatformOf(arch)
	var holds []string
	anyArch := -1 // the first image whose config names no architecture
	for i, l := range leaves {
		p := l.desc.Platform
		if p == nil || p.Architecture == "" {
			img, err := l.idx.Image(l.desc.Digest)
			if err != nil {
				return leaf{}, err
			}
			if p, err = configPlatform(img); err != nil {
				return leaf{}, err
			}
		}
		switch {
		case p == nil:
			if anyArch < 0 {
				anyArch = i
			}
		case runs(*p, want):
			return l, nil
		case !slices.Contains(holds, platformString(*p)):
			holds = append(holds, platformString(*p))
		}
	}
	if anyArch >= 0 {
		return leaves[anyArch], nil
	}
	return leaf{}, &platformError{holds: strings.Join(holds, ", ")}
}

// imagesOf lists the image manifests of idx in order, those of nested indexes in their place,
// attestations left out; top is the outermost entry they were reached through (nil at the top).
func imagesOf(idx v1.ImageIndex, top *v1.Descriptor) ([]leaf, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []leaf
	for _, d := range m.Manifests {
		t := top
		if t == nil {
			t = &d
		}
		switch {
		case attestation(d):
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, err
			}
			more, err := imagesOf(child, t)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		case d.MediaType.IsImage():
			out = append(out, leaf{idx: idx, desc: d, top: *t})
		}
	}
	return out, nil
}

// attestation reports whether d is a build attestation (BuildKit's provenance and SBOM
// manifests), which no platform runs.
func attestation(d v1.Descriptor) bool {
	return d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" ||
		d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

// runs reports whether an image of platform p is what Lambda runs on want: the same OS and
// architecture, without variant (arm64 also as v8, the only one Lambda's arm64 is).
func runs(p, want v1.Platform) bool {
	if p.OS != want.OS || p.Architecture != want.Architecture {
		return false
	}
	return p.Variant == "" || want.Architecture == "arm64" && p.Variant == "v8"
}

// configPlatform returns the platform img's config names; nil when it names no architecture,
// or when the config does not hash to the digest its manifest names (VerifyAll reports that,
// and nothing is judged by a config that is not the image's).
func configPlatform(img v1.Image) (*v1.Platform, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		return nil, err
	}
	if digestOf(raw) != m.Config.Digest.String() {
		return nil, nil
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil || cf.Architecture == "" {
		return nil, err
	}
	return &v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}, nil
}

// checkPlatform refuses, with a *platformError, a single image whose config names another
// platform than Lambda runs for arch; a config naming no architecture is accepted.
func checkPlatform(img v1.Image, arch string) error {
	p, err := configPlatform(img)
	if err != nil || p == nil {
		return err
	}
	if !runs(*p, PlatformOf(arch)) {
		return &platformError{holds: platformString(*p)}
	}
	return nil
}
