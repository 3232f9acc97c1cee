package samconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteKeepsTheFilesForm writes through a link, and keeps CRLF line ends and a byte
// order mark, in both formats.
func TestWriteKeepsTheFilesForm(t *testing.T) {
	tests := map[string]struct {
		name, in, want string
	}{
		"toml crlf": {"samconfig.toml",
			"version = 0.1\r\n# team settings\r\n[default.deploy.parameters]\r\nstack_name = \"old\"\r\n",
			"version = 0.1\r\n# team settings\r\n[default.deploy.parameters]\r\nstack_name = \"app\"\r\nresolve_s3 = true\r\n"},
		"toml bom": {"samconfig.toml",
			"\xef\xbb\xbfversion = 0.1\n[default.deploy.parameters]\nstack_name = \"old\"\n",
			"\xef\xbb\xbfversion = 0.1\n[default.deploy.parameters]\nstack_name = \"app\"\nresolve_s3 = true\n"},
		"yaml crlf and bom": {"samconfig.yaml",
			"\xef\xbb\xbfversion: 0.1\r\ndefault:\r\n  deploy:\r\n    parameters:\r\n      stack_name: old\r\n",
			"\xef\xbb\xbfversion: 0.1\r\ndefault:\r\n  deploy:\r\n    parameters:\r\n      stack_name: app\r\n      resolve_s3: true\r\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := write(t, tc.name, tc.in, []Param{{Key: "stack_name", Value: "app"}, {Key: "resolve_s3", Value: true}}, nil)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			f, err := Parse(tc.name, []byte(got))
			if err != nil || f.Params("default", "deploy")["stack_name"] != "app" {
				t.Errorf("read back: %v, %v", err, f)
			}
		})
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	shared := filepath.Join(dir, "team", "samconfig.toml")
	os.MkdirAll(filepath.Dir(shared), 0o755)
	os.WriteFile(shared, []byte("version = 0.1\n"), 0o644)
	link := filepath.Join(dir, "samconfig.toml")
	if err := os.Symlink("team/samconfig.toml", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, "default", "deploy", []Param{{Key: "stack_name", Value: "app"}}, nil); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file (%v)", err)
	}
	if got := read(t, shared); got != "version = 0.1\n\n[default.deploy.parameters]\nstack_name = \"app\"\n" {
		t.Errorf("the shared target holds %q", got)
	}
}
