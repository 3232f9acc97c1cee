package cli

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/testenv/golden"
)

// helpOf runs samship with args (a help request) at a terminal width of 100 and returns what
// it printed on standard output.
func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	var out, errs strings.Builder
	io := IO{In: strings.NewReader(""), Out: &out, Err: &errs, Getenv: func(string) string { return "" }, Width: 100}
	if code := run(context.Background(), args, io, runners{}); code != 0 {
		t.Fatalf("samship %s exited %d: %s", strings.Join(args, " "), code, errs.String())
	}
	return out.String()
}

// TestHelp compares each command's help, and `samship help environment`, with golden files
// (-update rewrites them); `samship help <command>` is the same as `<command> --help`.
func TestHelp(t *testing.T) {
	for _, name := range []string{"build", "sync", "deploy", "package", "delete", "prune", "orphans", "environment"} {
		t.Run(name, func(t *testing.T) {
			got := helpOf(t, "help", name)
			if name != "environment" {
				if flagHelp := helpOf(t, name, "--help"); flagHelp != got {
					t.Errorf("samship %s --help differs from samship help %s", name, name)
				}
			}
			golden.Check(t, filepath.Join("testdata", "help", name+".txt"), []byte(got))
		})
	}
}

// TestHelpShowsEveryOption: each option of each command is shown in exactly one group (a
// --no- form with its option), no group names an option the command lacks, every option
// that takes several values shows SAM's syntax, and no line is wider than the terminal.
func TestHelpShowsEveryOption(t *testing.T) {
	root := newRoot(IO{Getenv: func(string) string { return "" }, Width: 100}, runners{})
	for name, h := range map[string]commandHelp{"build": buildHelp, "sync": syncHelp, "deploy": deployHelp, "package": packageHelp, "delete": deleteHelp, "prune": pruneHelp, "orphans": orphansHelp} {
		t.Run(name, func(t *testing.T) {
			cmd, _, err := root.Find([]string{name})
			if err != nil {
				t.Fatal(err)
			}
			cmd.InitDefaultHelpFlag()
			shown := map[string]int{}
			for _, g := range h.groups {
				for _, n := range g.names {
					if cmd.Flags().Lookup(n) == nil {
						t.Errorf("group %q names --%s, which %s does not have", g.title, n, name)
					}
					shown[n]++
				}
			}
			cmd.Flags().VisitAll(func(f *pflag.Flag) {
				if f.Hidden {
					return // the options samship refuses (unsupported.go)
				}
				n := f.Name
				if base, ok := strings.CutPrefix(n, "no-"); ok && cmd.Flags().Lookup(base) != nil {
					n = base
				}
				if shown[n] != 1 {
					t.Errorf("--%s is shown in %d groups, want 1", f.Name, shown[n])
				}
				if greedy["--"+f.Name] && several[f.Name] == "" {
					t.Errorf("--%s takes several values but its help shows no example of them", f.Name)
				}
			})
			for _, l := range strings.Split(renderHelp(cmd, h, 100), "\n") {
				if len(l) > 100 && !strings.HasPrefix(l, "  $ ") {
					t.Errorf("help line of %d columns at a width of 100: %q", len(l), l)
				}
			}
		})
	}
}

// TestHelpTopics: `samship help` of a command or topic shows it; of anything else it is bad
// usage (exit 2) in one line, with the nearest command suggested.
func TestHelpTopics(t *testing.T) {
	tests := map[string]struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		"a command":     {[]string{"help", "deploy"}, 0, ""},
		"a topic":       {[]string{"help", "environment"}, 0, ""},
		"none":          {[]string{"help"}, 0, ""},
		"unknown":       {[]string{"help", "nope"}, 2, "Error: unknown help topic \"nope\" (samship help lists the commands and topics)\n"},
		"a misspelling": {[]string{"help", "depoy"}, 2, "Error: unknown help topic \"depoy\"; did you mean deploy? (samship help lists the commands and topics)\n"},
		"too many":      {[]string{"help", "deploy", "x"}, 2, "Error: unknown help topic \"deploy x\"; did you mean deploy? (samship help lists the commands and topics)\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errs strings.Builder
			io := IO{In: strings.NewReader(""), Out: &out, Err: &errs, Getenv: func(string) string { return "" }, Width: 100}
			code := run(context.Background(), tc.args, io, runners{})
			if code != tc.wantCode || errs.String() != tc.wantErr || (code == 0) != (out.Len() > 0) {
				t.Errorf("samship %s: exit %d, stderr %q, %d bytes out; want exit %d, stderr %q", strings.Join(tc.args, " "), code, errs.String(), out.Len(), tc.wantCode, tc.wantErr)
			}
		})
	}
}

// TestVersionLine: the version, the commit, Go's version and the platform.
func TestVersionLine(t *testing.T) {
	old := Commit
	t.Cleanup(func() { Commit = old })
	Commit = "0123456789ab"
	want := "samship, version 1.2.3 (commit 0123456789ab, " + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if got := versionLine("1.2.3"); got != want {
		t.Errorf("versionLine() = %q, want %q", got, want)
	}
}
