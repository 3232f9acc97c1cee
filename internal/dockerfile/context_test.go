package dockerfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tree writes files (path → content; a content starting with "->" makes a symlink) under a
// new temporary directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if len(data) > 2 && data[:2] == "->" {
			err = os.Symlink(data[2:], p)
		} else {
			err = os.WriteFile(p, []byte(data), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestContextFiles(t *testing.T) {
	base := map[string]string{
		"Dockerfile":              "FROM a",
		"app.py":                  "x",
		"README.md":               "x",
		"docs/guide.md":           "x",
		"node_modules/x/index.js": "x",
		"src/keep.md":             "x",
		"src/main.py":             "x",
		"src/test_main.py":        "x",
		"link":                    "->app.py",
		"out":                     "->/etc",
	}
	tests := []struct {
		name  string
		extra map[string]string
		want  []string
	}{
		{"no ignore file", nil, []string{
			"Dockerfile", "README.md", "app.py", "docs", "docs/guide.md", "link", "node_modules", "node_modules/x",
			"node_modules/x/index.js", "out", "src", "src/keep.md", "src/main.py", "src/test_main.py"}},
		{"patterns", map[string]string{".dockerignore": "# comment\nnode_modules\n**/*.md\nsrc/test_*\n/out\n"}, []string{
			".dockerignore", "Dockerfile", "app.py", "docs", "link", "src", "src/main.py"}},
		{"! exception inside an excluded dir", map[string]string{".dockerignore": "*.md\nsrc\n!src/keep.md\n"}, []string{
			".dockerignore", "Dockerfile", "app.py", "docs", "docs/guide.md", "link", "node_modules", "node_modules/x",
			"node_modules/x/index.js", "out", "src", "src/keep.md"}},
		{"Dockerfile-specific ignore file wins", map[string]string{
			".dockerignore":           "app.py\n",
			"Dockerfile.dockerignore": "node_modules\nsrc\ndocs\n*.dockerignore\n",
		}, []string{"Dockerfile", "README.md", "app.py", "link", "out"}}, // "*.dockerignore" matches ".dockerignore" too
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			for k, v := range tt.extra {
				files[k] = v
			}
			dir := tree(t, files)
			c, err := OpenContext(dir, filepath.Join(dir, "Dockerfile"))
			if err != nil {
				t.Fatalf("OpenContext: %v", err)
			}
			defer c.Close()
			got, err := c.Files()
			if err != nil {
				t.Fatalf("Files: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Files() mismatch (-want +got):\n%s", diff)
			}
			// FS shows exactly what Files lists.
			var walked []string
			err = fs.WalkDir(c.FS(), ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && p != "." {
					walked = append(walked, p)
				}
				return err
			})
			if err != nil {
				t.Fatalf("WalkDir(FS): %v", err)
			}
			slices.Sort(walked)
			if diff := cmp.Diff(tt.want, walked); diff != "" {
				t.Errorf("WalkDir(FS()) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContextFS(t *testing.T) {
	dir := tree(t, map[string]string{
		".dockerignore": "secret.txt\nbuild/\n",
		"app.py":        "print()",
		"secret.txt":    "s",
		"build/out":     "o",
		"link":          "->app.py",
		"escape":        "->../../../etc/hostname",
	})
	c, err := OpenContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatalf("OpenContext: %v", err)
	}
	defer c.Close()
	if got, want := c.IgnoreFile(), filepath.Join(dir, ".dockerignore"); got != want {
		t.Errorf("IgnoreFile() = %q, want %q", got, want)
	}
	fsys := c.FS()
	for _, name := range []string{"secret.txt", "build", "build/out", "nope"} {
		if _, err := fs.Stat(fsys, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%s) error = %v, want fs.ErrNotExist", name, err)
		}
		if _, err := fsys.Open(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%s) error = %v, want fs.ErrNotExist", name, err)
		}
		if _, err := fs.Lstat(fsys, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Lstat(%s) error = %v, want fs.ErrNotExist", name, err)
		}
	}
	if data, err := fs.ReadFile(fsys, "app.py"); err != nil || string(data) != "print()" {
		t.Errorf("ReadFile(app.py) = %q, %v, want \"print()\", nil", data, err)
	}
	if target, err := fs.ReadLink(fsys, "link"); err != nil || target != "app.py" {
		t.Errorf("ReadLink(link) = %q, %v, want app.py, nil", target, err)
	}
	if fi, err := fs.Lstat(fsys, "link"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(link) = %v, %v, want a symlink", fi, err)
	}
	if _, err := fs.ReadFile(fsys, "escape"); err == nil {
		t.Errorf("ReadFile(escape) succeeded through a link out of the context, want an error")
	}
	if _, err := fsys.Open("../x"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Open(../x) error = %v, want fs.ErrInvalid", err)
	}

	// An open directory's ReadDir hides ignored entries too, whole or in batches.
	d, err := fsys.Open(".")
	if err != nil {
		t.Fatalf("Open(.): %v", err)
	}
	var names []string
	for {
		ents, err := d.(fs.ReadDirFile).ReadDir(1)
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if err != nil {
			break
		}
	}
	d.Close()
	slices.Sort(names)
	if diff := cmp.Diff([]string{".dockerignore", "app.py", "escape", "link"}, names); diff != "" {
		t.Errorf("ReadDir(1) of . mismatch (-want +got):\n%s", diff)
	}

	// Place through the context: the ignored file is "not found", as in Docker.
	_, err = Place(fsys, []string{"secret.txt"}, "/", "/")
	want := "COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist"
	if err == nil || err.Error() != want {
		t.Errorf("Place(secret.txt) error = %v, want %q", err, want)
	}
	got, err := Place(fsys, []string{"."}, "/var/task/", "/")
	if err != nil {
		t.Fatalf("Place(.): %v", err)
	}
	var dests []string
	for _, e := range got {
		dests = append(dests, e.Dest)
	}
	if diff := cmp.Diff([]string{"/var/task", "/var/task/.dockerignore", "/var/task/app.py", "/var/task/escape", "/var/task/link"}, dests); diff != "" {
		t.Errorf("Place(.) dests mismatch (-want +got):\n%s", diff)
	}
}

func TestOpenContextErrors(t *testing.T) {
	dir := tree(t, map[string]string{".dockerignore": "[\n"})
	if _, err := OpenContext(filepath.Join(dir, "missing"), "Dockerfile"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenContext(missing dir) error = %v, want fs.ErrNotExist", err)
	}
	if _, err := OpenContext(dir, filepath.Join(dir, "Dockerfile")); err == nil {
		t.Errorf("OpenContext with a bad pattern succeeded, want an error")
	}
}
