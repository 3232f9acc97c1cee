package samconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func uris() []string {
	return []string{
		"HelloFunction=123456789012.dkr.ecr.us-east-1.amazonaws.com/peerguided83c9ffc3/hellofunction65dbf3a1repo",
		"WorldFunction=123456789012.dkr.ecr.us-east-1.amazonaws.com/peerguided83c9ffc3/worldfunction78a6a9ecrepo",
		"ThirdFunction=123456789012.dkr.ecr.us-east-1.amazonaws.com/peerguided83c9ffc3/thirdfunction20dd34e5repo",
	}
}

// guidedParams are the answers of the first guided run in sam-cli-observed.md §7.4.
func guidedParams() []Param {
	return []Param{
		{Key: "stack_name", Value: "peer-guided"}, {Key: "resolve_s3", Value: true}, {Key: "s3_prefix", Value: "peer-guided"},
		{Key: "resolve_image_repos", Value: false}, {Key: "region", Value: "us-east-1"}, {Key: "confirm_changeset", Value: true},
		{Key: "capabilities", Value: "CAPABILITY_IAM"}, {Key: "disable_rollback", Value: false}, {Key: "parameter_overrides", Value: ""},
		{Key: "image_repositories", Value: uris()},
	}
}

var region = []Param{{Key: "region", Value: "us-east-1"}}

func write(t *testing.T, name, initial string, params, global []Param) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if initial != "" {
		if err := os.WriteFile(p, []byte(initial), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(p, "default", "deploy", params, global); err != nil {
		t.Fatalf("Write() = %v", err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteReproducesSAMFirstRun(t *testing.T) {
	got := write(t, "samconfig.toml", "", guidedParams(), region)
	if diff := cmp.Diff(read(t, "testdata/sam-guided-first.toml"), got); diff != "" {
		t.Errorf("first guided save mismatch (-SAM CLI +samship):\n%s", diff)
	}
}

func TestWriteSecondRunDropsDuplicatedRegion(t *testing.T) {
	// SAM CLI's second guided run removes region from the deploy section only, because the
	// global section now has the same value (sam-cli-observed.md §7.4).
	first := read(t, "testdata/sam-guided-first.toml")
	got := write(t, "samconfig.toml", first, guidedParams(), region)
	want := strings.Replace(first, "s3_prefix = \"peer-guided\"\nregion = \"us-east-1\"\n", "s3_prefix = \"peer-guided\"\n", 1)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second guided save mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteReproducesSAMResolveRun(t *testing.T) {
	params := []Param{
		{Key: "stack_name", Value: "peer-guided-rir"}, {Key: "resolve_s3", Value: true}, {Key: "s3_prefix", Value: "peer-guided-rir"},
		{Key: "resolve_image_repos", Value: true}, {Key: "region", Value: "us-east-1"}, {Key: "confirm_changeset", Value: true},
		{Key: "capabilities", Value: "CAPABILITY_IAM"}, {Key: "disable_rollback", Value: false}, {Key: "image_repositories", Value: nil},
	}
	got := write(t, "samconfig.toml", "", params, region)
	if diff := cmp.Diff(read(t, "testdata/sam-guided-resolve.toml"), got); diff != "" {
		t.Errorf("--guided --resolve-image-repos save mismatch (-SAM CLI +samship):\n%s", diff)
	}
}

func TestWriteKeepsEveryOtherByte(t *testing.T) {
	tests := map[string]struct {
		file   string
		params []Param
		global []Param
		want   func(string) string
	}{
		"toml: change, add and remove": {
			file:   "testdata/commented.toml",
			params: []Param{{Key: "stack_name", Value: "renamed"}, {Key: "confirm_changeset", Value: false}, {Key: "capabilities", Value: "CAPABILITY_IAM"}, {Key: "parameter_overrides", Value: `Stage="dev x"`}},
			global: region,
			want: func(s string) string {
				s = strings.Replace(s, `stack_name   =   "my-app"   # aligned`, `stack_name   =   "renamed"   # aligned`, 1)
				s = strings.Replace(s, "confirm_changeset = true\n", "", 1)
				s = strings.Replace(s, "capabilities = [\n  \"CAPABILITY_IAM\", # needed for roles\n  \"CAPABILITY_AUTO_EXPAND\",\n]", `capabilities = "CAPABILITY_IAM"`, 1)
				s = strings.Replace(s, "disable_rollback = true\n", "disable_rollback = true\nparameter_overrides = \"Stage=\\\"dev x\\\"\"\n", 1)
				s = strings.Replace(s, "cached = true\n", "cached = true\n\n[default.global.parameters]\nregion = \"us-east-1\"\n", 1)
				return s
			},
		},
		"toml: nothing to change": {
			file: "testdata/commented.toml", params: []Param{{Key: "stack_name", Value: "my-app"}, {Key: "custom_key", Value: "kept"}},
			want: func(s string) string { return s },
		},
		"yaml: change, add and remove": {
			file:   "testdata/commented.yaml",
			params: []Param{{Key: "stack_name", Value: "renamed"}, {Key: "confirm_changeset", Value: false}, {Key: "capabilities", Value: "CAPABILITY_IAM"}, {Key: "resolve_s3", Value: true}},
			global: region,
			want: func(s string) string {
				s = strings.Replace(s, "stack_name: my-app  # inline", "stack_name: renamed  # inline", 1)
				s = strings.Replace(s, "      confirm_changeset: true\n", "", 1)
				s = strings.Replace(s, "      capabilities:\n        - CAPABILITY_IAM\n        - CAPABILITY_AUTO_EXPAND\n", "      capabilities: CAPABILITY_IAM\n", 1)
				s = strings.Replace(s, "      tags: 'team=\"core\"'\n", "      tags: 'team=\"core\"'\n      resolve_s3: true\n", 1)
				s = strings.Replace(s, "      cached: true\n", "      cached: true\n  global:\n    parameters:\n      region: us-east-1\n", 1)
				return s
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			orig := read(t, tc.file)
			got := write(t, filepath.Base(tc.file), orig, tc.params, tc.global)
			if diff := cmp.Diff(tc.want(orig), got); diff != "" {
				t.Errorf("Write() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteKeepsPermissionsAndRefusesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "samconfig.toml")
	os.WriteFile(p, []byte("version = 0.1\n"), 0o600)
	if err := Write(p, "default", "deploy", []Param{{Key: "stack_name", Value: "a"}}, nil); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after Write = %v, want 0600", fi.Mode().Perm())
	}
	broken := "version = 0.1\n[default.deploy\n"
	os.WriteFile(p, []byte(broken), 0o644)
	err := Write(p, "default", "deploy", []Param{{Key: "stack_name", Value: "a"}}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), p+":2: ") {
		t.Errorf("Write(broken) error = %v, want %s:2: ...", err, p)
	}
	if got := read(t, p); got != broken {
		t.Errorf("Write(broken) changed the file to %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Write left files behind: %v", entries)
	}
	if err := Write(filepath.Join(dir, "samconfig.json"), "default", "deploy", nil, nil); err == nil {
		t.Errorf("Write(json) = nil error")
	}
}

func TestWriteNewEnvironmentGoesAfterItsSections(t *testing.T) {
	src := "version = 0.1\n\n[default.deploy.parameters]\nstack_name = \"a\"\n\n# prod below\n[prod.deploy.parameters]\nstack_name = \"p\"\n"
	got := write(t, "samconfig.toml", src, nil, region)
	want := "version = 0.1\n\n[default.deploy.parameters]\nstack_name = \"a\"\n\n[default.global.parameters]\nregion = \"us-east-1\"\n\n# prod below\n[prod.deploy.parameters]\nstack_name = \"p\"\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Write() mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteRefusesFileWithoutVersion(t *testing.T) {
	p := filepath.Join(t.TempDir(), "samconfig.toml")
	src := "[default.deploy.parameters]\nstack_name = \"a\"\n"
	os.WriteFile(p, []byte(src), 0o644)
	err := Write(p, "default", "deploy", []Param{{Key: "region", Value: "x"}}, nil)
	if err == nil || !strings.Contains(err.Error(), ":1: 'version' key is not present") || read(t, p) != src {
		t.Errorf("Write(no version) = %v, file %q", err, read(t, p))
	}
}

// TestWriteRefusesReadOnlyFiles: a read-only samconfig is the user's way of saying "do not
// change it"; it is refused, not replaced (a rename would replace it whatever its mode).
func TestWriteRefusesReadOnlyFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "samconfig.toml")
	const body = "version = 0.1\n"
	if err := os.WriteFile(p, []byte(body), 0o444); err != nil {
		t.Fatal(err)
	}
	err := Write(p, "default", "deploy", []Param{{Key: "stack_name", Value: "a"}}, nil)
	if want := "write " + p + ": the file is read-only (mode 0444); make it writable to save to it"; err == nil || err.Error() != want {
		t.Errorf("Write(read-only) = %v, want %q", err, want)
	}
	if got := read(t, p); got != body {
		t.Errorf("Write(read-only) changed the file to %q", got)
	}
}

// TestWriteConcurrently: eight writers at once, each saving its own environment, keep all
// eight (they take turns on the directory's lock).
func TestWriteConcurrently(t *testing.T) {
	p := filepath.Join(t.TempDir(), "samconfig.toml")
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Write(p, fmt.Sprintf("env%d", i), "deploy", []Param{{Key: "stack_name", Value: fmt.Sprintf("s%d", i)}}, nil)
		}()
	}
	wg.Wait()
	got := read(t, p)
	for i := range writers {
		if errs[i] != nil {
			t.Errorf("writer %d: %v", i, errs[i])
		}
		if !strings.Contains(got, fmt.Sprintf("[env%d.deploy.parameters]\nstack_name = \"s%d\"", i, i)) {
			t.Errorf("env%d lost:\n%s", i, got)
		}
	}
}
