package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// brokenLayout writes an OCI layout and lets break spoil it; it returns the layout's path.
func brokenLayout(t *testing.T, spoil func(dir, layer, config, manifest string), also ...v1.Image) string {
	t.Helper()
	dir := t.TempDir()
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	for _, a := range also { // blobs of other images, not in the index
		if err := p.WriteImage(a); err != nil {
			t.Fatal(err)
		}
	}
	ls, _ := img.Layers()
	ld, _ := ls[0].Digest()
	cd, _ := img.ConfigName()
	md, _ := img.Digest()
	blob := func(d string) string { return filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(d, "sha256:")) }
	spoil(dir, blob(ld.String()), blob(cd.String()), blob(md.String()))
	return dir
}

func TestVerify(t *testing.T) {
	other, err := random.Image(100, 1)
	if err != nil {
		t.Fatal(err)
	}
	otherManifest, _ := other.RawManifest()
	tests := map[string]struct {
		spoil func(dir, layer, config, manifest string)
		want  string
		also  []v1.Image
	}{
		"sound":                                {func(_, _, _, _ string) {}, "", nil},
		"layer replaced":                       {func(_, layer, _, _ string) { os.WriteFile(layer, []byte("other bytes"), 0o644) }, "holds bytes whose digest is sha256:", nil},
		"layer missing":                        {func(_, layer, _, _ string) { os.Remove(layer) }, "no such file", nil},
		"config replaced":                      {func(_, _, config, _ string) { os.WriteFile(config, []byte(`{"architecture":"x"}`), 0o644) }, "config is sha256:", nil},
		"manifest swapped for another image's": {func(_, _, _, manifest string) { os.WriteFile(manifest, otherManifest, 0o644) }, "manifest is sha256:", []v1.Image{other}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := openVerified(t, brokenLayout(t, tc.spoil, tc.also...))
			wantError(t, err, tc.want)
		})
	}
}

// openVerified opens the image value names, as a deploy does, and verifies it whole.
func openVerified(t *testing.T, value string) (*Image, error) {
	t.Helper()
	img, err := (&Opener{Scratch: NewScratch(t.TempDir())}).Open(context.Background(), value, "Fn", "")
	if err == nil {
		_, err = VerifyAll([]*Image{img}, nil)
	}
	return img, err
}

// wantError checks err against want: nil for "", else an error containing want.
func wantError(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("a sound image: %v", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("error = %v, want one containing %q", err, want)
	}
}

func TestTagOf(t *testing.T) {
	tests := map[string]struct {
		ref, want string
		ok        bool
	}{
		"tag":                {"python3.12-v1", "python3.12-v1", true},
		"name and tag":       {"helloworldfunction:python3.12-v1", "python3.12-v1", true},
		"registry port only": {"localhost:5000/app", "", false},
		"empty":              {"", "", false},
		"not a tag":          {"a tag", "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := tagOf(tc.ref)
			if got != tc.want || ok != tc.ok {
				t.Errorf("tagOf(%q) = %q, %v, want %q, %v", tc.ref, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// A layout's blob verified once is not read again while its file is unchanged, and is read
// again once it changed.
func TestVerifiedMemo(t *testing.T) {
	var layer string
	dir := brokenLayout(t, func(_, l, _, _ string) { layer = l })
	memo := &LayerCache{Dir: t.TempDir()}
	open := func() *Image {
		img, err := (&Opener{Scratch: NewScratch(t.TempDir())}).Open(context.Background(), dir, "Fn", "")
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	if _, err := VerifyAll([]*Image{open()}, memo); err != nil {
		t.Fatalf("first verify: %v", err)
	}
	// Spoiled in place with its size and time kept: only a read would see it, and the memo
	// spares the read.
	fi, _ := os.Stat(layer)
	b, _ := os.ReadFile(layer)
	b[len(b)-1] ^= 0xff
	f, err := os.OpenFile(layer, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt(b[len(b)-1:], int64(len(b)-1))
	f.Close()
	os.Chtimes(layer, fi.ModTime(), fi.ModTime())
	if _, err := VerifyAll([]*Image{open()}, memo); err != nil {
		t.Errorf("verify of an unchanged-looking file read it again: %v", err)
	}
	if _, err := VerifyAll([]*Image{open()}, nil); err == nil {
		t.Errorf("without the memo the spoiled layer passed")
	}
	// Touched: another identity, read again, and found out.
	later := fi.ModTime().Add(time.Second)
	os.Chtimes(layer, later, later)
	if _, err := VerifyAll([]*Image{open()}, memo); err == nil {
		t.Errorf("a changed file was taken as verified")
	}
}
