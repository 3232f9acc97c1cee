package dockerfile

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestPlace(t *testing.T) {
	fsys := fstest.MapFS{
		"app.py":                 {Data: []byte("print()"), Mode: 0o644},
		"run.sh":                 {Data: []byte("#!/bin/sh"), Mode: 0o755},
		"requirements.txt":       {Data: []byte("x"), Mode: 0o644},
		"package.json":           {Data: []byte("{}"), Mode: 0o644},
		"package-lock.json":      {Data: []byte("{}"), Mode: 0o644},
		"src":                    {Mode: fs.ModeDir | 0o755},
		"src/a.go":               {Data: []byte("a"), Mode: 0o644},
		"src/sub":                {Mode: fs.ModeDir | 0o700},
		"src/sub/b.go":           {Data: []byte("b"), Mode: 0o600},
		"src/link":               {Data: []byte("a.go"), Mode: fs.ModeSymlink | 0o777},
		"toplink":                {Data: []byte("app.py"), Mode: fs.ModeSymlink | 0o777},
		"lib/one.so":             {Data: []byte("1"), Mode: 0o644},
		"lib/two.so":             {Data: []byte("2"), Mode: 0o644},
		"other/requirements.txt": {Data: []byte("y"), Mode: 0o600},
	}
	tests := []struct {
		name    string
		sources []string
		dest    string
		workdir string
		want    []Entry
	}{
		{"file to file", []string{"app.py"}, "/srv/main.py", "", []Entry{
			{Src: "app.py", Dest: "/srv/main.py", Mode: 0o644},
		}},
		{"file to dir/", []string{"app.py"}, "/srv/", "", []Entry{
			{Src: "app.py", Dest: "/srv/app.py", Mode: 0o644},
		}},
		{"relative dest in workdir (SAM python)", []string{"requirements.txt"}, "./", "/var/task", []Entry{
			{Src: "requirements.txt", Dest: "/var/task/requirements.txt", Mode: 0o644},
		}},
		{"relative file dest", []string{"run.sh"}, "bin/run", "/opt", []Entry{
			{Src: "run.sh", Dest: "/opt/bin/run", Mode: 0o755},
		}},
		{"dot dest with no workdir", []string{"app.py"}, ".", "", []Entry{
			{Src: "app.py", Dest: "/app.py", Mode: 0o644},
		}},
		{"leading slash source is context-rooted", []string{"/app.py"}, "/x", "", []Entry{
			{Src: "app.py", Dest: "/x", Mode: 0o644},
		}},
		{"dir copies its contents, symlinks stay links", []string{"src"}, "/code", "", []Entry{
			{Src: "src", Dest: "/code", Mode: fs.ModeDir | 0o755, Dir: true, Root: true},
			{Src: "src/a.go", Dest: "/code/a.go", Mode: 0o644},
			{Src: "src/link", Dest: "/code/link", Mode: fs.ModeSymlink | 0o777, Symlink: "a.go"},
			{Src: "src/sub", Dest: "/code/sub", Mode: fs.ModeDir | 0o700, Dir: true},
			{Src: "src/sub/b.go", Dest: "/code/sub/b.go", Mode: 0o600},
		}},
		{"top-level symlink is followed", []string{"toplink"}, "/t", "", []Entry{
			{Src: "toplink", Dest: "/t", Mode: 0o644},
		}},
		{"glob (SAM nodejs) with several sources", []string{"app.py", "package*.json"}, "./", "/var/task", []Entry{
			{Src: "app.py", Dest: "/var/task/app.py", Mode: 0o644},
			{Src: "package-lock.json", Dest: "/var/task/package-lock.json", Mode: 0o644},
			{Src: "package.json", Dest: "/var/task/package.json", Mode: 0o644},
		}},
		{"glob matching several makes dest a dir", []string{"lib/*.so"}, "/usr/lib", "", []Entry{
			{Src: "lib/one.so", Dest: "/usr/lib/one.so", Mode: 0o644},
			{Src: "lib/two.so", Dest: "/usr/lib/two.so", Mode: 0o644},
		}},
		{"glob matching one keeps a file dest", []string{"lib/o*.so"}, "/usr/lib/x.so", "", []Entry{
			{Src: "lib/one.so", Dest: "/usr/lib/x.so", Mode: 0o644},
		}},
		{"several sources make dest a dir, later wins", []string{"requirements.txt", "other/requirements.txt"}, "/r", "", []Entry{
			{Src: "other/requirements.txt", Dest: "/r/requirements.txt", Mode: 0o600},
		}},
		{"whole context", []string{"."}, "/ctx", "", nil}, // filled below
	}
	tests[len(tests)-1].want = wholeContext(t, fsys, "/ctx")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Place(fsys, tt.sources, tt.dest, tt.workdir)
			if err != nil {
				t.Fatalf("Place: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Place(%q, %q, %q) mismatch (-want +got):\n%s", tt.sources, tt.dest, tt.workdir, diff)
			}
		})
	}
}

// wholeContext is what "COPY . dest" must give for fsys: one entry per path.
func wholeContext(t *testing.T, fsys fstest.MapFS, dest string) []Entry {
	t.Helper()
	out := []Entry{{Src: ".", Dest: dest, Mode: fs.ModeDir | 0o555, Dir: true, Root: true}} // MapFS's made-up root
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		fi, err := fs.Lstat(fsys, p)
		if err != nil {
			return err
		}
		e := Entry{Src: p, Dest: dest + "/" + p, Mode: fi.Mode(), Dir: fi.IsDir()}
		if fi.Mode()&fs.ModeSymlink != 0 {
			e.Symlink = string(fsys[p].Data)
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPlaceErrors(t *testing.T) {
	fsys := fstest.MapFS{"a": {Data: []byte("a")}, "dangling": {Data: []byte("nowhere"), Mode: fs.ModeSymlink}}
	tests := []struct {
		name     string
		sources  []string
		want     string
		notExist bool
	}{
		{"missing file", []string{"a", "x"}, "COPY failed: file not found in build context or excluded by .dockerignore: stat x: file does not exist", true},
		{"glob matching nothing", []string{"*.json"}, "COPY failed: file not found in build context or excluded by .dockerignore: stat *.json: file does not exist", true},
		{"dangling symlink", []string{"dangling"}, "COPY failed: file not found in build context or excluded by .dockerignore: stat dangling: file does not exist", true},
		{"parent escape", []string{"../x"}, "copy ../x: the source is outside the build context", false},
		{"escape after cleaning", []string{"a/../../etc/passwd"}, "copy a/../../etc/passwd: the source is outside the build context", false},
		{"bad glob", []string{"[a"}, "copy [a: syntax error in pattern", false},
		{"no sources", nil, "copy to /d: no sources", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Place(fsys, tt.sources, "/d", "/")
			if err == nil {
				t.Fatalf("Place(%q) = %v, nil error; want %q", tt.sources, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Place(%q) error = %q, want %q", tt.sources, err, tt.want)
			}
			if errors.Is(err, fs.ErrNotExist) != tt.notExist {
				t.Errorf("errors.Is(Place(%q) error, fs.ErrNotExist) = %v, want %v", tt.sources, !tt.notExist, tt.notExist)
			}
		})
	}
}

func TestParents(t *testing.T) {
	entries := []Entry{
		{Dest: "/var/task/app.py"},
		{Dest: "/opt/code/sub", Dir: true},
		{Dest: "/opt/code/sub/b.go"},
		{Dest: "/top"},
	}
	want := []string{"/opt", "/opt/code", "/var", "/var/task"}
	if diff := cmp.Diff(want, Parents(entries)); diff != "" {
		t.Errorf("Parents() mismatch (-want +got):\n%s", diff)
	}
}

func TestIsArchive(t *testing.T) {
	tarHeader := make([]byte, 512)
	copy(tarHeader[257:], "ustar\x0000")
	fsys := fstest.MapFS{
		"a.tar":     {Data: tarHeader},
		"a.tgz":     {Data: []byte{0x1f, 0x8b, 8, 0}},
		"a.tar.xz":  {Data: []byte{0xfd, '7', 'z', 'X', 'Z', 0, 1}},
		"a.zst":     {Data: []byte{0x28, 0xb5, 0x2f, 0xfd, 0}},
		"a.bz2":     {Data: []byte("BZh91AY")},
		"plain.tar": {Data: []byte("not really a tar")},
		"empty":     {},
	}
	for name, want := range map[string]bool{"a.tar": true, "a.tgz": true, "a.tar.xz": true, "a.zst": true, "a.bz2": true, "plain.tar": false, "empty": false} {
		got, err := IsArchive(fsys, name)
		if err != nil || got != want {
			t.Errorf("IsArchive(%s) = %v, %v, want %v, nil", name, got, err, want)
		}
	}
	if _, err := IsArchive(fsys, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("IsArchive(missing) error = %v, want fs.ErrNotExist", err)
	}
}
