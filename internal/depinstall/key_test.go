package depinstall

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInputs(t *testing.T) {
	tests := []struct {
		name  string
		cmd   string
		files map[string]string
		want  []string
	}{
		{"nested requirements and local wheel", "pip install -r requirements.txt -c /var/task/constraints.txt",
			map[string]string{
				"/var/task/requirements.txt":              "six  # why\n-r reqs/more.txt\n./wheels/a-1.0-py3-none-any.whl\n",
				"/var/task/reqs/more.txt":                 "--requirement=base.txt\n",
				"/var/task/reqs/base.txt":                 "boto3\n",
				"/var/task/constraints.txt":               "six<2\n",
				"/var/task/wheels/a-1.0-py3-none-any.whl": "",
				"/var/task/app.py":                        "unrelated\n",
			},
			[]string{"/var/task/constraints.txt", "/var/task/reqs/base.txt", "/var/task/reqs/more.txt", "/var/task/requirements.txt", "/var/task/wheels/a-1.0-py3-none-any.whl"}},
		{"npm files and file dependencies", "npm ci",
			map[string]string{
				"/var/task/package.json":      `{"dependencies": {"a": "file:vendor/a.tgz", "b": "^1", "c": "file:../lib/c"}}`,
				"/var/task/package-lock.json": `{"packages": {"node_modules/a": {"resolved": "file:vendor/a.tgz"}}}`,
				"/var/task/.npmrc":            "offline=true\n",
				"/var/task/vendor/a.tgz":      "",
				"/var/lib/c/index.js":         "",
				"/var/task/index.js":          "",
			},
			[]string{"/var/lib/c/index.js", "/var/task/.npmrc", "/var/task/package-lock.json", "/var/task/package.json", "/var/task/vendor/a.tgz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tt.files)
			in, ok := Recognize(Command{Args: []string{tt.cmd}, Shell: true})
			if !ok {
				t.Fatalf("Recognize(%q) = not ok", tt.cmd)
			}
			got, err := in.Inputs(RunOptions{Root: root, Workdir: "/var/task"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Inputs(%q) (-want +got):\n%s", tt.cmd, diff)
			}
		})
	}
}

func TestKey(t *testing.T) {
	needTool(t, "pip")
	base := map[string]string{"/var/task/requirements.txt": "six\n", "/var/task/app.py": "v1\n"}
	key := func(cmd string, opts RunOptions, change map[string]string) string {
		t.Helper()
		root := t.TempDir()
		writeFiles(t, root, base)
		writeFiles(t, root, change)
		in, ok := Recognize(Command{Args: []string{cmd}, Shell: true})
		if !ok {
			t.Fatalf("Recognize(%q) = not ok", cmd)
		}
		opts.Root = root
		k, err := in.Key(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	opts := RunOptions{Workdir: "/var/task", Arch: "amd64", PythonVersion: "3.12", Env: []string{}}
	cmd := "pip install -r requirements.txt -t ."
	want := key(cmd, opts, nil)
	tests := []struct {
		name   string
		cmd    string
		opts   func(o RunOptions) RunOptions
		change map[string]string
		same   bool
	}{
		{"unrelated file changed", cmd, nil, map[string]string{"/var/task/app.py": "v2\n"}, true},
		{"requirements changed", cmd, nil, map[string]string{"/var/task/requirements.txt": "six==1.16\n"}, false},
		{"arch", cmd, func(o RunOptions) RunOptions { o.Arch = "arm64"; return o }, nil, false},
		{"python version", cmd, func(o RunOptions) RunOptions { o.PythonVersion = "3.13"; return o }, nil, false},
		{"workdir", "pip install -r /var/task/requirements.txt -t /var/task", func(o RunOptions) RunOptions { o.Workdir = "/"; return o }, nil, false},
		{"command", "pip install -r requirements.txt -t . --no-deps", nil, nil, false},
		{"pip settings", cmd, func(o RunOptions) RunOptions { o.Env = []string{"PIP_INDEX_URL=https://x/simple"}; return o }, nil, false},
		{"other settings", cmd, func(o RunOptions) RunOptions { o.Env = []string{"HOME=/elsewhere"}; return o }, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts
			if tt.opts != nil {
				o = tt.opts(o)
			}
			if got := key(tt.cmd, o, tt.change); (got == want) != tt.same {
				t.Errorf("Key(%q) = %s, same as before: %t, want %t", tt.cmd, got, got == want, tt.same)
			}
		})
	}
}
