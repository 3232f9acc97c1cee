package samconfig

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlKey is one key = value expression of a TOML document.
type tomlKey struct {
	table, key string
	start, end int // the expression, from the key to the end of the value
	valueStart int
	lineStart  int // start of the line the expression starts on
	lineEnd    int // after the newline ending the line the expression ends on
}

// tomlTable is one [table] header.
type tomlTable struct {
	name    string
	lineEnd int // after the header line
}

// tomlIndex locates keys and tables in a TOML document by byte offset.
type tomlIndex struct {
	src    []byte
	keys   []tomlKey
	tables []tomlTable
}

func indexTOML(src []byte) (*tomlIndex, error) {
	ix := &tomlIndex{src: src}
	p := unstable.Parser{KeepComments: true}
	p.Reset(src)
	current := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, first, _ := keyParts(e.Key())
			current = strings.Join(parts, ".")
			if first < 0 {
				return nil, fmt.Errorf("table header without a key")
			}
			ix.tables = append(ix.tables, tomlTable{name: current, lineEnd: ix.lineEnd(first)})
		case unstable.KeyValue:
			parts, _, keyEnd := keyParts(e.Key())
			table := current
			if len(parts) > 1 {
				table = strings.Trim(current+"."+strings.Join(parts[:len(parts)-1], "."), ".")
			}
			start, end := int(e.Raw.Offset), int(e.Raw.Offset+e.Raw.Length)
			// The value starts after the key, the '=' and the blanks around it.
			vs := keyEnd
			for vs < end && (src[vs] == ' ' || src[vs] == '\t' || src[vs] == '=') {
				vs++
			}
			ix.keys = append(ix.keys, tomlKey{table: table, key: parts[len(parts)-1], start: start, end: end,
				valueStart: vs, lineStart: ix.lineStart(start), lineEnd: ix.lineEnd(end)})
		}
	}
	if err := p.Error(); err != nil {
		return nil, err
	}
	return ix, nil
}

// keyParts returns the parts of a (dotted) key, where its first part starts and where its
// last part ends.
func keyParts(it unstable.Iterator) ([]string, int, int) {
	var parts []string
	first, last := -1, 0
	for it.Next() {
		n := it.Node()
		if first < 0 {
			first = int(n.Raw.Offset)
		}
		last = int(n.Raw.Offset + n.Raw.Length)
		parts = append(parts, string(n.Data))
	}
	return parts, first, last
}

func (ix *tomlIndex) lineStart(off int) int {
	return bytes.LastIndexByte(ix.src[:off], '\n') + 1
}

func (ix *tomlIndex) lineEnd(off int) int {
	if i := bytes.IndexByte(ix.src[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(ix.src)
}

func (ix *tomlIndex) find(table, key string) (tomlKey, bool) {
	for _, k := range ix.keys {
		if k.table == table && k.key == key {
			return k, true
		}
	}
	return tomlKey{}, false
}

// tableEnd returns where a new key of table goes: after the line of its last plain key, or
// after its header; ok is false when the table has no header.
func (ix *tomlIndex) tableEnd(table string) (int, bool) {
	at, found := 0, false
	for _, t := range ix.tables {
		if t.name == table {
			at, found = t.lineEnd, true
		}
	}
	if !found {
		return 0, false
	}
	for _, k := range ix.keys {
		if k.table == table && k.lineEnd > at {
			at = k.lineEnd
		}
	}
	return at, true
}

// envEnd returns the end of the last line belonging to a table of env (where a new table of
// that env goes), or -1 when env has none.
func (ix *tomlIndex) envEnd(env string) int {
	at := -1
	for _, t := range ix.tables {
		if t.name == env || strings.HasPrefix(t.name, env+".") {
			if end, _ := ix.tableEnd(t.name); end > at {
				at = end
			}
		}
	}
	return at
}

// setTOML sets table.key to the TOML value text raw, keeping every other byte.
func setTOML(src []byte, table, key, raw string) ([]byte, error) {
	ix, err := indexTOML(src)
	if err != nil {
		return nil, err
	}
	if k, ok := ix.find(table, key); ok {
		return splice(src, k.valueStart, k.end, raw), nil
	}
	line := tomlKeyText(key) + " = " + raw + "\n"
	if at, ok := ix.tableEnd(table); ok {
		if at > 0 && src[at-1] != '\n' {
			line = "\n" + line
		}
		return splice(src, at, at, line), nil
	}
	block := "[" + tomlTableText(table) + "]\n" + line
	env := strings.SplitN(table, ".", 2)[0]
	if at := ix.envEnd(env); at >= 0 {
		prefix := "\n"
		if at > 0 && src[at-1] != '\n' {
			prefix = "\n\n"
		}
		return splice(src, at, at, prefix+block), nil
	}
	out := append([]byte{}, src...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	if len(out) > 0 {
		out = append(out, '\n')
	}
	return append(out, block...), nil
}

// deleteTOML removes table.key with its whole line(s); absent keys are fine.
func deleteTOML(src []byte, table, key string) ([]byte, error) {
	ix, err := indexTOML(src)
	if err != nil {
		return nil, err
	}
	k, ok := ix.find(table, key)
	if !ok {
		return src, nil
	}
	return splice(src, k.lineStart, k.lineEnd, ""), nil
}

func splice(src []byte, from, to int, with string) []byte {
	out := make([]byte, 0, len(src)-(to-from)+len(with))
	out = append(out, src[:from]...)
	out = append(out, with...)
	return append(out, src[to:]...)
}

// tomlKeyText quotes a key unless it is a bare key.
func tomlKeyText(k string) string {
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return tomlString(k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}

func tomlTableText(t string) string {
	parts := strings.Split(t, ".")
	for i, p := range parts {
		parts[i] = tomlKeyText(p)
	}
	return strings.Join(parts, ".")
}

// tomlString writes s as a TOML basic string, as tomlkit does for SAM CLI.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlValue writes a samconfig value: a string, a bool or a list of strings.
func tomlValue(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return tomlString(x), nil
	case bool, int:
		return fmt.Sprint(x), nil
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = tomlString(s)
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	return "", fmt.Errorf("unsupported samconfig value %T", v)
}
