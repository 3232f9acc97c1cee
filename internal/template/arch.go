package template

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// architecture returns the Architectures Lambda will see for a function whose own property is
// local and whose Globals property is global (nil for AWS::Lambda::Function): "x86_64" or
// "arm64"; "" when neither names one or an intrinsic cannot be resolved (Lambda's default,
// x86_64). The SAM transform merges Globals as aws-sam-translator's GlobalProperties._do_merge
// does: two lists are joined, Globals' first; otherwise the function's own value wins. Any
// value other than one known architecture is an error saying what Lambda would be given; line
// is the line it is written on.
func (s scope) architecture(local, global *yaml.Node) (arch string, line int, err error) {
	if local != nil && isNull(local) {
		local = nil
	}
	n, from := local, ""
	if n == nil {
		n, from = global, " (from Globals)"
	}
	if n == nil {
		return "", 0, nil
	}
	items := n.Content
	switch {
	case isList(local) && isList(global):
		items = append(append([]*yaml.Node{}, global.Content...), local.Content...)
		from = " (the Globals list then the function's: SAM joins them)"
	case !isList(n):
		return s.archValue(n, from)
	}
	names := make([]string, len(items))
	resolved := true
	for i, it := range items {
		v, ok := s.str(it)
		if !ok {
			v, resolved = strings.TrimSpace(it.Tag+" "+it.Value), false
		}
		names[i] = v
	}
	if len(items) == 1 && !resolved {
		return "", n.Line, nil
	}
	return archOf(names, from, n.Line)
}

// archValue reads an Architectures that is not a list: an intrinsic resolving to a
// comma-separated list (a Ref of a CommaDelimitedList parameter), else an error.
func (s scope) archValue(n *yaml.Node, from string) (string, int, error) {
	line := n.Line
	_, isRef := refName(n)
	_, _, isCall := intrinsicCall(n)
	if !isRef && !isCall {
		//lint:ignore ST1005 begins with the template property's name, Architectures
		return "", line, fmt.Errorf("Architectures is %q%s, not a list: Lambda takes a list of one item, x86_64 or arm64", n.Value, from)
	}
	v, ok := s.str(n)
	if !ok {
		return "", line, nil
	}
	var names []string
	if v != "" {
		names = strings.Split(v, ",")
	}
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return archOf(names, from, line)
}

// archOf returns the one architecture names holds, or the error that it holds another number
// of items or an unknown name.
func archOf(names []string, from string, line int) (string, int, error) {
	if len(names) == 1 && (names[0] == "x86_64" || names[0] == "arm64") {
		return names[0], line, nil
	}
	//lint:ignore ST1005 begins with the template property's name, Architectures
	return "", line, fmt.Errorf("Architectures is [%s]%s: Lambda takes one item, x86_64 or arm64", strings.Join(names, ", "), from)
}

// isList reports whether n is a plain YAML list (not an intrinsic such as !Split).
func isList(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.SequenceNode && (n.Tag == "" || n.Tag == "!!seq")
}
