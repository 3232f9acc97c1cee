package testenv

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// files lists img's flattened filesystem: "name" for a file, "name/" for a directory,
// "name -> target" for a symlink.
func files(t *testing.T, img v1.Image) []string {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	var out []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			out = append(out, strings.TrimSuffix(h.Name, "/")+"/")
		case tar.TypeSymlink:
			out = append(out, h.Name+" -> "+h.Linkname)
		default:
			out = append(out, h.Name)
		}
	}
	sort.Strings(out)
	return out
}

func TestLambdaBase(t *testing.T) {
	osFiles := []string{"etc/", "etc/os-release", "lambda-entrypoint.sh", "opt/", "usr/", "usr/local/", "usr/local/bin/",
		"usr/local/bin/aws-lambda-rie", "var/", "var/runtime/", "var/task/"}
	with := func(extra ...string) []string {
		all := append(append([]string{}, osFiles...), extra...)
		sort.Strings(all)
		return all
	}
	base := []string{"LANG=en_US.UTF-8", "TZ=:/etc/localtime"}
	lambdaPath := "PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin"
	ld := "LD_LIBRARY_PATH=" + lambdaLDPath
	dirs := []string{"LAMBDA_TASK_ROOT=/var/task", "LAMBDA_RUNTIME_DIR=/var/runtime"}
	tests := []struct {
		runtime string
		filler  int64
		files   []string
		env     []string
		layers  int
	}{
		{"python:3.12", 0,
			with("var/lang/", "var/lang/bin/", "var/lang/lib/", "var/lang/bin/python3.12", "var/lang/bin/python3 -> python3.12", "var/runtime/bootstrap"),
			append(append(base, lambdaPath, ld), dirs...), 2},
		{"nodejs:22", 0,
			with("var/lang/", "var/lang/bin/", "var/lang/lib/", "var/lang/bin/node", "var/runtime/bootstrap"),
			append(append(base, lambdaPath, ld, "NODE_PATH=/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task"), dirs...), 2},
		{"provided:al2023", 1000,
			with("opt/filler.bin"),
			append(append(base, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ld), dirs...), 2},
	}
	for _, tt := range tests {
		for _, arch := range []string{"amd64", "arm64"} {
			t.Run(tt.runtime+"/"+arch, func(t *testing.T) {
				img, err := LambdaBase(tt.runtime, arch, tt.filler)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.files, files(t, img)); diff != "" {
					t.Errorf("LambdaBase(%s, %s) files (-want +got):\n%s", tt.runtime, arch, diff)
				}
				cf, err := img.ConfigFile()
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.env, cf.Config.Env); diff != "" {
					t.Errorf("LambdaBase(%s, %s) env (-want +got):\n%s", tt.runtime, arch, diff)
				}
				got := fmt.Sprintf("%s/%s %s %q", cf.OS, cf.Architecture, cf.Config.WorkingDir, cf.Config.Entrypoint)
				if want := fmt.Sprintf("linux/%s /var/task [\"/lambda-entrypoint.sh\"]", arch); got != want {
					t.Errorf("LambdaBase(%s, %s) platform, workdir, entrypoint = %s, want %s", tt.runtime, arch, got, want)
				}
				m, err := img.Manifest()
				if err != nil {
					t.Fatal(err)
				}
				if len(m.Layers) != tt.layers {
					t.Errorf("LambdaBase(%s, %s) has %d layers, want %d", tt.runtime, arch, len(m.Layers), tt.layers)
				}
				mts := []types.MediaType{m.MediaType, m.Config.MediaType}
				for _, l := range m.Layers {
					mts = append(mts, l.MediaType)
				}
				for _, mt := range mts {
					if mt != types.DockerManifestSchema2 && mt != types.DockerConfigJSON && mt != types.DockerLayer {
						t.Errorf("LambdaBase(%s, %s) has media type %s, want Docker schema 2's", tt.runtime, arch, mt)
					}
				}
				again, err := LambdaBase(tt.runtime, arch, tt.filler)
				if err != nil {
					t.Fatal(err)
				}
				d1, _ := img.Digest()
				d2, _ := again.Digest()
				if d1 != d2 {
					t.Errorf("LambdaBase(%s, %s) twice = %s and %s, want the same", tt.runtime, arch, d1, d2)
				}
			})
		}
	}
}

func TestLambdaBaseDiffers(t *testing.T) {
	digest := func(runtime, arch string, filler int64) v1.Hash {
		img, err := LambdaBase(runtime, arch, filler)
		if err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	seen := map[v1.Hash]string{}
	for _, rt := range LambdaRuntimes {
		for _, arch := range []string{"amd64", "arm64"} {
			for _, filler := range []int64{0, 10} {
				what := fmt.Sprintf("%s %s %d", rt, arch, filler)
				d := digest(rt, arch, filler)
				if other, ok := seen[d]; ok {
					t.Errorf("LambdaBase(%s) = LambdaBase(%s) = %s, want different images", what, other, d)
				}
				seen[d] = what
			}
		}
	}
	if _, err := LambdaBase("java:21", "amd64", 0); err == nil {
		t.Errorf("LambdaBase(java:21) = nil error, want an error")
	}
	if _, err := LambdaBase("python:3.12", "s390x", 0); err == nil {
		t.Errorf("LambdaBase(python:3.12, s390x) = nil error, want an error")
	}
}

func TestPublishLambdaBases(t *testing.T) {
	Needs(t, "a registry")
	reg := SharedRegistry(t)
	got, err := PublishLambdaBases(context.Background(), reg.URL, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(LambdaRuntimes) {
		t.Errorf("PublishLambdaBases = %d indexes, want %d", len(got), len(LambdaRuntimes))
	}
	host := reg.URL[len("http://"):]
	for _, rt := range LambdaRuntimes {
		ref, err := name.ParseReference(host+"/lambda/"+rt, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Get(ref)
		if err != nil {
			t.Fatal(err)
		}
		if desc.Digest != got[rt] || desc.MediaType != types.DockerManifestList {
			t.Errorf("%s = %s %s, want %s %s", ref, desc.MediaType, desc.Digest, types.DockerManifestList, got[rt])
		}
		idx, err := desc.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		var plats []string
		for _, m := range im.Manifests {
			plats = append(plats, m.Platform.String())
			img, err := idx.Image(m.Digest)
			if err != nil {
				t.Fatal(err)
			}
			want, err := LambdaBase(rt, m.Platform.Architecture, 100)
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := want.Digest(); d != m.Digest {
				t.Errorf("%s for %s = %s, want LambdaBase's %s", ref, m.Platform, m.Digest, d)
			}
			if _, err := img.ConfigFile(); err != nil {
				t.Errorf("%s for %s: config: %v", ref, m.Platform, err)
			}
		}
		if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64/v8"}, plats); diff != "" {
			t.Errorf("%s platforms (-want +got):\n%s", ref, diff)
		}
	}
}
