package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/samship/samship/internal/testenv"
)

// pushRecompressed pushes img to ref as another tool would: the same config, its layers
// compressed at another gzip level, so the manifest has another digest. It returns that digest.
func pushRecompressed(t *testing.T, rt http.RoundTripper, ref string, img v1.Image) v1.Hash {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	opt := remote.WithTransport(rt)
	rawCfg, _ := img.RawConfigFile()
	cfgDigest, _ := img.ConfigName()
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.DockerManifestSchema2,
		Config: v1.Descriptor{MediaType: types.DockerConfigJSON, Size: int64(len(rawCfg)), Digest: cfgDigest}}
	if err := remote.WriteLayer(tag.Context(), static.NewLayer(rawCfg, types.DockerConfigJSON), opt); err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	for _, l := range layers {
		rc, _ := l.Uncompressed()
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		io.Copy(zw, rc)
		rc.Close()
		zw.Close()
		sl := static.NewLayer(buf.Bytes(), types.DockerLayer)
		if err := remote.WriteLayer(tag.Context(), sl, opt); err != nil {
			t.Fatal(err)
		}
		d, _ := sl.Digest()
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.DockerLayer, Size: int64(buf.Len()), Digest: d})
	}
	raw, _ := json.Marshal(m)
	if err := remote.Put(tag, rawManifest{raw}, opt); err != nil {
		t.Fatal(err)
	}
	return v1.Hash{Algorithm: "sha256", Hex: digestOf(raw)[len("sha256:"):]}
}

type rawManifest struct{ raw []byte }

func (r rawManifest) RawManifest() ([]byte, error)       { return r.raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }

// TestAlreadyThereWhateverItsCompression: SAM CLI pushed the image under its tag through
// docker, whose compressed bytes differ from samship's. The same image (the same config) is
// already there: nothing is pushed and the tag keeps naming the manifest it named, for an
// image from a file as for one from an engine.
func TestAlreadyThereWhateverItsCompression(t *testing.T) {
	img := built(t, layer(t, 20_000), layer(t, 3000))
	fake, err := testenv.StartFakeEngine(map[string]v1.Image{"app:v1": img})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Stop()
	e, _ := NewEngine(fake.Host)
	scratch := NewScratch(t.TempDir())
	defer scratch.Close()
	fromFile, err := (&Opener{Dir: sources(t, img), Scratch: scratch}).Open(context.Background(), "layout", "A", "")
	if err != nil {
		t.Fatal(err)
	}
	fromEngine, err := (&Opener{Engine: e, Scratch: scratch}).Open(context.Background(), "app:v1", "A", "")
	if err != nil {
		t.Fatal(err)
	}
	for kind, src := range map[string]*Image{"file": fromFile, "engine": fromEngine} {
		t.Run(kind, func(t *testing.T) {
			reg, rt := countingRegistry(t)
			ref := ecrHostForTest + "/app/a:" + src.TagFor("a", "")
			samDigest := pushRecompressed(t, rt, ref, img)
			reg.mu.Lock()
			puts, uploads := reg.puts, reg.uploads
			reg.mu.Unlock()
			p := &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}, Scratch: scratch}
			res, err := p.PushAll(context.Background(), []Job{{Function: "A", Image: src, Repo: ecrHostForTest + "/app/a", Tag: src.TagFor("a", "")}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Pushed || res[0].Ref != ref || reg.puts != puts || reg.uploads != uploads {
				t.Errorf("PushAll() = %+v with %d manifests and %d blobs sent; want %s already there, nothing sent", res, reg.puts-puts, reg.uploads-uploads, ref)
			}
			tag, _ := name.NewTag(ref)
			got, err := remote.Head(tag, remote.WithTransport(rt))
			if err != nil || got.Digest != samDigest {
				t.Errorf("the tag names %v (%v), want SAM CLI's manifest %s still", got, err, samDigest)
			}
		})
	}
	if n := fake.Saves.Load(); n != 0 {
		t.Errorf("the engine's image was exported %d times, want never", n)
	}
}
