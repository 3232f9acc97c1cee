package samconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParams(t *testing.T) {
	// The samconfig.toml SAM CLI 1.164.0 wrote for a guided run (sam-cli-observed.md §7.4),
	// plus a second environment.
	data := `version = 0.1

[default.deploy.parameters]
stack_name = "peer-guided"
resolve_s3 = true
s3_prefix = "peer-guided"
region = "us-east-1"
confirm_changeset = true
capabilities = "CAPABILITY_IAM"
image_repositories = ["HelloFunction=123456789012.dkr.ecr.us-east-1.amazonaws.com/peerguided83c9ffc3/hellofunction65dbf3a1repo"]

[default.global.parameters]
region = "eu-west-1"
profile = "dev"

[prod.deploy.parameters]
stack_name = "prod-app"
`
	f, err := Parse("samconfig.toml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	got := f.Params("default", "deploy")
	want := map[string]any{
		"stack_name": "peer-guided", "resolve_s3": true, "s3_prefix": "peer-guided", "region": "us-east-1",
		"confirm_changeset": true, "capabilities": "CAPABILITY_IAM", "profile": "dev",
		"image_repositories": []any{"HelloFunction=123456789012.dkr.ecr.us-east-1.amazonaws.com/peerguided83c9ffc3/hellofunction65dbf3a1repo"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Params(default, deploy) mismatch (-want +got):\n%s", diff)
	}
	if got := f.Params("prod", "deploy"); got["stack_name"] != "prod-app" {
		t.Errorf("Params(prod, deploy) = %v", got)
	}
	if got := f.Params("missing", "deploy"); len(got) != 0 {
		t.Errorf("Params(missing) = %v, want empty", got)
	}
}

func TestParseYAML(t *testing.T) {
	// SAM CLI's own integration fixture.
	data := "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      resolve_image_repos: true\n      resolve_s3: true\n      confirm_changeset: false\n      capabilities: [\"CAPABILITY_IAM\"]\n"
	f, err := Parse("samconfig.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"resolve_image_repos": true, "resolve_s3": true, "confirm_changeset": false, "capabilities": []any{"CAPABILITY_IAM"}}
	if diff := cmp.Diff(want, f.Params("default", "deploy")); diff != "" {
		t.Errorf("Params mismatch (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct{ name, data, want string }{
		"toml syntax": {"samconfig.toml", "version = 0.1\n[default.deploy.parameters\n", "samconfig.toml:2: toml: expected ']' to close table name"},
		"no version":  {"samconfig.toml", "[default.deploy.parameters]\nstack_name = \"a\"\n", "samconfig.toml:1: 'version' key is not present or is in unrecognized format"},
		"yaml syntax": {"samconfig.yaml", "version: 0.1\ndefault: [\n", "samconfig.yaml:2: did not find expected node content"},
		"bad version": {"samconfig.toml", "version = \"x\"\n", "samconfig.toml:1: 'version' key is not present or is in unrecognized format"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.name, []byte(tc.data))
			if err == nil || err.Error() != tc.want {
				t.Errorf("Parse() error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	if p, err := Find(dir, DefaultName, false); p != "" || err != nil {
		t.Errorf("Find(empty dir) = %q, %v", p, err)
	}
	os.WriteFile(filepath.Join(dir, "samconfig.yaml"), []byte("version: 0.1\n"), 0o644)
	if p, _ := Find(dir, DefaultName, false); filepath.Base(p) != "samconfig.yaml" {
		t.Errorf("Find() = %q, want samconfig.yaml", p)
	}
	os.WriteFile(filepath.Join(dir, "samconfig.toml"), []byte("version = 0.1\n"), 0o644)
	if p, _ := Find(dir, DefaultName, false); filepath.Base(p) != "samconfig.toml" {
		t.Errorf("Find() = %q, want samconfig.toml (toml wins)", p)
	}
	if _, err := Find(dir, "other.toml", true); err == nil || err.Error() != "Config file other.toml does not exist or could not be read!" {
		t.Errorf("Find(missing explicit) error = %v", err)
	}
}
