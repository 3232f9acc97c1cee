package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/srcerr"
)

// ToJSON renders a template as SAM CLI's --use-json does: JSON indented by four spaces, keys
// in the order written, short-form intrinsics (!Ref, !GetAtt, !Sub, ...) in their long form,
// non-ASCII text as it is, no newline at the end. name is used in error messages.
func ToJSON(name string, data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, srcerr.YAML(name, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s:1: template is empty", name)
	}
	var b bytes.Buffer
	w := &jsonWriter{b: &b, budget: 100*len(data) + 10000}
	if err := w.write(doc.Content[0], 0); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b.Bytes(), nil
}

// jsonWriter writes nodes as JSON; budget bounds how many nodes it writes, so that aliases
// that expand exponentially ("billion laughs") end in an error.
type jsonWriter struct {
	b      *bytes.Buffer
	budget int
}

func (w *jsonWriter) write(n *yaml.Node, depth int) error {
	if w.budget--; w.budget < 0 {
		return fmt.Errorf("line %d: aliases expand the template too far", n.Line)
	}
	b := w.b
	if n.Kind == yaml.AliasNode {
		return w.write(n.Alias, depth)
	}
	if fn, ok := intrinsic(n.Tag); ok {
		var arg yaml.Node = *n
		arg.Tag = ""
		if arg.Kind == yaml.ScalarNode {
			arg.Tag = "!!str"
		}
		if fn == "Fn::GetAtt" && arg.Kind == yaml.ScalarNode { // !GetAtt Res.Attr
			res, attr, _ := strings.Cut(arg.Value, ".")
			arg = yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: res}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: attr}}}
		}
		key := yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fn}
		return w.write(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{&key, &arg}}, depth)
	}
	indent := func(d int) { b.WriteString("\n" + strings.Repeat("    ", d)) }
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			writeString(b, n.Content[i].Value)
			b.WriteString(": ")
			if err := w.write(n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		indent(depth)
		b.WriteByte('}')
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, it := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			if err := w.write(it, depth+1); err != nil {
				return err
			}
		}
		indent(depth)
		b.WriteByte(']')
	case yaml.ScalarNode:
		return writeScalar(b, n)
	default:
		return fmt.Errorf("line %d: cannot render %s as JSON", n.Line, kindName(n))
	}
	return nil
}

// intrinsic names the long form of a short-form intrinsic tag.
func intrinsic(tag string) (string, bool) {
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return "", false
	}
	switch name := tag[1:]; name {
	case "Ref", "Condition":
		return name, true
	default:
		return "Fn::" + name, true
	}
}

func writeScalar(b *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		b.WriteString("null")
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return err
		}
		b.WriteString(strconv.FormatBool(v))
	case "!!int":
		var v int64
		if err := n.Decode(&v); err != nil {
			writeString(b, n.Value) // too big for a number: keep the digits
			return nil
		}
		b.WriteString(strconv.FormatInt(v, 10))
	case "!!float":
		var v float64
		if err := n.Decode(&v); err != nil {
			return err
		}
		b.WriteString(pythonFloat(v))
	default:
		writeString(b, n.Value)
	}
	return nil
}

// pythonFloat writes v as Python's json.dumps does: the shortest form that reads back, with
// ".0" when whole, exponents from 1e16 and below 1e-4, Infinity and NaN as words.
func pythonFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	if a := math.Abs(v); a == 0 || (a >= 1e-4 && a < 1e16) {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	return strconv.FormatFloat(v, 'e', -1, 64)
}

// writeString writes s as a JSON string, leaving <, > and & as they are.
func writeString(b *bytes.Buffer, s string) {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Write(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
}
