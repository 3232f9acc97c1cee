package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeArgs(t *testing.T) {
	tests := map[string]struct{ in, want []string }{
		"greedy values": {
			[]string{"deploy", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND", "--stack-name", "app"},
			[]string{"deploy", "--capabilities=CAPABILITY_IAM", "--capabilities=CAPABILITY_AUTO_EXPAND", "--stack-name", "app"},
		},
		"tags with equals": {
			[]string{"--tags", "k=v", "k2=v w", "--debug"},
			[]string{"--tags=k=v", "--tags=k2=v w", "--debug"},
		},
		"equals form then more": {
			[]string{"--parameter-overrides=A=1", "B=2"},
			[]string{"--parameter-overrides=A=1", "--parameter-overrides=B=2"},
		},
		"no value":           {[]string{"--tags"}, []string{"--tags"}},
		"no value then flag": {[]string{"--tags", "--debug"}, []string{"--tags", "--debug"}},
		"other flags alone":  {[]string{"--stack-name", "a", "b"}, []string{"--stack-name", "a", "b"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, normalizeArgs(tc.in)); diff != "" {
				t.Errorf("normalizeArgs(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}
