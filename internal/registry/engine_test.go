package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/samship/samship/internal/testenv"
)

func TestEngineSource(t *testing.T) {
	img := built(t, layer(t, 1024), layer(t, 1024))
	fake, err := testenv.StartFakeEngine(map[string]v1.Image{"hellofunction:python3.12-v1": img})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Stop()
	e, err := NewEngine(fake.Host)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.ConfigName()
	info, err := e.Inspect(context.Background(), "hellofunction:python3.12-v1")
	if err != nil || info.ID != want.String() || len(info.DiffIDs) != 2 || info.Architecture != "amd64" {
		t.Errorf("Inspect() = %+v, %v, want id %s, 2 layers, amd64", info, err, want)
	}
	_, err = e.Inspect(context.Background(), "nope:latest")
	if want := "the engine at " + fake.Host + " has no image nope:latest (run sam build)"; !errors.Is(err, ErrImageNotFound) || err.Error() != want {
		t.Errorf("Inspect(missing) = %v, want ErrImageNotFound saying %q", err, want)
	}
	tmp := t.TempDir()
	o := &Opener{Dir: t.TempDir(), Scratch: NewScratch(tmp), Engine: e}
	got, err := o.Open(context.Background(), "hellofunction:python3.12-v1", "HelloFunction", "")
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	// SAM CLI's own tag for a built image: name and tag from the local reference.
	if tag := got.TagFor("HelloFunction", "helloworld", ""); tag != Tag("hellofunction", "python3.12-v1", want.String()) {
		t.Errorf("TagFor() = %q", tag)
	}
	if n := fake.Saves.Load(); n != 0 {
		t.Errorf("Open() exported the image %d times, want never (only a push reads it)", n)
	}
	if _, err := o.Open(context.Background(), "nope:latest", "Fn", ""); err == nil || !strings.Contains(err.Error(), "has no image nope:latest (run sam build)") {
		t.Errorf("Open(missing) = %v", err)
	}
	_, err = o.Open(context.Background(), "hellofunction:python3.12-v1", "Fn", ARM64)
	if want := "function Fn: image hellofunction:python3.12-v1 holds linux/amd64, not the linux/arm64 that Architectures arm64 runs: build it with docker build --platform linux/arm64 (or set the function's Architectures to [x86_64])"; err == nil || err.Error() != want {
		t.Errorf("Open(arm64) = %v, want %q", err, want)
	}
}

func TestFindEngine(t *testing.T) {
	if e := FindEngine("unix:///nowhere.sock", ""); e == nil || e.Host != "unix:///nowhere.sock" {
		t.Errorf("FindEngine(DOCKER_HOST) = %v, want that host", e)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "podman"), 0o755)
	os.WriteFile(filepath.Join(dir, "podman", "podman.sock"), nil, 0o644)
	if _, err := os.Stat("/var/run/docker.sock"); err != nil {
		if e := FindEngine("", dir); e == nil || !strings.HasSuffix(e.Host, "podman/podman.sock") {
			t.Errorf("FindEngine(podman) = %v", e)
		}
	}
	if _, err := NewEngine("ssh://host"); err == nil {
		t.Errorf("NewEngine(ssh) = nil error")
	}
}

func TestSplitNameTag(t *testing.T) {
	for in, want := range map[string][2]string{
		"hellofunction:python3.9-v1": {"hellofunction", "python3.9-v1"},
		"helloworld":                 {"helloworld", "latest"},
		"org/img:tag":                {"img", "tag"},
		"localhost:5000/img":         {"img", "latest"},
	} {
		if n, tg := splitNameTag(in); n != want[0] || tg != want[1] {
			t.Errorf("splitNameTag(%q) = %q, %q, want %q", in, n, tg, want)
		}
	}
}
