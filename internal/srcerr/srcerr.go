// Package srcerr turns parser errors into samship's one-line form for bad files:
// "file:line: what is wrong".
package srcerr

import (
	"fmt"
	"regexp"
	"strings"
)

var yamlLine = regexp.MustCompile(`^yaml: (?:unmarshal errors:\s*)?line (\d+): (.*)`)

// YAML rewrites an error of go.yaml.in/yaml/v3 about file name; errors without a line are
// reported at line 1.
func YAML(name string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], FirstLine(m[2]))
	}
	return fmt.Errorf("%s:1: %s", name, FirstLine(strings.TrimPrefix(msg, "yaml: ")))
}

// FirstLine returns s up to its first line break, trimmed.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
