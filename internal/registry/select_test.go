package registry

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// imageFor returns a random image whose config names os/arch ("" names none).
func imageFor(t *testing.T, arch string) v1.Image {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if arch == "" {
		return img
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.OS, cf.Architecture = "linux", arch
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

// entry is one manifest of an index: an image (or a nested index) with its descriptor fields.
type entry struct {
	img         v1.Image
	idx         v1.ImageIndex
	platform    string // "os/arch[/variant]"; "" for none
	annotations map[string]string
}

func indexOf(entries ...entry) v1.ImageIndex {
	var adds []mutate.IndexAddendum
	for _, e := range entries {
		d := v1.Descriptor{Annotations: e.annotations}
		if e.platform != "" {
			p, _ := v1.ParsePlatform(e.platform)
			d.Platform = p
		}
		add := mutate.IndexAddendum{Add: e.img, Descriptor: d}
		if e.idx != nil {
			add.Add = e.idx
		}
		adds = append(adds, add)
	}
	return mutate.AppendManifests(empty.Index, adds...)
}

func ref(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSelectImage(t *testing.T) {
	amd, arm, i386, none := imageFor(t, "amd64"), imageFor(t, "arm64"), imageFor(t, "386"), imageFor(t, "")
	att := imageFor(t, "")
	attestation := entry{img: att, platform: "unknown/unknown", annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}}
	tests := map[string]struct {
		idx       v1.ImageIndex
		arch      string
		want      v1.Image
		wantHolds string // the *platformError's list when none fits
	}{
		"index for arm64":       {idx: indexOf(entry{img: amd, platform: "linux/amd64"}, entry{img: arm, platform: "linux/arm64"}), arch: ARM64, want: arm},
		"index for x86_64":      {idx: indexOf(entry{img: arm, platform: "linux/arm64"}, entry{img: amd, platform: "linux/amd64"}), arch: X86_64, want: amd},
		"index for default":     {idx: indexOf(entry{img: arm, platform: "linux/arm64"}, entry{img: amd, platform: "linux/amd64"}), want: amd},
		"arm64 variant v8":      {idx: indexOf(entry{img: amd, platform: "linux/amd64"}, entry{img: arm, platform: "linux/arm64/v8"}), arch: ARM64, want: arm},
		"arm variant v7 is not": {idx: indexOf(entry{img: arm, platform: "linux/arm64/v7"}), arch: ARM64, wantHolds: "linux/arm64/v7"},
		"attestation skipped": {
			idx:  indexOf(attestation, entry{img: amd, platform: "linux/amd64"}, entry{img: none, platform: "unknown/unknown"}),
			want: amd,
		},
		"attestation by annotation only": {
			idx:  indexOf(entry{img: att, platform: "linux/arm64", annotations: attestation.annotations}, entry{img: arm, platform: "linux/arm64"}),
			arch: ARM64, want: arm,
		},
		"nested index": {idx: indexOf(entry{idx: indexOf(entry{img: amd, platform: "linux/amd64"}, entry{img: arm, platform: "linux/arm64"})}), arch: ARM64, want: arm},
		"no match": {
			idx:  indexOf(entry{img: amd, platform: "linux/amd64"}, entry{img: i386, platform: "linux/386"}, attestation),
			arch: ARM64, wantHolds: "linux/amd64, linux/386",
		},
		"single image matches":       {idx: indexOf(entry{img: arm}), arch: ARM64, want: arm},
		"single image mismatch":      {idx: indexOf(entry{img: amd}), arch: ARM64, wantHolds: "linux/amd64"},
		"config without arch":        {idx: indexOf(entry{img: none}), arch: ARM64, want: none},
		"named platform before none": {idx: indexOf(entry{img: none}, entry{img: arm, platform: "linux/arm64"}), arch: ARM64, want: arm},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			l, err := selectImage(tc.idx, tc.arch)
			if tc.wantHolds != "" {
				var pe *platformError
				if !errors.As(err, &pe) || pe.holds != tc.wantHolds {
					t.Errorf("selectImage(%s) = %v, want it to hold %q", tc.arch, err, tc.wantHolds)
				}
				return
			}
			if err != nil {
				t.Fatalf("selectImage(%s) = %v", tc.arch, err)
			}
			img, err := l.image()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := img.Digest()
			want, _ := tc.want.Digest()
			if got != want || img.(*named).digest != want {
				t.Errorf("selectImage(%s) = %s (named %s), want %s", tc.arch, got, img.(*named).digest, want)
			}
		})
	}
}

// TestOpenPlatform opens two-platform and one-platform images from a layout, a docker-archive
// and a registry for each architecture: the image for the function's platform, one image
// manifest, or the one-line refusal.
func TestOpenPlatform(t *testing.T) {
	amd, arm := imageFor(t, "amd64"), imageFor(t, "arm64")
	both := indexOf(entry{img: amd, platform: "linux/amd64"}, entry{img: arm, platform: "linux/arm64"},
		entry{img: imageFor(t, ""), platform: "unknown/unknown", annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}})
	dir := t.TempDir()
	if _, err := layout.Write(filepath.Join(dir, "both"), both); err != nil {
		t.Fatal(err)
	}
	if _, err := layout.Write(filepath.Join(dir, "amd"), indexOf(entry{img: amd, platform: "linux/amd64"})); err != nil {
		t.Fatal(err)
	}
	if _, err := layout.Write(filepath.Join(dir, "386"), indexOf(entry{img: imageFor(t, "386"), platform: "linux/386"})); err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(filepath.Join(dir, "amd.tar"), name.MustParseReference("fn:v1"), amd); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	if err := remote.WriteIndex(ref(t, host+"/app/both:v1"), both); err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref(t, host+"/app/amd:v1"), amd); err != nil {
		t.Fatal(err)
	}
	o := &Opener{Dir: dir, Scratch: NewScratch(t.TempDir())}
	defer o.Scratch.Close()
	refusal := func(src, holds string) string {
		msg := "function Fn: image " + src + " holds " + holds + ", not the linux/arm64 that Architectures arm64 runs: build it with docker build --platform linux/arm64"
		if strings.Contains(holds, "linux/amd64") {
			msg += " (or set the function's Architectures to [x86_64])"
		}
		return msg
	}
	tests := map[string]struct {
		src, arch string
		want      v1.Image
		wantErr   string
	}{
		"layout arm64":            {src: "both", arch: ARM64, want: arm},
		"layout x86_64":           {src: "both", want: amd},
		"layout mismatch":         {src: "amd", arch: ARM64, wantErr: refusal("amd", "linux/amd64")},
		"layout of neither":       {src: "386", arch: ARM64, wantErr: refusal("386", "linux/386")},
		"docker-archive x86_64":   {src: "amd.tar", arch: X86_64, want: amd},
		"docker-archive mismatch": {src: "amd.tar", arch: ARM64, wantErr: refusal("amd.tar", "linux/amd64")},
		"registry index arm64":    {src: host + "/app/both:v1", arch: ARM64, want: arm},
		"registry index x86_64":   {src: host + "/app/both:v1", want: amd},
		"registry image mismatch": {src: host + "/app/amd:v1", arch: ARM64, wantErr: refusal(host+"/app/amd:v1", "linux/amd64")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := o.Open(context.Background(), tc.src, "Fn", tc.arch)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("Open(%s, %q) = %v, want %q", tc.src, tc.arch, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%s, %q) = %v", tc.src, tc.arch, err)
			}
			wantID, _ := tc.want.ConfigName()
			wantDigest, _ := tc.want.Digest()
			gotDigest, err := got.expectedDigest()
			mt, _ := got.MediaType()
			if got.ID != wantID.String() || err != nil || gotDigest != wantDigest || !mt.IsImage() {
				t.Errorf("Open(%s, %q) = id %s manifest %s (%s), want id %s manifest %s", tc.src, tc.arch, got.ID, gotDigest, mt, wantID, wantDigest)
			}
			if _, err := VerifyAll([]*Image{got}, nil); err != nil {
				t.Errorf("VerifyAll(%s) = %v", tc.src, err)
			}
		})
	}
}
