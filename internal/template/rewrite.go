package template

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// WithImageURIs returns the root template's bytes with the ImageUri of each function in uris
// (by full path) replaced, and every other byte as it was: only the scalar's own text
// changes, so comments, layout and short-form intrinsics stay for CloudFormation to read.
func (t *Template) WithImageURIs(fns []Function, uris map[string]string) ([]byte, error) {
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for _, f := range fns {
		v, ok := uris[f.FullPath]
		if !ok {
			continue
		}
		if f.tpl != t || f.uri == nil || f.ImageURIIntrinsic {
			return nil, fmt.Errorf("%s: the ImageUri of function %s is not a literal of %s, so it cannot be rewritten", f.Where, f.FullPath, t.Path)
		}
		start, end, err := scalarSpan(t.Raw, f.uri.Line, f.uri.Column, f.uri.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: rewrite ImageUri of function %s: %w", f.Where, f.FullPath, err)
		}
		q, _ := json.Marshal(v) // a JSON string is also a YAML double-quoted scalar
		edits = append(edits, edit{start, end, string(q)})
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte{}, t.Raw...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, nil
}

// scalarSpan returns the byte range of the one-line scalar the parser placed at line and
// column (1-based, in characters) and whose value is value.
func scalarSpan(src []byte, line, col int, value string) (int, int, error) {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(string(src[off:]), '\n')
		if i < 0 {
			return 0, 0, fmt.Errorf("line %d is past the end", line)
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(src); c++ {
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	if off >= len(src) {
		return 0, 0, fmt.Errorf("column %d is past the end of line %d", col, line)
	}
	switch q := src[off]; q {
	case '"', '\'':
		for i := off + 1; i < len(src) && src[i] != '\n'; i++ {
			switch {
			case q == '"' && src[i] == '\\':
				i++
			case src[i] == q && q == '\'' && i+1 < len(src) && src[i+1] == '\'':
				i++
			case src[i] == q:
				return off, i + 1, nil
			}
		}
		return 0, 0, fmt.Errorf("the quoted value on line %d does not end on that line", line)
	}
	if end := off + len(value); end <= len(src) && string(src[off:end]) == value {
		return off, end, nil
	}
	return 0, 0, fmt.Errorf("the value on line %d spans lines", line)
}
