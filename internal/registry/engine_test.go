package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/samship/samship/internal/testenv"
)

func TestEngineSource(t *testing.T) {
	img, _ := random.Image(1024, 2)
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
	if id, err := e.ImageID(context.Background(), "hellofunction:python3.12-v1"); err != nil || id != want.String() {
		t.Errorf("ImageID() = %q, %v, want %s", id, err, want)
	}
	if _, err := e.ImageID(context.Background(), "nope:latest"); !errors.Is(err, ErrImageNotFound) {
		t.Errorf("ImageID(missing) = %v, want ErrImageNotFound", err)
	}
	tmp := t.TempDir()
	o := &Opener{Dir: t.TempDir(), Temp: tmp, Engine: e}
	got, err := o.Open(context.Background(), "hellofunction:python3.12-v1", "HelloFunction", "")
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	// SAM CLI's own tag for a built image: name and tag from the local reference.
	if tag := got.TagFor("HelloFunction", "helloworld", ""); tag != Tag("hellofunction", "python3.12-v1", want.String()) {
		t.Errorf("TagFor() = %q", tag)
	}
	layers, _ := got.Layers()
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	if n := fake.Saves.Load(); n != 1 {
		t.Errorf("the engine was asked for the image %d times, want once", n)
	}
	if _, err := o.Open(context.Background(), "nope:latest", "Fn", ""); err == nil || !strings.Contains(err.Error(), "has no image nope:latest (run sam build)") {
		t.Errorf("Open(missing) = %v", err)
	}
	o.Close()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("Close() left %d temporary files", len(left))
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
