package registry

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/samship/samship/internal/testenv"
)

// built returns an image as an engine keeps one for linux/amd64: layers appended in order.
func built(t *testing.T, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

func layer(t *testing.T, size int64) v1.Layer {
	t.Helper()
	l, err := random.Layer(size, "application/vnd.docker.image.rootfs.diff.tar.gzip")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestEnginePush pushes engine images as sam build leaves them, shared base and all, from
// engines that name layers by diff id (Podman, Docker 25 and later) and by position (Docker
// before 25): one export for all of them, each pushed as one image manifest whose config is
// the engine's image; an unchanged push reads nothing from the engine; a rebuilt top layer
// is the only layer compressed and sent again; nothing stays in the scratch directory.
func TestEnginePush(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(map[bool]string{false: "layers by diff id", true: "layers by position"}[legacy], func(t *testing.T) {
			ctx := context.Background()
			base1, base2 := layer(t, 200_000), layer(t, 100_000)
			app := built(t, base1, base2, layer(t, 3000))
			worker := built(t, base1, base2, layer(t, 4000))
			fake, err := testenv.StartFakeEngine(map[string]v1.Image{"app:v1": app, "worker:v1": worker})
			if err != nil {
				t.Fatal(err)
			}
			defer fake.Stop()
			fake.Legacy = legacy
			tmp := t.TempDir()
			reg, rt := countingRegistry(t)
			rec := &recorder{}
			p := &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}, Report: rec,
				Scratch: NewScratch(tmp), Cache: &LayerCache{Dir: t.TempDir()}}
			// jobs opens the images as a new run does, with an engine client of its own.
			jobs := func() []Job {
				e, _ := NewEngine(fake.Host)
				o := &Opener{Engine: e, Scratch: p.Scratch}
				open := func(ref string) *Image {
					img, err := o.Open(ctx, ref, "Fn", "")
					if err != nil {
						t.Fatal(err)
					}
					return img
				}
				a, w := open("app:v1"), open("worker:v1")
				return []Job{{Function: "A", Image: a, Repo: ecrHostForTest + "/app/a"}, {Function: "B", Image: a, Repo: ecrHostForTest + "/app/b"},
					{Function: "W", Image: w, Repo: ecrHostForTest + "/app/w"}}
			}
			res, err := p.PushAll(ctx, jobs())
			if err != nil {
				t.Fatalf("PushAll() = %v", err)
			}
			for i, want := range []v1.Image{app, app, worker} {
				if !res[i].Pushed {
					t.Errorf("first push of %s: not pushed", res[i].Function)
				}
				checkPushed(t, rt, res[i].Ref, want)
			}
			if n := fake.Saves.Load(); n != 1 {
				t.Errorf("first push: %d exports, want one for both images", n)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 1 {
				t.Errorf("first push left %d entries in the scratch base, want the run's directory only", len(left))
			} else if files, _ := os.ReadDir(tmp + "/" + left[0].Name()); len(files) != 1 {
				t.Errorf("first push left %d files in the scratch directory, want only its lock", len(files))
			}

			// Unchanged: one look per job, nothing read from the engine, nothing sent.
			reg.mu.Lock()
			uploads, puts, requests := reg.uploads, reg.puts, reg.requests
			reg.mu.Unlock()
			res, err = p.PushAll(ctx, jobs())
			if err != nil {
				t.Fatal(err)
			}
			// A HEAD of each tag, and a GET of each distinct manifest to compare its config.
			if n := reg.requests - requests; n != 3+2 {
				t.Errorf("unchanged push: %d registry requests, want 5 (3 tags looked up, 2 manifests read)", n)
			}
			if res[0].Pushed || res[1].Pushed || res[2].Pushed || fake.Saves.Load() != 1 || reg.uploads != uploads || reg.puts != puts {
				t.Errorf("unchanged push: %+v, %d exports, %d uploads, %d manifests; want nothing read or sent", res, fake.Saves.Load(), reg.uploads-uploads, reg.puts-puts)
			}

			// The app rebuilt with a new top layer: only that layer and the config are sent.
			app2 := built(t, base1, base2, layer(t, 5000))
			fake.Set("app:v1", app2)
			rec.sent.Store(0)
			rec.compressed.Store(0)
			res, err = p.PushAll(ctx, jobs()[:1])
			if err != nil {
				t.Fatal(err)
			}
			checkPushed(t, rt, res[0].Ref, app2)
			if n := reg.uploads - uploads; n != 2 {
				t.Errorf("rebuilt top layer: %d uploads, want 2 (the layer and the config)", n)
			}
			if top := rec.sent.Load(); top > 20_000 {
				t.Errorf("rebuilt top layer: %d bytes sent, want only the top layer's and the config's", top)
			}
			if n := rec.compressed.Load(); n > 20_000 {
				t.Errorf("rebuilt top layer: %d bytes compressed, want only the top layer's", n)
			}
			p.Scratch.Close()
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("Close() left %d entries", len(left))
			}
		})
	}
}

// checkPushed reads ref back from the registry: one image manifest whose config is want's and
// whose layers uncompress to want's.
func checkPushed(t *testing.T, rt http.RoundTripper, ref string, want v1.Image) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	got, err := remote.Image(r, remote.WithTransport(rt))
	if err != nil {
		t.Fatalf("read %s back: %v", ref, err)
	}
	gid, _ := got.ConfigName()
	wid, _ := want.ConfigName()
	if gid != wid {
		t.Errorf("%s: config %s, want %s", ref, gid, wid)
	}
	ls, _ := got.Layers()
	wls, _ := want.Layers()
	if len(ls) != len(wls) {
		t.Fatalf("%s: %d layers, want %d", ref, len(ls), len(wls))
	}
	for i, l := range ls {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		d, _ := wls[i].DiffID()
		if got := hashOf(t, rc); got != d.String() {
			t.Errorf("%s: layer %d uncompresses to %s, want %s", ref, i, got, d)
		}
	}
}

func hashOf(t *testing.T, rc io.ReadCloser) string {
	t.Helper()
	defer rc.Close()
	h, err := hashLayer(rc)
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}

// TestEnginePushRefusesSpoiledLayers reads an export whose layer does not hash to its diff id:
// the push fails naming the layer, and no manifest is written.
func TestEnginePushRefusesSpoiledLayers(t *testing.T) {
	img := built(t, layer(t, 10_000), layer(t, 2000))
	fake, err := testenv.StartFakeEngine(map[string]v1.Image{"app:v1": img})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Stop()
	fake.Spoil = func(name string, b []byte) []byte {
		if strings.HasSuffix(name, ".tar") && len(b) > 2000 {
			b = append([]byte{}, b...)
			b[600] ^= 1
		}
		return b
	}
	e, _ := NewEngine(fake.Host)
	reg, rt := countingRegistry(t)
	p := &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}, Scratch: NewScratch(t.TempDir())}
	a, err := (&Opener{Engine: e, Scratch: p.Scratch}).Open(context.Background(), "app:v1", "A", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.PushAll(context.Background(), []Job{{Function: "A", Image: a, Repo: ecrHostForTest + "/app/a"}})
	if err == nil || !strings.HasPrefix(err.Error(), "push image of function A to "+ecrHostForTest+"/app/a: read app:v1 from the engine: layer sha256:") || !strings.Contains(err.Error(), "holds bytes whose digest is") {
		t.Errorf("PushAll() = %v, want the spoiled layer refused", err)

	}
	if reg.puts != 0 {
		t.Errorf("%d manifests written, want none", reg.puts)
	}
}

// TestEnginePushIndexed: an engine that keeps images as registries do (Docker's containerd
// image store) names an image by its manifest's digest, which SAM CLI's tag takes; the image
// is pushed under that tag, and is already there on the next push.
func TestEnginePushIndexed(t *testing.T) {
	img := built(t, layer(t, 10_000), layer(t, 2000))
	fake, err := testenv.StartFakeEngine(map[string]v1.Image{"app:v1": img})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Stop()
	fake.Indexed = true
	e, _ := NewEngine(fake.Host)
	_, rt := countingRegistry(t)
	p := &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}, Scratch: NewScratch(t.TempDir())}
	defer p.Scratch.Close()
	for i, wantPushed := range []bool{true, false} {
		a, err := (&Opener{Engine: e, Scratch: p.Scratch}).Open(context.Background(), "app:v1", "A", "")
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.PushAll(context.Background(), []Job{{Function: "A", Image: a, Repo: ecrHostForTest + "/app/a"}})
		if err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		if want := ecrHostForTest + "/app/a:" + Tag("app", "v1", d.String()); res[0].Ref != want || res[0].Pushed != wantPushed {
			t.Errorf("push %d: %+v, want %s pushed %v", i+1, res[0], want, wantPushed)
		}
		checkPushed(t, rt, res[0].Ref, img)
	}
}
