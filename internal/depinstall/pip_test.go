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

// wheels makes the wheels the pip tests install: native (an x86_64 and an aarch64 build of
// one version), top (pure, with a console script, requiring dep) and dep.
func wheels(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, w := range []struct {
		name, tag string
		files     map[string]string
		requires  []string
	}{
		{"native", "cp312-cp312-manylinux2014_x86_64", map[string]string{"native/__init__.py": "", "native/arch.txt": "x86_64"}, nil},
		{"native", "cp312-cp312-manylinux2014_aarch64", map[string]string{"native/__init__.py": "", "native/arch.txt": "aarch64"}, nil},
		{"top", "py3-none-any", map[string]string{"top/__init__.py": "def main():\n    print('top')\n",
			"top-1.0.dist-info/entry_points.txt": "[console_scripts]\ntop = top:main\n"}, []string{"dep>=1"}},
		{"dep", "py3-none-any", map[string]string{"dep.py": "X = 1\n"}, nil},
	} {
		if _, err := testenv.MakeWheel(dir, w.name, "1.0", w.tag, w.files, w.requires...); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunPip(t *testing.T) {
	needTool(t, "pip")
	env := pipEnv(wheels(t))
	tests := []struct {
		name    string
		cmd     string
		arch    string
		workdir string
		want    map[string]string // image path → content
	}{
		{"arm64 picks aarch64", "python3.12 -m pip install -r requirements.txt -t .", "arm64", "/var/task",
			map[string]string{"/var/task/native/arch.txt": "aarch64"}},
		{"amd64 picks x86_64", "python3.12 -m pip install -r requirements.txt -t .", "amd64", "/var/task",
			map[string]string{"/var/task/native/arch.txt": "x86_64"}},
		{"target relative to workdir", "pip install native -t lib", "amd64", "/app",
			map[string]string{"/app/lib/native/arch.txt": "x86_64"}},
		{"target absolute", `pip install native --target "${LAMBDA_TASK_ROOT}"`, "amd64", "/app",
			map[string]string{"/var/task/native/arch.txt": "x86_64"}},
		{"no target is the workdir", "pip3 install top", "amd64", "/var/task",
			map[string]string{"/var/task/dep.py": "X = 1\n", "/var/task/top/__init__.py": "def main():\n    print('top')\n"}},
		{"requirement file by image path", "pip install -r /var/task/requirements.txt", "arm64", "/var/task",
			map[string]string{"/var/task/native/arch.txt": "aarch64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, out := t.TempDir(), t.TempDir()
			writeFiles(t, root, map[string]string{tt.workdir + "/requirements.txt": "native==1.0\n"})
			mustRun(t, tt.cmd, lambdaEnv, RunOptions{Root: root, Workdir: tt.workdir, Arch: tt.arch, PythonVersion: "3.12", Out: out, Env: env})
			got := map[string]string{}
			for p := range tt.want {
				got[p] = readOut(t, out, p)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Run(%q) on %s wrote (-want +got):\n%s", tt.cmd, tt.arch, diff)
			}
		})
	}
}

func TestRunPipScriptNamesImagePython(t *testing.T) {
	needTool(t, "pip")
	root, out := t.TempDir(), t.TempDir()
	mustRun(t, "pip install top -t .", nil, RunOptions{Root: root, Workdir: "/var/task", Arch: "amd64", PythonVersion: "3.12", Out: out, Env: pipEnv(wheels(t))})
	script := readOut(t, out, "/var/task/bin/top")
	if first, _, _ := strings.Cut(script, "\n"); first != "#!/var/lang/bin/python3.12" {
		t.Errorf("bin/top's #! line = %q, want #!/var/lang/bin/python3.12", first)
	}
	fi, err := os.Stat(filepath.Join(out, "var/task/bin/top"))
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("bin/top's mode = %v (%v), want 0755", fi.Mode(), err)
	}
}

func TestRunPipReproducible(t *testing.T) {
	needTool(t, "pip")
	env := pipEnv(wheels(t))
	var trees []map[string]string
	for range 2 {
		root, out := t.TempDir(), t.TempDir()
		writeFiles(t, root, map[string]string{"/var/task/requirements.txt": "native==1.0\ntop\n"})
		mustRun(t, "pip install -r requirements.txt -t .", nil, RunOptions{Root: root, Workdir: "/var/task", Arch: "arm64", PythonVersion: "3.12", Out: out, Env: env})
		trees = append(trees, tree(t, out))
	}
	if diff := cmp.Diff(trees[0], trees[1]); diff != "" {
		t.Errorf("two runs of one install differ (-first +second):\n%s", diff)
	}
	for p, v := range trees[0] {
		if strings.HasSuffix(p, ".pyc") || strings.Contains(p, "__pycache__") {
			t.Errorf("the install left compiled Python: %s", p)
		}
		if !strings.HasPrefix(v, "-rw-r--r-- ") && !strings.HasPrefix(v, "-rwxr-xr-x ") && v != "drwxr-xr-x" {
			t.Errorf("%s has mode %s, want 0644, 0755 or a 0755 directory", p, v)
		}
	}
	if len(trees[0]) < 5 {
		t.Errorf("the install wrote %d entries, want the two distributions: %v", len(trees[0]), trees[0])
	}
}

func TestRunPipErrors(t *testing.T) {
	needTool(t, "pip")
	env := pipEnv(wheels(t))
	tests := []struct {
		name  string
		cmd   string
		files map[string]string
		want  string
	}{
		{"missing requirement", "pip install -r requirements.txt", map[string]string{"/var/task/requirements.txt": "nope==1\n"},
			"pip install -r requirements.txt: exit status 1: ERROR: No matching distribution found for nope==1"},
		{"missing requirements file", "pip install -r requirements.txt", nil,
			"pip install -r requirements.txt: read /var/task/requirements.txt: not among the files the Dockerfile put in the image"},
		{"absolute path in requirements", "pip install -r requirements.txt", map[string]string{"/var/task/requirements.txt": "six\n-r /etc/reqs.txt\n"},
			"pip install -r requirements.txt: /var/task/requirements.txt:2: absolute path /etc/reqs.txt would be read from this machine"},
		{"source only", "pip install -r requirements.txt", map[string]string{"/var/task/requirements.txt": "./localpkg\n", "/var/task/localpkg/setup.py": ""},
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, out := t.TempDir(), t.TempDir()
			writeFiles(t, root, tt.files)
			in, ok := Recognize(Command{Args: []string{tt.cmd}, Shell: true})
			if !ok {
				t.Fatalf("Recognize(%q) = not ok", tt.cmd)
			}
			err := in.Run(context.Background(), RunOptions{Root: root, Workdir: "/var/task", Arch: "amd64", PythonVersion: "3.12", Out: out, Env: env})
			if err == nil {
				t.Fatalf("Run(%q) = nil, want an error", tt.cmd)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Run(%q) = %q, want one line", tt.cmd, err)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("Run(%q) = %q, want %q", tt.cmd, err, tt.want)
			}
		})
	}
}
