package samconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// saveParamsAll is every value form `sam deploy --save-params` writes, as click hands them to
// SAM CLI's writer: strings, booleans, ints, word lists and dictionaries.
func saveParamsAll() []Param {
	ps := []Param{
		{Key: "stack_name", Value: "saved"}, {Key: "resolve_image_repos", Value: true},
		{Key: "capabilities", Value: []string{"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}},
		{Key: "parameter_overrides", Value: Map{{"Stage", "prod"}, {"Name", "a b"}}},
		{Key: "fail_on_empty_changeset", Value: false},
		{Key: "tags", Value: Map{{"team", "web"}, {"cost", "1"}}},
		{Key: "max_wait_duration", Value: 30},
		{Key: "notification_arns", Value: []string{"arn:aws:sns:us-east-1:123456789012:t"}},
		{Key: "image_repositories", Value: Map{{"Fn", "123456789012.dkr.ecr.us-east-1.amazonaws.com/r"}}},
		{Key: "metadata", Value: Map{{"k", "v"}}}, {Key: "s3_prefix", Value: "p"},
	}
	for i := range ps {
		ps[i].Keep = true
	}
	return ps
}

// TestWriteSaveParamsLikeSAM compares with testdata/sam-save-params.toml: what SAM CLI's own
// samconfig writer (samcli/lib/config/samconfig.py with tomlkit) wrote for saveParamsAll, the
// super-table header line in tomlkit 0.15's form (no [default] line, as in sam-guided-first.toml).
func TestWriteSaveParamsLikeSAM(t *testing.T) {
	want, err := os.ReadFile("testdata/sam-save-params.toml")
	if err != nil {
		t.Fatal(err)
	}
	got := write(t, "samconfig.toml", "", saveParamsAll(), region)
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("Write() mismatch (-want +got):\n%s", diff)
	}
}

// TestSaveParamsRoundTrip reads back every form written, in both formats, and writes again
// over it: the same file, nothing added.
func TestSaveParamsRoundTrip(t *testing.T) {
	for _, name := range []string{"samconfig.toml", "samconfig.yaml"} {
		t.Run(name, func(t *testing.T) {
			first := write(t, name, "", saveParamsAll(), region)
			p := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(p, []byte(first), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := Parse(p, []byte(first))
			if err != nil {
				t.Fatalf("Parse() = %v", err)
			}
			got := f.Params("default", "deploy")
			for _, ps := range saveParamsAll() {
				if !sameValue(got[ps.Key], ps.Value) {
					t.Errorf("%s reads back as %v, want %v", ps.Key, got[ps.Key], ps.Value)
				}
			}
			if err := Write(p, "default", "deploy", saveParamsAll(), region); err != nil {
				t.Fatal(err)
			}
			if again := read(t, p); again != first {
				t.Errorf("writing the same again changed the file:\n%s", cmp.Diff(first, again))
			}
			// A table replaces an older value of another form, and keys it no longer has.
			if err := Write(p, "default", "deploy", []Param{{Key: "tags", Value: Map{{"team", "api"}}, Keep: true}}, region); err != nil {
				t.Fatal(err)
			}
			f, _ = Parse(p, []byte(read(t, p)))
			if diff := cmp.Diff(map[string]any{"team": "api"}, f.Params("default", "deploy")["tags"]); diff != "" {
				t.Errorf("tags after rewrite mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSaveParamsTableReplacesString(t *testing.T) {
	got := write(t, "samconfig.toml", "version = 0.1\n\n[default.deploy.parameters]\ntags = \"team=web\"\nstack_name = \"a\"\n",
		[]Param{{Key: "tags", Value: Map{{"team", "api"}}, Keep: true}}, region)
	want := "version = 0.1\n\n[default.deploy.parameters]\nstack_name = \"a\"\n\n[default.deploy.parameters.tags]\nteam = \"api\"\n\n[default.global.parameters]\nregion = \"us-east-1\"\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Write() mismatch (-want +got):\n%s", diff)
	}
}

// TestWriteSaveParamsLikeSAMYAML compares with testdata/sam-save-params.yaml: what SAM CLI's
// own samconfig writer (samcli/lib/config/samconfig.py with ruamel.yaml 0.17.21, Debian's
// python3-ruamel.yaml) wrote for saveParamsAll into a new samconfig.yaml.
func TestWriteSaveParamsLikeSAMYAML(t *testing.T) {
	want, err := os.ReadFile("testdata/sam-save-params.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := write(t, "samconfig.yaml", "", saveParamsAll(), region)
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("Write() mismatch (-want +got):\n%s", diff)
	}
}

// TestYAMLScalar: strings are written as ruamel.yaml (SAM CLI's writer) writes them: plain
// when they read back as themselves, else single-quoted.
func TestYAMLScalar(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"word":              {"saved", "saved"},
		"words":             {"a b", "a b"},
		"an ARN":            {"arn:aws:sns:us-east-1:123456789012:t", "arn:aws:sns:us-east-1:123456789012:t"},
		"a number":          {"1", "'1'"},
		"a float":           {"1.0", "'1.0'"},
		"a YAML 1.1 bool":   {"yes", "'yes'"},
		"a bool":            {"true", "'true'"},
		"null":              {"null", "'null'"},
		"tilde":             {"~", "'~'"},
		"empty":             {"", "''"},
		"leading space":     {" x", "' x'"},
		"a colon and space": {"a: b", "'a: b'"},
		"a comment":         {"x #y", "'x #y'"},
		"a hash first":      {"#x", "'#x'"},
		"a quote inside":    {"it's", "it's"},
		"a quote first":     {"'q'", "'''q'''"},
		"a dash word":       {"-x", "-x"},
		"a dash and space":  {"- x", "'- x'"},
		"a line break":      {"a\nb", `"a\nb"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := yamlScalar(tc.in); got != tc.want {
				t.Errorf("yamlScalar(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}
