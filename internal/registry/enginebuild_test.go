package registry

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/testenv"
)

// contextTar returns a build context holding files (mode 0755 for names in exec).
func contextTar(t *testing.T, files map[string][]byte, exec ...string) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		mode := int64(0o644)
		for _, x := range exec {
			if x == n {
				mode = 0o755
			}
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: mode, Size: int64(len(files[n])), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(files[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

// staticBinary builds a static Go program (no shell is needed to RUN it FROM scratch).
func staticBinary(t *testing.T, src string) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module w\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", "w", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "w"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEngineBuild builds images in a real dockerd and Podman, FROM scratch (nothing can be
// pulled here): build arguments, a target stage, another platform, a Dockerfile elsewhere in
// the context, a failing build whose error is the engine's line; on dockerd a RUN.
func TestEngineBuild(t *testing.T) {
	testenv.Needs(t, "dockerd and podman")
	var g errgroup.Group
	var dockerd, podman *testenv.Engine
	g.Go(func() (err error) { dockerd, err = testenv.StartDockerd(); return err })
	g.Go(func() (err error) { podman, err = testenv.StartPodman(); return err })
	err := g.Wait()
	for _, e := range []*testenv.Engine{dockerd, podman} {
		if e != nil {
			t.Cleanup(e.Stop)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		layers int    // of the built image
		arch   string // its architecture
		said   string // in the progress
		err    string // the error's start, when the build fails
		errHas string // and what it says besides
	}
	tests := map[string]struct {
		files map[string][]byte
		opts  BuildOptions
		want  result
	}{
		"build argument": {
			map[string][]byte{"Dockerfile": []byte("FROM scratch\nARG SRC\nCOPY ${SRC} /app\n"), "a.txt": []byte("a")},
			BuildOptions{Tag: "args:v1", Platform: "linux/amd64", Args: map[string]string{"SRC": "a.txt"}},
			result{layers: 1, arch: "amd64", said: "COPY ${SRC} /app"},
		},
		"target stage": {
			map[string][]byte{"Dockerfile": []byte("FROM scratch AS runtime\nCOPY a.txt /a\nFROM scratch AS later\nCOPY missing /m\n"), "a.txt": []byte("a")},
			BuildOptions{Tag: "target:v1", Platform: "linux/amd64", Target: "runtime"},
			result{layers: 1, arch: "amd64", said: "COPY a.txt /a"},
		},
		"arm64": {
			map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY a.txt /a\nCOPY b.txt /b\n"), "a.txt": []byte("a"), "b.txt": []byte("b")},
			BuildOptions{Tag: "arm:v1", Platform: "linux/arm64"},
			result{layers: 2, arch: "arm64", said: "COPY b.txt /b"},
		},
		"Dockerfile in a folder": {
			map[string][]byte{"build/Dockerfile.lambda": []byte("FROM scratch\nCOPY a.txt /a\n"), "a.txt": []byte("a")},
			BuildOptions{Tag: "folder:v1", Platform: "linux/amd64", Dockerfile: "build/Dockerfile.lambda"},
			result{layers: 1, arch: "amd64", said: "COPY a.txt /a"},
		},
		"no Dockerfile": {
			map[string][]byte{"a.txt": []byte("a")},
			BuildOptions{Tag: "nodf:v1", Dockerfile: "Dockerfile.lambda", Platform: "linux/amd64"},
			result{err: "build nodf:v1: ", errHas: "Dockerfile.lambda"},
		},
		"COPY of a missing file": {
			map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY missing.txt /m\n")},
			BuildOptions{Tag: "fail:v1", Platform: "linux/amd64"},
			result{err: "build fail:v1: ", errHas: "missing.txt"},
		},
	}
	ctx := context.Background()
	for _, eng := range []*testenv.Engine{dockerd, podman} {
		e, err := NewEngine(eng.Host)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"arm64", "build argument", "target stage", "Dockerfile in a folder", "no Dockerfile", "COPY of a missing file"} {
			tc := tests[name]
			t.Run(eng.Name+"/"+name, func(t *testing.T) {
				var progress bytes.Buffer
				id, err := e.Build(ctx, contextTar(t, tc.files), tc.opts, &progress)
				if tc.want.err != "" {
					t.Logf("Build() = %v", err)
					if err == nil || !strings.HasPrefix(err.Error(), tc.want.err) || !strings.Contains(err.Error(), tc.want.errHas) || strings.Contains(err.Error(), "\n") {
						t.Errorf("Build() = %q, %v, want one line starting %q saying %q", id, err, tc.want.err, tc.want.errHas)
					}
					return
				}
				if err != nil {
					t.Fatalf("Build() = %v\nprogress:\n%s", err, progress.String())
				}
				info, err := e.Inspect(ctx, tc.opts.Tag)
				if err != nil {
					t.Fatal(err)
				}
				got := result{layers: len(info.DiffIDs), arch: info.Architecture, said: tc.want.said}
				if !strings.Contains(progress.String(), tc.want.said) {
					got.said = progress.String()
				}
				if got != tc.want || info.ID != id {
					t.Errorf("Build() = %s, image %+v, progress %q, want %+v with id %s", id, got, progress.String(), tc.want, info.ID)
				}
			})
		}
	}

	// Both engines' caches take a FROM scratch step of another platform as a match: the
	// build is made again without the cache when the context can be read again, and refused
	// when it cannot.
	for _, eng := range []*testenv.Engine{dockerd, podman} {
		t.Run(eng.Name+"/cache of another platform", func(t *testing.T) {
			e, err := NewEngine(eng.Host)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY c.txt /c\n"), "c.txt": []byte("c")}
			if _, err := e.Build(ctx, contextTar(t, files), BuildOptions{Tag: "plat:arm", Platform: "linux/arm64"}, nil); err != nil {
				t.Fatal(err)
			}
			_, err = e.Build(ctx, io.MultiReader(contextTar(t, files)), BuildOptions{Tag: "plat:once", Platform: "linux/amd64"}, nil)
			if want := "build plat:once: the engine's cache gave an image for linux/arm64, not linux/amd64: build it again without the cache"; err == nil || err.Error() != want {
				t.Errorf("Build(read once) = %v, want %s", err, want)
			}
			var progress bytes.Buffer
			id, err := e.Build(ctx, contextTar(t, files), BuildOptions{Tag: "plat:amd", Platform: "linux/amd64"}, &progress)
			if err != nil {
				t.Fatal(err)
			}
			info, err := e.Inspect(ctx, "plat:amd")
			if err != nil {
				t.Fatal(err)
			}
			if info.Architecture != "amd64" || info.ID != id || !strings.Contains(progress.String(), "building again without the cache") {
				t.Errorf("Build(amd64) = %s, image %+v, progress %q, want amd64, rebuilt without the cache", id, info, progress.String())
			}
		})
	}

	// RUN works in dockerd with a static binary (FROM scratch has no shell); its output is
	// progress. A rebuild under the same tag is the image Inspect then answers for.
	t.Run("docker/RUN", func(t *testing.T) {
		e, err := NewEngine(dockerd.Host)
		if err != nil {
			t.Fatal(err)
		}
		w := staticBinary(t, "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfmt.Println(\"ran in the build\")\n\tos.WriteFile(\"/made\", []byte(\"x\"), 0o644)\n}\n")
		opts := BuildOptions{Tag: "run:v1"}
		first, err := e.Build(ctx, contextTar(t, map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY w /w\n"), "w": w}, "w"), opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if info, err := e.Inspect(ctx, "run:v1"); err != nil || info.ID != first {
			t.Fatalf("Inspect() = %+v, %v, want %s", info, err, first)
		}
		var progress bytes.Buffer
		id, err := e.Build(ctx, contextTar(t, map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY w /w\nRUN [\"/w\"]\n"), "w": w}, "w"), opts, &progress)
		if err != nil {
			t.Fatalf("Build() = %v\nprogress:\n%s", err, progress.String())
		}
		info, err := e.Inspect(ctx, "run:v1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(progress.String(), "ran in the build") || info.ID != id || id == first || len(info.DiffIDs) != 2 {
			t.Errorf("Build(RUN) = %s, image %+v, progress %q, want the program's line, a new id, 2 layers", id, info, progress.String())
		}
	})
}
