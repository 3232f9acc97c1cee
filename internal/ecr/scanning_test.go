package ecr

import "testing"

func TestWildcard(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "app/fn", true},
		{"app*", "app/fn", true},
		{"app/*repo", "app/hellorepo", true},
		{"*repo", "app/hello", false},
		{"prod-*-x", "prod-a/b-x", true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
	} {
		if got := wildcard(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
