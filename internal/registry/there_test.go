package registry

import (
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/samship/samship/internal/testenv"
)

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
			ref := ecrHostForTest + "/app/a:" + src.TagFor("A", "a", "")
			tag, _ := name.NewTag(ref)
			samDigest, err := testenv.PushRecompressed(tag, img, remote.WithTransport(rt))
			if err != nil {
				t.Fatal(err)
			}
			reg.mu.Lock()
			puts, uploads := reg.puts, reg.uploads
			reg.mu.Unlock()
			p := &Pusher{Access: Access{Transport: rt, Keychain: NewKeychain(&fakeToken{})}, Scratch: scratch}
			res, err := p.PushAll(context.Background(), []Job{{Function: "A", Image: src, Repo: ecrHostForTest + "/app/a", Tag: src.TagFor("A", "a", "")}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Pushed || res[0].Ref != ref || reg.puts != puts || reg.uploads != uploads {
				t.Errorf("PushAll() = %+v with %d manifests and %d blobs sent; want %s already there, nothing sent", res, reg.puts-puts, reg.uploads-uploads, ref)
			}
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
