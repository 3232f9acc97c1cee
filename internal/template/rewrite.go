package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Edit replaces one value of a template with new text (JSON syntax, which YAML also reads),
// or inserts text at an offset.
type Edit struct {
	tpl    *Template
	node   *yaml.Node
	at     int  // with insert: the byte offset text goes in at
	insert bool // text is inserted at at, nothing replaced
	text   string
	what   string // for errors: "ImageUri of function Fn"

	// With gen: the value (value, as text for when every resource the loop generates gets
	// the same) of one generated resource's property node, written in the loop body: see
	// loopEdits.
	gen   *generated
	value string
	leaf  string // the property's last name: "ImageUri", "CodeUri"
}

// ImageEdit sets the function's ImageUri to ref, as SAM CLI writes the pushed image into the
// function: the value replaces the function's own ImageUri, whether a literal or an intrinsic
// that named the local image (!Ref ImageUri, a Sub).
func (f Function) ImageEdit(ref string) (Edit, error) {
	if f.uri == nil || f.ImageURIIntrinsic {
		return Edit{}, fmt.Errorf("%s: the ImageUri of function %s does not resolve to an image, so it cannot be rewritten", f.Where, f.FullPath)
	}
	q, _ := json.Marshal(ref)
	text := string(q)
	if f.codeAsset {
		text = `{"ImageUri": ` + text + `}` // SAM CLI's normalizer replaces the whole Code
	}
	return Edit{tpl: f.tpl, node: f.uri, text: text, what: "ImageUri of function " + f.FullPath,
		gen: f.gen, value: ref, leaf: "ImageUri"}, nil
}

// Template returns the template the function is defined in.
func (f Function) Template() *Template { return f.tpl }

// Apply returns the template's bytes with the edits made and every other byte as it was: only
// the scalars' own text changes, so comments, layout and short-form intrinsics stay.
func (t *Template) Apply(edits []Edit) ([]byte, error) {
	type span struct {
		start, end int
		text       string
	}
	var spans []span
	edits, err := t.loopEdits(edits)
	if err != nil {
		return nil, err
	}
	for _, e := range edits {
		if e.tpl != t {
			return nil, fmt.Errorf("%s: the edit of %s belongs to another template", t.Path, e.what)
		}
		if e.insert {
			spans = append(spans, span{e.at, e.at, e.text})
			continue
		}
		start, end, err := nodeSpan(t.Raw, e.node)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: rewrite %s: %w", t.Path, e.node.Line, e.what, err)
		}
		spans = append(spans, span{start, end, e.text})
	}
	// From the end backwards, so that offsets stay true; at one offset a replacement goes
	// before an insertion.
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start > spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	out := append([]byte{}, t.Raw...)
	for _, s := range spans {
		out = append(out[:s.start], append([]byte(s.text), out[s.end:]...)...)
	}
	return out, nil
}

// nodeSpan returns the byte range of node n in src: a one-line scalar, a short-form intrinsic
// with its tag (!Ref X), or a whole collection ({Ref: X} in flow or JSON style, or a block
// mapping, which ends with its last value).
func nodeSpan(src []byte, n *yaml.Node) (int, int, error) {
	start, err := offsetOf(src, n.Line, n.Column)
	if err != nil {
		return 0, 0, err
	}
	off := start
	if _, short := intrinsic(n.Tag); short {
		off += len(n.Tag)
		for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
			off++
		}
	}
	switch {
	case n.Kind == yaml.ScalarNode:
		_, end, err := scalarAt(src, off, n.Line, n.Value)
		return start, end, err
	case n.Style&yaml.FlowStyle != 0:
		end, err := closingBracket(src, off, n.Line)
		return start, end, err
	case len(n.Content) > 0:
		_, end, err := nodeSpan(src, n.Content[len(n.Content)-1])
		return start, end, err
	}
	return 0, 0, fmt.Errorf("the value on line %d is empty", n.Line)
}

// closingBracket returns the offset just past the bracket that closes the one at off,
// skipping quoted text.
func closingBracket(src []byte, off, line int) (int, error) {
	depth := 0
	for i := off; i < len(src); i++ {
		switch c := src[i]; c {
		case '"', '\'':
			for i++; i < len(src) && src[i] != c; i++ {
				if c == '"' && src[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("the collection on line %d does not end", line)
}

// offsetOf returns the byte offset of line and column (1-based, in characters).
func offsetOf(src []byte, line, col int) (int, error) {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return 0, fmt.Errorf("line %d is past the end", line)
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(src); c++ {
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	if off >= len(src) {
		return 0, fmt.Errorf("column %d is past the end of line %d", col, line)
	}
	return off, nil
}

// scalarAt returns the byte range of the one-line scalar at off whose value is value.
func scalarAt(src []byte, off, line int, value string) (int, int, error) {
	if off >= len(src) {
		return 0, 0, fmt.Errorf("the value on line %d is past the end", line)
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
