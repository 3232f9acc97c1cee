package prompt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func newTest(in string, out *strings.Builder) *Prompter {
	return New(strings.NewReader(in), out)
}

func TestConfirm(t *testing.T) {
	tests := map[string]struct {
		in      string
		def     bool
		want    bool
		wantErr error
		wantOut string
	}{
		"empty takes default no":  {"\n", false, false, nil, "Deploy? [y/N]: \n"},
		"empty takes default yes": {"\n", true, true, nil, "Deploy? [Y/n]: \n"},
		"yes":                     {"y\n", false, true, nil, "Deploy? [y/N]: y\n"},
		"no without newline":      {"n", true, false, nil, "Deploy? [Y/n]: n\n"},
		"asked again":             {"maybe\nyes\n", false, true, nil, "Deploy? [y/N]: maybe\nError: invalid input\nDeploy? [y/N]: yes\n"},
		"end of input":            {"", false, false, ErrAborted, "Deploy? [y/N]: \n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			got, err := newTest(tc.in, &out).Confirm(context.Background(), "Deploy?", tc.def)
			if got != tc.want || !errors.Is(err, tc.wantErr) || out.String() != tc.wantOut {
				t.Errorf("Confirm() = %v, %v, printed %q; want %v, %v, %q", got, err, out.String(), tc.want, tc.wantErr, tc.wantOut)
			}
		})
	}
}

func TestPrompt(t *testing.T) {
	tests := map[string]struct {
		in, def, want, wantOut string
		wantErr                error
	}{
		"default":             {"\n", "sam-app", "sam-app", "\tStack Name [sam-app]: \n", nil},
		"answer trimmed":      {"  my-app \n", "sam-app", "my-app", "\tStack Name [sam-app]:   my-app \n", nil},
		"no default re-asked": {"\nx\n", "", "x", "\tStack Name: \n\tStack Name: x\n", nil},
		"end of input":        {"", "a", "", "\tStack Name [a]: \n", ErrAborted},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			got, err := newTest(tc.in, &out).Prompt(context.Background(), "\tStack Name", tc.def)
			if got != tc.want || !errors.Is(err, tc.wantErr) || out.String() != tc.wantOut {
				t.Errorf("Prompt() = %q, %v, printed %q; want %q, %v, %q", got, err, out.String(), tc.want, tc.wantErr, tc.wantOut)
			}
		})
	}
}

func TestValidatedAndHidden(t *testing.T) {
	var out strings.Builder
	p := newTest("bad\ngood\nsecret\n", &out)
	got, err := p.Validated(context.Background(), "Repo", "", func(s string) error {
		if s != "good" {
			return fmt.Errorf("%q is not good", s)
		}
		return nil
	})
	if got != "good" || err != nil || !strings.Contains(out.String(), "Error: \"bad\" is not good\n") {
		t.Errorf("Validated() = %q, %v, printed %q", got, err, out.String())
	}
	if s, err := p.Hidden(context.Background(), "Parameter Secret"); s != "secret" || err != nil || strings.Contains(out.String(), "secret") {
		t.Errorf("Hidden() = %q, %v, printed %q", s, err, out.String())
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, _ := ioPipe()
	var out strings.Builder
	if _, err := New(r, &out).Confirm(ctx, "Deploy?", false); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Confirm() after interrupt = %v, want ErrInterrupted", err)
	}
}
