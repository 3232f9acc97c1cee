package depinstall

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/samship/samship/internal/testenv"
)

// npmProject writes, under root at workdir, a package.json with a dependency, a dev
// dependency and linux-x64 / linux-arm64 optional dependencies, all file: tarballs in
// vendor/.
func npmProject(t *testing.T, root, workdir string) {
	t.Helper()
	vendor := filepath.Join(root, filepath.FromSlash(workdir), "vendor")
	if err := os.MkdirAll(vendor, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name string
		pkg  map[string]any
	}{
		{"lib", nil},
		{"devtool", nil},
		{"native-linux-x64", map[string]any{"os": []string{"linux"}, "cpu": []string{"x64"}}},
		{"native-linux-arm64", map[string]any{"os": []string{"linux"}, "cpu": []string{"arm64"}}},
	} {
		if _, err := testenv.MakeNpmTarball(vendor, p.name, "1.0.0", p.pkg, map[string]string{"index.js": "module.exports = '" + p.name + "'\n"}); err != nil {
			t.Fatal(err)
		}
	}
	writeFiles(t, root, map[string]string{workdir + "/package.json": `{
  "name": "app", "version": "1.0.0",
  "dependencies": {"lib": "file:vendor/lib-1.0.0.tgz"},
  "devDependencies": {"devtool": "file:vendor/devtool-1.0.0.tgz"},
  "optionalDependencies": {
    "native-linux-x64": "file:vendor/native-linux-x64-1.0.0.tgz",
    "native-linux-arm64": "file:vendor/native-linux-arm64-1.0.0.tgz"
  }
}
`})
}

// packages lists the packages an install put in node_modules.
func packages(t *testing.T, out, workdir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(out, filepath.FromSlash(workdir), "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestRunNpm(t *testing.T) {
	needTool(t, "npm")
	tests := []struct {
		name, cmd, arch string
		want            []string
	}{
		{"install amd64", "npm install", "amd64", []string{"devtool", "lib", "native-linux-x64"}},
		{"install arm64", "npm install", "arm64", []string{"devtool", "lib", "native-linux-arm64"}},
		{"install omit dev", "npm i --omit=dev --no-audit", "arm64", []string{"lib", "native-linux-arm64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, out := t.TempDir(), t.TempDir()
			npmProject(t, root, "/var/task")
			mustRun(t, tt.cmd, nil, RunOptions{Root: root, Workdir: "/var/task", Arch: tt.arch, Out: out, Env: npmEnv(t)})
			if diff := cmp.Diff(tt.want, packages(t, out, "/var/task")); diff != "" {
				t.Errorf("Run(%q) on %s installed (-want +got):\n%s", tt.cmd, tt.arch, diff)
			}
			if _, err := os.Stat(filepath.Join(out, "var/task/package-lock.json")); err != nil {
				t.Errorf("npm install made a lockfile, but it is not in the output: %v", err)
			}
			if _, err := os.Stat(filepath.Join(out, "var/task/package.json")); err == nil {
				t.Errorf("npm install did not change package.json, but it is in the output")
			}
		})
	}
}

// TestRunNpmCI installs once to make the lockfile, then runs npm ci with it, twice:
// both runs must give identical trees.
func TestRunNpmCI(t *testing.T) {
	needTool(t, "npm")
	root, out := t.TempDir(), t.TempDir()
	npmProject(t, root, "/var/task")
	mustRun(t, "npm install", nil, RunOptions{Root: root, Workdir: "/var/task", Arch: "amd64", Out: out, Env: npmEnv(t)})
	copyInto(t, filepath.Join(out, "var/task/package-lock.json"), root, "/var/task/package-lock.json")

	var trees []map[string]string
	for range 2 {
		out := t.TempDir()
		mustRun(t, "npm ci --omit=dev", nil, RunOptions{Root: root, Workdir: "/var/task", Arch: "arm64", Out: out, Env: npmEnv(t)})
		if diff := cmp.Diff([]string{"lib", "native-linux-arm64"}, packages(t, out, "/var/task")); diff != "" {
			t.Errorf("npm ci --omit=dev on arm64 installed (-want +got):\n%s", diff)
		}
		trees = append(trees, tree(t, out))
	}
	if diff := cmp.Diff(trees[0], trees[1]); diff != "" {
		t.Errorf("two runs of npm ci differ (-first +second):\n%s", diff)
	}
	if _, ok := trees[0]["var/task/package-lock.json"]; ok {
		t.Errorf("npm ci wrote package-lock.json into the output; it does not change it")
	}
	for p, v := range trees[0] {
		if !strings.HasPrefix(v, "-rw-r--r-- ") && !strings.HasPrefix(v, "-rwxr-xr-x ") && v != "drwxr-xr-x" && !strings.HasPrefix(v, "-> ") {
			t.Errorf("%s has mode %s, want 0644, 0755 or a 0755 directory", p, v)
		}
	}
}

func TestRunNpmErrors(t *testing.T) {
	needTool(t, "npm")
	tests := []struct {
		name    string
		cmd     string
		project bool
		want    string // the error's start
	}{
		{"ci without lockfile", "npm ci", true, "npm ci: exit status 1: The `npm ci` command can only install with an existing package-lock.json"},
		{"no package.json", "npm install", false, "npm install: read /var/task/package.json: not among the files the Dockerfile put in the image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, out := t.TempDir(), t.TempDir()
			if tt.project {
				npmProject(t, root, "/var/task")
			}
			in, ok := Recognize(Command{Args: []string{tt.cmd}, Shell: true})
			if !ok {
				t.Fatalf("Recognize(%q) = not ok", tt.cmd)
			}
			err := in.Run(context.Background(), RunOptions{Root: root, Workdir: "/var/task", Arch: "amd64", Out: out, Env: npmEnv(t)})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Run(%q) = %v, want one line starting %q", tt.cmd, err, tt.want)
			}
		})
	}
}

func TestNpmMessage(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"usage", []string{"npm error code EUSAGE", "npm error", "npm error The `npm ci` command can only install with an existing package-lock.json or",
			"npm error npm-shrinkwrap.json with lockfileVersion >= 1.", "npm error", "npm error Clean install a project", "npm error A complete log of this run can be found in: /x.log"},
			"The `npm ci` command can only install with an existing package-lock.json or npm-shrinkwrap.json with lockfileVersion >= 1."},
		{"enoent", []string{"npm warn tarball corrupted", "npm error code ENOENT", "npm error syscall open", "npm error path /tmp/x/nope.tgz", "npm error errno -2",
			"npm error enoent ENOENT: no such file or directory, open '/tmp/x/nope.tgz'", "npm error enoent This is related to npm not being able to find a file.", "npm error enoent"},
			"ENOENT: no such file or directory, open '/tmp/x/nope.tgz' This is related to npm not being able to find a file."},
		{"no npm error lines", []string{"Killed", ""}, "Killed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := npmMessage(tt.lines); got != tt.want {
				t.Errorf("npmMessage() = %q, want %q", got, tt.want)
			}
		})
	}
}
