package prompt

import (
	"errors"
	"strings"
	"testing"
)

func TestConfirm(t *testing.T) {
	tests := map[string]struct {
		in      string
		def     bool
		want    bool
		wantErr error
		wantOut string
	}{
		"empty takes default no":  {"\n", false, false, nil, "Deploy? [y/N]: "},
		"empty takes default yes": {"\n", true, true, nil, "Deploy? [Y/n]: "},
		"yes":                     {"y\n", false, true, nil, "Deploy? [y/N]: "},
		"no without newline":      {"n", true, false, nil, "Deploy? [Y/n]: "},
		"asked again":             {"maybe\nyes\n", false, true, nil, "Deploy? [y/N]: Error: invalid input\nDeploy? [y/N]: "},
		"end of input":            {"", false, false, ErrAborted, "Deploy? [y/N]: \n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			got, err := New(strings.NewReader(tc.in), &out).Confirm("Deploy?", tc.def)
			if got != tc.want || !errors.Is(err, tc.wantErr) || out.String() != tc.wantOut {
				t.Errorf("Confirm() = %v, %v, printed %q; want %v, %v, %q", got, err, out.String(), tc.want, tc.wantErr, tc.wantOut)
			}
		})
	}
}
