package testenv

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMakeWheel(t *testing.T) {
	var made [][]byte
	for _, dir := range []string{t.TempDir(), t.TempDir()} {
		p, err := MakeWheel(dir, "my.pkg", "1.0", "py3-none-any", map[string]string{"my_pkg/__init__.py": "X = 1\n"}, "dep>=1")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := filepath.Base(p), "my_pkg-1.0-py3-none-any.whl"; got != want {
			t.Errorf("MakeWheel() = %s, want %s", got, want)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, b)
	}
	if !bytes.Equal(made[0], made[1]) {
		t.Errorf("MakeWheel() twice with the same arguments gave different bytes")
	}
	zr, err := zip.NewReader(bytes.NewReader(made[0]), int64(len(made[0])))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	want := []string{"my_pkg-1.0.dist-info/METADATA", "my_pkg-1.0.dist-info/RECORD", "my_pkg-1.0.dist-info/WHEEL", "my_pkg/__init__.py"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("MakeWheel() entries (-want +got):\n%s", diff)
	}
	if _, err := MakeWheel(t.TempDir(), "x", "1", "py3-any", nil); err == nil {
		t.Errorf("MakeWheel(tag py3-any) = nil error, want one: a tag has three parts")
	}
}

func TestMakeNpmTarball(t *testing.T) {
	p, err := MakeNpmTarball(t.TempDir(), "@scope/native", "1.0.0", map[string]any{"cpu": []string{"arm64"}}, map[string]string{"index.js": ""})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filepath.Base(p), "scope-native-1.0.0.tgz"; got != want {
		t.Errorf("MakeNpmTarball() = %s, want %s", got, want)
	}
	if _, err := MakeNpmTarball(t.TempDir(), "x", "1.0.0", nil, map[string]string{"package.json": "{}"}); err == nil {
		t.Errorf("MakeNpmTarball(files with package.json) = nil error, want one")
	}
}
