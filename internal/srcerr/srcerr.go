// Package srcerr turns parser errors into samship's one-line form for bad files:
// "file:line: what is wrong", at the line of the mistake.
package srcerr

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var yamlLine = regexp.MustCompile(`^yaml: (?:unmarshal errors:\s*)?line (\d+): (.*)`)

// YAML rewrites an error of go.yaml.in/yaml/v3 parsing data, the contents of file name.
// yaml.v3 reports some mistakes (a key indented wrongly, say) at the line where the block
// holding them starts; the line of the mistake is found as the first line whose inclusion
// makes the document fail in the same way. Errors without a line are reported at line 1.
func YAML(name string, data []byte, err error) error {
	msg := err.Error()
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return fmt.Errorf("%s:1: %s", name, FirstLine(strings.TrimPrefix(msg, "yaml: ")))
	}
	line, _ := strconv.Atoi(m[1])
	problem := FirstLine(m[2])
	return fmt.Errorf("%s:%d: %s", name, mistakeLine(data, line, problem), problem)
}

// mistakeLine returns the first line from reported on such that the document up to it
// fails with problem, reported at the same line: the mistake is on it. Including more lines
// past the mistake fails the same way (the parser stops there), so a binary search finds it.
func mistakeLine(data []byte, reported int, problem string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if reported < 1 || reported > len(lines) {
		return reported
	}
	same := func(n int) bool { // the first n lines fail as the whole document does
		var doc yaml.Node
		err := yaml.Unmarshal(bytes.Join(lines[:n], nil), &doc)
		if err == nil {
			return false
		}
		m := yamlLine.FindStringSubmatch(err.Error())
		return m != nil && m[1] == strconv.Itoa(reported) && FirstLine(m[2]) == problem
	}
	n := reported + sort.Search(len(lines)-reported+1, func(i int) bool { return same(reported + i) })
	if n > len(lines) {
		return reported
	}
	return n
}

// FirstLine returns s up to its first line break, trimmed.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
