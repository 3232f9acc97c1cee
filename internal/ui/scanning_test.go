package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/samship/samship/internal/ecr"
)

// TestScanOnPush says which scanning applies to the managed repositories.
func TestScanOnPush(t *testing.T) {
	repos := []string{"app1234/arepo", "app1234/brepo"}
	tests := map[string]struct {
		s    ecr.Scanning
		err  error
		want string
	}{
		"repository setting": {ecr.Scanning{Type: "BASIC"}, nil, "Scan on push: set on each repository (the registry uses basic scanning without rules)"},
		"basic rules":        {ecr.Scanning{Type: "BASIC", Rules: []ecr.ScanRule{{Frequency: "SCAN_ON_PUSH", Filters: []string{"app1234/a*"}}}}, nil, "the registry's basic scanning rules decide instead of the repositories' setting; 1 of 2 managed repositories are scanned"},
		"manual rules":       {ecr.Scanning{Type: "BASIC", Rules: []ecr.ScanRule{{Frequency: "MANUAL", Filters: []string{"*"}}}}, nil, "0 of 2 managed repositories are scanned"},
		"enhanced":           {ecr.Scanning{Type: "ENHANCED", Rules: []ecr.ScanRule{{Frequency: "CONTINUOUS_SCAN", Filters: []string{"*"}}}}, nil, "the registry's enhanced scanning (Amazon Inspector) decide instead of the repositories' setting; 2 of 2"},
		"unreadable":         {ecr.Scanning{}, errors.New("AccessDenied"), "could not be read (AccessDenied)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			(&Reporter{Err: &b}).ScanOnPush(tc.s, tc.err, repos)
			if !strings.Contains(b.String(), tc.want) || strings.Count(b.String(), "\n") != 1 {
				t.Errorf("ScanOnPush() wrote %q, want one line with %q", b.String(), tc.want)
			}
		})
	}
}
