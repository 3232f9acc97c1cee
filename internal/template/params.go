package template

import (
	"go.yaml.in/yaml/v3"
)

// Parameter is one entry of a template's Parameters section.
type Parameter struct {
	Key        string
	Default    string
	HasDefault bool
	NoEcho     bool
}

// Parameters returns the template's parameters in template order.
func (t *Template) Parameters() []Parameter {
	var out []Parameter
	ps := lookup(t.root, "Parameters")
	if ps == nil || ps.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(ps.Content); i += 2 {
		p := Parameter{Key: ps.Content[i].Value}
		v := ps.Content[i+1]
		if d := lookup(v, "Default"); d != nil && d.Kind == yaml.ScalarNode {
			p.Default, p.HasDefault = d.Value, true
		} else if d != nil && d.Kind == yaml.SequenceNode {
			p.Default, p.HasDefault = joinScalars(d), true
		}
		if ne := lookup(v, "NoEcho"); ne != nil && ne.Kind == yaml.ScalarNode {
			p.NoEcho = ne.Value == "true" || ne.Value == "True" || ne.Value == "TRUE"
		}
		out = append(out, p)
	}
	return out
}

func joinScalars(seq *yaml.Node) string {
	s := ""
	for i, c := range seq.Content {
		if i > 0 {
			s += ","
		}
		s += c.Value
	}
	return s
}

// scope resolves !Ref of parameters and pseudo parameters to strings, the way SAM CLI's local
// intrinsic resolver does for the values samship interprets.
type scope struct {
	values map[string]string // parameter key -> value (override, else default)
}

func newScope(t *Template, overrides map[string]string, region string) scope {
	s := scope{values: map[string]string{}}
	for _, p := range t.Parameters() {
		if v, ok := overrides[p.Key]; ok {
			s.values[p.Key] = v
		} else if p.HasDefault {
			s.values[p.Key] = p.Default
		}
	}
	if region != "" {
		s.values["AWS::Region"] = region
	}
	s.values["AWS::URLSuffix"] = "amazonaws.com"
	return s
}

// str returns n's value as a string when it is a plain scalar or a resolvable !Ref.
func (s scope) str(n *yaml.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	if name, ok := refName(n); ok {
		v, found := s.values[name]
		return v, found
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "" || n.Tag == "!!str" || n.Tag[0] != '!' || n.Tag[:2] == "!!") && !isNull(n) {
		return n.Value, true
	}
	return "", false
}

// refName reports the target of a Ref in either form: !Ref X or {Ref: X}.
func refName(n *yaml.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!Ref" {
		return n.Value, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref" && n.Content[1].Kind == yaml.ScalarNode {
		return n.Content[1].Value, true
	}
	return "", false
}
