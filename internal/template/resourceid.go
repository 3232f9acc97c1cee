package template

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ResourceIDEdits returns the edits SAM CLI's packaging makes to the template's resources and
// parameters (its resource metadata normalizer): every resource gets a Metadata.SamResourceId
// (its SAM CLI id: see resourceID); resources with CDK asset metadata get the Metadata keys
// the normalizer sets (see assetOf); CDK asset parameters get their default (see
// cdkParameterDefaults). With them a stack deployed by samship and by sam deploy has the same
// resources, so switching tools shows no change set entry that only the tool caused. The
// asset properties themselves are rewritten by the image, artifact and nested stack edits.
func (t *Template) ResourceIDEdits() ([]Edit, error) {
	res := lookup(t.root, "Resources")
	var edits []Edit
	for i := 0; i+1 < len(res.Content); i += 2 {
		logical, r := res.Content[i].Value, res.Content[i+1]
		if r.Kind != yaml.MappingNode || len(r.Content) == 0 {
			continue
		}
		meta := lookup(r, "Metadata")
		a, _, err := assetOf(t.Path, logical, r)
		if err != nil {
			return nil, err
		}
		set := append(a.meta, metaEntry{"SamResourceId", quote(resourceID(logical, lookup(r, "Type").Value, meta))})
		var flow, block []string
		for _, e := range set {
			old := lookup(meta, e.key)
			switch {
			case old == nil:
				flow, block = append(flow, quote(e.key)+": "+e.json), append(block, e.key+": "+e.json)
			case nodeJSON(old) != e.json:
				edits = append(edits, Edit{tpl: t, node: old, text: e.json, what: "the " + e.key + " of resource " + logical})
			}
		}
		if len(flow) == 0 {
			continue
		}
		var (
			at   int
			text string
		)
		switch {
		case meta == nil:
			at, text, err = t.insertKey(r, `"Metadata": {`+strings.Join(flow, ", ")+`}`, func(indent string) string {
				return "Metadata:\n" + indent + "  " + strings.Join(block, "\n"+indent+"  ")
			})
		case meta.Kind == yaml.MappingNode:
			at, text, err = t.insertKey(meta, strings.Join(flow, ", "), func(indent string) string { return strings.Join(block, "\n"+indent) })
		default:
			continue // Metadata that is not a mapping is the template's own to fix
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: add SamResourceId to resource %s: %w", t.Path, r.Line, logical, err)
		}
		edits = append(edits, Edit{tpl: t, at: at, insert: true, text: text, what: "the SamResourceId of resource " + logical})
	}
	for name, p := range t.cdkParameterDefaults() {
		at, text, err := t.insertKey(p, `"Default": " "`, func(string) string { return `Default: " "` })
		if err != nil {
			return nil, fmt.Errorf("%s:%d: add the default of CDK asset parameter %s: %w", t.Path, p.Line, name, err)
		}
		edits = append(edits, Edit{tpl: t, at: at, insert: true, text: text, what: "the default of parameter " + name})
	}
	return edits, nil
}

// insertKey returns where and what to insert so that mapping m gains a first entry: flow
// (the JSON-style entry after the opening brace) or block (a line of its own, at the
// indentation of m's keys, which block is given).
func (t *Template) insertKey(m *yaml.Node, flow string, block func(indent string) string) (int, string, error) {
	if m.Style&yaml.FlowStyle != 0 {
		off, err := offsetOf(t.Raw, m.Line, m.Column)
		if err != nil {
			return 0, "", err
		}
		if off >= len(t.Raw) || t.Raw[off] != '{' {
			return 0, "", fmt.Errorf("no '{' at line %d, column %d", m.Line, m.Column)
		}
		if len(m.Content) > 0 {
			flow += ", "
		}
		return off + 1, flow, nil
	}
	first := m.Content[0]
	off, err := offsetOf(t.Raw, first.Line, 1)
	if err != nil {
		return 0, "", err
	}
	indent := string(t.Raw[off : off+first.Column-1])
	for _, c := range indent {
		if c != ' ' {
			return 0, "", fmt.Errorf("the first key on line %d does not start its line", first.Line)
		}
	}
	if len(m.Content) > 0 && m.Content[0].Kind != yaml.ScalarNode {
		return 0, "", fmt.Errorf("complex keys on line %d", first.Line)
	}
	return off, indent + block(indent) + "\n", nil
}
