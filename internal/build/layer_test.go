package build

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLayerFilesAddsParents(t *testing.T) {
	got := layerFiles([]file{{Path: "/var/task/b.py", Mode: 0o644}, {Path: "/var/task/a/x.py", Mode: 0o644}, {Path: "/var/task/b.py", Mode: 0o755}})
	var paths []string
	for _, f := range got {
		paths = append(paths, f.Path+" "+f.Mode.String())
	}
	want := []string{"/var drwxr-xr-x", "/var/task drwxr-xr-x", "/var/task/a drwxr-xr-x", "/var/task/a/x.py -rw-r--r--", "/var/task/b.py -rwxr-xr-x"}
	if d := cmp.Diff(want, paths); d != "" {
		t.Errorf("layerFiles (-want +got):\n%s", d)
	}
}

// The same files give the same layer digest whatever their times, owners and modes on disk,
// and wherever they are; a changed byte gives another.
func TestLayerReproducible(t *testing.T) {
	make := func(root string, body string, mtime time.Time) string {
		t.Helper()
		src := filepath.Join(root, "src")
		writeFiles(t, src, map[string]string{"app.py": body, "lib/util.py": "u"})
		for _, p := range []string{"app.py", "lib/util.py"} {
			if err := os.Chtimes(filepath.Join(src, p), mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
		files := layerFiles([]file{
			{Path: "/var/task/app.py", Mode: 0o644, Src: filepath.Join(src, "app.py")},
			{Path: "/var/task/lib/util.py", Mode: 0o644, Src: filepath.Join(src, "lib/util.py")},
			{Path: "/var/task/link", Mode: os.ModeSymlink | 0o777, Link: "app.py"},
		})
		key, err := filesKey(files)
		if err != nil {
			t.Fatal(err)
		}
		c := layers{dir: filepath.Join(root, "cache"), mtime: time.Unix(0, 0)}
		l, made, err := c.make(key, files, types.DockerLayer)
		if err != nil || !made {
			t.Fatalf("make = %v, %v; want a new layer", made, err)
		}
		if again, made, err := c.make(key, files, types.DockerLayer); err != nil || made || again.rec != l.rec {
			t.Errorf("make again = %v, %v, %v; want the cached %v", again.rec, made, err, l.rec)
		}
		return l.rec.Digest.String()
	}
	a := make(t.TempDir(), "print(1)", time.Now())
	b := make(t.TempDir(), "print(1)", time.Now().Add(-48*time.Hour))
	c := make(t.TempDir(), "print(2)", time.Now())
	if a != b {
		t.Errorf("digests differ for the same files: %s, %s", a, b)
	}
	if a == c {
		t.Errorf("digest %s for different files", a)
	}
}

func TestWriteTarHeaders(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x": "hello"})
	var buf bytes.Buffer
	files := layerFiles([]file{{Path: "/a/x", Mode: os.ModeSetuid | 0o755, Src: filepath.Join(dir, "x"), UID: 1000, GID: 1001}})
	if err := writeTar(&buf, files, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Name     string
		Type     byte
		Mode     int64
		UID, GID int
		Uname    string
		Unix     int64
		Size     int64
	}
	var got []entry
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, entry{h.Name, h.Typeflag, h.Mode, h.Uid, h.Gid, h.Uname, h.ModTime.Unix(), h.Size})
	}
	want := []entry{{"a/", tar.TypeDir, 0o755, 0, 0, "", 0, 0}, {"a/x", tar.TypeReg, 0o4755, 1000, 1001, "", 0, 5}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tar entries (-want +got):\n%s", d)
	}
}
