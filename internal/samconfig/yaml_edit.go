package samconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlEditor edits block-style YAML config files line by line, located through the parser's
// positions, so that every line it does not touch stays byte for byte.
type yamlEditor struct{}

func (yamlEditor) empty() []byte { return []byte(yamlVersion) }

const yamlVersion = "version: 0.1\n"

// finishNew moves the version of a file written from nothing to its end, where SAM CLI's
// writer (ruamel.yaml, adding the version last) puts it.
func (yamlEditor) finishNew(b []byte) []byte {
	if rest, ok := bytes.CutPrefix(b, []byte(yamlVersion)); ok {
		return append(rest, yamlVersion...)
	}
	return b
}

func yamlRoot(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	if doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the document is not a mapping")
	}
	return doc.Content[0], nil
}

func yamlGet(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

type lines []string

func splitLines(src []byte) lines {
	s := string(src)
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	ls := strings.SplitAfter(s, "\n")
	return ls[:len(ls)-1]
}

func (ls lines) join() []byte { return []byte(strings.Join(ls, "")) }

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// blockEnd returns the index after the last line of the value of the key on line i
// (0-based) at indentation ind: following lines indented deeper, or list items at the same
// indentation; trailing blank and comment lines belong to what follows.
func (ls lines) blockEnd(i, ind int) int {
	last := i
	for j := i + 1; j < len(ls); j++ {
		t := strings.TrimSpace(ls[j])
		switch {
		case t == "" || strings.HasPrefix(t, "#"):
			continue
		case indentOf(ls[j]) > ind || indentOf(ls[j]) == ind && strings.HasPrefix(t, "- "):
			last = j
			continue
		}
		break
	}
	return last + 1
}

// yamlValue renders a scalar as SAM CLI's writer (ruamel.yaml) does: a string plain when it
// reads back as that string, else single-quoted (double-quoted when it holds what single
// quotes cannot); an empty list as []. A non-empty list is written in block style (see
// yamlItems).
func yamlValue(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return yamlScalar(x), nil
	case bool, int:
		return fmt.Sprint(x), nil
	case []string:
		if len(x) == 0 {
			return "[]", nil
		}
		return "", nil
	}
	return "", fmt.Errorf("unsupported samconfig value %T", v)
}

// yamlItems returns the lines of a non-empty list in block style, its dashes at ind, as
// ruamel.yaml writes them under a key; nil for any other value.
func yamlItems(v any, ind int) []string {
	x, ok := v.([]string)
	if !ok || len(x) == 0 {
		return nil
	}
	out := make([]string, len(x))
	for i, s := range x {
		out[i] = strings.Repeat(" ", ind) + "- " + yamlScalar(s) + "\n"
	}
	return out
}

// yamlBool11 are the words YAML 1.1 reads as booleans, which ruamel.yaml quotes.
var yamlBool11 = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true}

// yamlScalar is s plain when YAML reads it back as the same string and it starts with no
// indicator, single-quoted when not, double-quoted (JSON) when it holds a line break or a
// control character, which single quotes cannot.
func yamlScalar(s string) string {
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			enc.Encode(s)
			return strings.TrimSuffix(b.String(), "\n")
		}
	}
	if plainSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func plainSafe(s string) bool {
	if s == "" || s != strings.TrimSpace(s) || strings.Contains(s, ": ") || strings.Contains(s, " #") ||
		strings.HasSuffix(s, ":") || yamlBool11[strings.ToLower(s)] {
		return false
	}
	switch s[0] {
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '-', '?', ':':
		if len(s) == 1 || s[1] == ' ' {
			return false
		}
	}
	var m map[string]any
	return yaml.Unmarshal([]byte("v: "+s), &m) == nil && m["v"] == s
}

// scalarEnd returns the byte column where a one-line scalar or flow value starting at col
// ends on line l, so that a trailing comment is kept.
func scalarEnd(l string, col int) int {
	s := strings.TrimRight(l, "\r\n")
	if col >= len(s) {
		return len(s)
	}
	switch s[col] {
	case '"', '\'':
		q := s[col]
		for i := col + 1; i < len(s); i++ {
			if q == '"' && s[i] == '\\' {
				i++
				continue
			}
			if s[i] == q {
				if q == '\'' && i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return len(s)
	}
	if i := strings.Index(s[col:], " #"); i >= 0 {
		return col + len(strings.TrimRight(s[col:col+i], " "))
	}
	return len(strings.TrimRight(s, " "))
}

func (yamlEditor) set(src []byte, table []string, key string, value any) ([]byte, error) {
	raw, err := yamlValue(value)
	if err != nil {
		return nil, err
	}
	root, err := yamlRoot(src)
	if err != nil {
		return nil, err
	}
	ls := splitLines(src)
	path := append(append([]string{}, table...), key)
	parent := root
	parentLine, parentInd := -1, -1 // the line of the mapping's own key (-1: document root)
	for depth, name := range path {
		k, v := yamlGet(parent, name)
		last := depth == len(path)-1
		if k == nil {
			// Append the missing keys after the parent's block.
			at := len(ls)
			ind := 0
			if parentLine >= 0 {
				at = ls.blockEnd(parentLine, parentInd)
				ind = parentInd + 2
				if len(parent.Content) > 0 {
					ind = parent.Content[0].Column - 1
				}
			} else if parent.Kind == yaml.MappingNode && len(parent.Content) > 0 {
				ind = parent.Content[0].Column - 1
			}
			var add []string
			for d, n := range path[depth:] {
				pad := strings.Repeat(" ", ind+2*d)
				switch items := yamlItems(value, ind+2*d); {
				case depth+d == len(path)-1 && items != nil:
					add = append(append(add, pad+yamlKey(n)+":\n"), items...)
				case depth+d == len(path)-1:
					add = append(add, pad+yamlKey(n)+": "+raw+"\n")
				default:
					add = append(add, pad+yamlKey(n)+":\n")
				}
			}
			out := append(append(append(lines{}, ls[:at]...), add...), ls[at:]...)
			return out.join(), nil
		}
		if parent.Style&yaml.FlowStyle != 0 || (v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle != 0 && !last) {
			return nil, fmt.Errorf("line %d: samship edits block-style YAML only, and %s is in flow style", k.Line, name)
		}
		if last {
			i := k.Line - 1
			items := yamlItems(value, k.Column-1)
			if items == nil && v.Line == k.Line && v.Kind != yaml.MappingNode && !(v.Kind == yaml.ScalarNode && (v.Style&(yaml.LiteralStyle|yaml.FoldedStyle)) != 0) {
				col := v.Column - 1
				end := scalarEnd(ls[i], col)
				if v.Kind == yaml.SequenceNode {
					end = strings.LastIndexByte(strings.TrimRight(ls[i], "\r\n"), ']') + 1
				}
				ls[i] = ls[i][:col] + raw + ls[i][end:]
				return ls.join(), nil
			}
			end := ls.blockEnd(i, k.Column-1)
			repl := []string{strings.Repeat(" ", k.Column-1) + yamlKey(key) + ": " + raw + "\n"}
			if items != nil {
				repl = append([]string{strings.Repeat(" ", k.Column-1) + yamlKey(key) + ":\n"}, items...)
			}
			out := append(append(append(lines{}, ls[:i]...), repl...), ls[end:]...)
			return out.join(), nil
		}
		if v.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: %s must be a mapping", v.Line, name)
		}
		parent, parentLine, parentInd = v, k.Line-1, k.Column-1
	}
	return src, nil
}

func (yamlEditor) remove(src []byte, table []string, key string) ([]byte, error) {
	root, err := yamlRoot(src)
	if err != nil {
		return nil, err
	}
	m := root
	for _, name := range table {
		_, m = yamlGet(m, name)
	}
	k, _ := yamlGet(m, key)
	if k == nil {
		return src, nil
	}
	ls := splitLines(src)
	i := k.Line - 1
	end := ls.blockEnd(i, k.Column-1)
	return append(append(lines{}, ls[:i]...), ls[end:]...).join(), nil
}

func yamlKey(k string) string {
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			s, _ := yamlValue(k)
			return s
		}
	}
	return k
}
