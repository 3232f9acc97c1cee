package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samship/samship/internal/testenv/golden"
)

// TestJSONFailureBeforeAWS: with --output json, a run refused before its flow began (bad
// input, a question JSON mode cannot ask) still ends with one failure result record on
// stdout, and nothing else there; the exit code and the error line are text mode's.
func TestJSONFailureBeforeAWS(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(tpl, []byte("Resources: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		args     []string
		wantCode int
	}{
		"missing template":     {[]string{"deploy", "--output", "json", "--stack-name", "app", "-t", filepath.Join(dir, "missing.yaml")}, 1},
		"bad flag value":       {[]string{"deploy", "--output", "json", "--stack-name", "app", "--on-failure", "NOPE", "-t", tpl}, 2},
		"guided":               {[]string{"deploy", "--output", "json", "--guided", "-t", tpl}, 2},
		"confirm changeset":    {[]string{"deploy", "--output", "json", "--stack-name", "app", "--confirm-changeset", "-t", tpl}, 2},
		"outputs file nowhere": {[]string{"deploy", "--output", "json", "--stack-name", "app", "--outputs-file", filepath.Join(dir, "no", "o.json"), "-t", tpl}, 2},
		"package":              {[]string{"package", "--output", "json", "-t", filepath.Join(dir, "missing.yaml")}, 1},
		"delete without stack": {[]string{"delete", "--output", "json"}, 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errs bytes.Buffer
			io := IO{In: strings.NewReader(""), Out: &out, Err: &errs, Getenv: func(string) string { return "" }, Width: 100}
			code := Run(context.Background(), tc.args, io)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d; stderr %q", code, tc.wantCode, errs.String())
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			var rec struct {
				Type, Status string
				Error        struct{ Type, Message string }
			}
			if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &rec) != nil || rec.Type != "result" || rec.Status != "failure" {
				t.Fatalf("stdout %q, want one failure result record", out.String())
			}
			if line := "Error: " + rec.Error.Message + "\n"; errs.String() != line {
				t.Errorf("stderr %q, want the record's message %q", errs.String(), line)
			}
			golden.Check(t, filepath.Join("testdata", "json", strings.ReplaceAll(name, " ", "_")+".jsonl"), []byte(strings.ReplaceAll(out.String(), dir, "$DIR")))
		})
	}
}

// TestOutputFormat: --output takes text or json, as SAM CLI's choice, and nothing else.
func TestOutputFormat(t *testing.T) {
	var out, errs bytes.Buffer
	io := IO{In: strings.NewReader(""), Out: &out, Err: &errs, Getenv: func(string) string { return "" }, Width: 100}
	code := Run(context.Background(), []string{"deploy", "--output", "yaml", "--stack-name", "app", "-t", "x.yaml"}, io)
	want := "Error: Invalid value for '--output': 'yaml' is not one of 'text', 'json'.\n"
	if code != 2 || out.Len() != 0 || errs.String() != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", code, out.String(), errs.String(), want)
	}
}
