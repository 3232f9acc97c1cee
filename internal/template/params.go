package template

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/imageref"
)

// Parameter is one entry of a template's Parameters section.
type Parameter struct {
	Key        string
	Type       string
	Default    string
	HasDefault bool
	NoEcho     bool
}

// Parameters returns the template's parameters in template order, CDK asset parameters with
// the default SAM CLI gives them (see cdkParameterDefaults).
func (t *Template) Parameters() []Parameter {
	var out []Parameter
	ps := lookup(t.root, "Parameters")
	if ps == nil || ps.Kind != yaml.MappingNode {
		return nil
	}
	cdk := t.cdkParameterDefaults()
	for i := 0; i+1 < len(ps.Content); i += 2 {
		p := Parameter{Key: ps.Content[i].Value}
		v := ps.Content[i+1]
		if ty := lookup(v, "Type"); ty != nil && ty.Kind == yaml.ScalarNode {
			p.Type = ty.Value
		}
		if d := lookup(v, "Default"); d != nil && d.Kind == yaml.ScalarNode {
			p.Default, p.HasDefault = d.Value, true
		} else if d != nil && d.Kind == yaml.SequenceNode {
			p.Default, p.HasDefault = joinScalars(d), true
		}
		if cdk[p.Key] != nil {
			p.Default, p.HasDefault = cdkAssetDefault, true
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

// scope resolves Ref, Fn::Sub and Fn::Join of parameters and pseudo parameters to strings, the
// way SAM CLI's local intrinsic resolver does for the values samship interprets: pseudo
// parameters take SAM CLI's defaults (account 123456789012, stack "local"), so that an
// ImageUri written as "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/..." reads as
// the ECR URI it is.
type scope struct {
	values   map[string]string // parameter key -> value (override, else default)
	mappings *yaml.Node        // the template's Mappings, for Fn::FindInMap
}

func newScope(t *Template, overrides map[string]string, region string) scope {
	if region == "" {
		region = "us-east-1"
	}
	s := scope{mappings: lookup(t.root, "Mappings"), values: map[string]string{
		"AWS::AccountId": "123456789012",
		"AWS::Region":    region,
		"AWS::Partition": imageref.Partition(region),
		"AWS::URLSuffix": imageref.URLSuffix(region),
		"AWS::StackName": "local",
		"AWS::StackId":   "arn:aws:cloudformation:" + region + ":123456789012:stack/local/51af3dc0-da77-11e4-872e-1234567db123",
	}}
	for _, p := range t.Parameters() {
		if v, ok := overrides[p.Key]; ok {
			s.values[p.Key] = v
		} else if p.HasDefault {
			s.values[p.Key] = p.Default
		}
	}
	return s
}

// str returns n's value as a string when it is a plain scalar or an intrinsic that resolves.
func (s scope) str(n *yaml.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	if name, ok := refName(n); ok {
		v, found := s.values[name]
		return v, found
	}
	if fn, arg, ok := intrinsicCall(n); ok {
		switch fn {
		case "Fn::Sub":
			return s.sub(arg)
		case "Fn::Join":
			return s.join(arg)
		case "Fn::FindInMap":
			return s.findInMap(arg)
		}
		return "", false
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "" || n.Tag == "!!str" || n.Tag[0] != '!' || n.Tag[:2] == "!!") && !isNull(n) {
		return n.Value, true
	}
	return "", false
}

// intrinsicCall reports the function and argument of an intrinsic in either form: !Sub x or
// {Fn::Sub: x}.
func intrinsicCall(n *yaml.Node) (string, *yaml.Node, bool) {
	if fn, ok := intrinsic(n.Tag); ok {
		arg := *n
		arg.Tag = ""
		if n.Kind == yaml.ScalarNode {
			arg.Tag = "!!str"
		}
		return fn, &arg, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && strings.HasPrefix(n.Content[0].Value, "Fn::") {
		return n.Content[0].Value, n.Content[1], true
	}
	return "", nil, false
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// sub resolves Fn::Sub's string form and its [string, {variables}] form.
func (s scope) sub(arg *yaml.Node) (string, bool) {
	text, vars := arg, (*yaml.Node)(nil)
	if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
		text, vars = arg.Content[0], arg.Content[1]
	}
	if text.Kind != yaml.ScalarNode {
		return "", false
	}
	ok := true
	out := subVar.ReplaceAllStringFunc(text.Value, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}" // ${!Literal}
		}
		if v := lookup(vars, name); v != nil {
			r, found := s.str(v)
			ok = ok && found
			return r
		}
		v, found := s.values[name]
		ok = ok && found
		return v
	})
	return out, ok
}

// join resolves Fn::Join [delimiter, [values]].
func (s scope) join(arg *yaml.Node) (string, bool) {
	if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 || arg.Content[1].Kind != yaml.SequenceNode {
		return "", false
	}
	var parts []string
	for _, c := range arg.Content[1].Content {
		v, ok := s.str(c)
		if !ok {
			return "", false
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, arg.Content[0].Value), true
}

// findInMap resolves Fn::FindInMap [map, key, second key] in the template's Mappings (how
// SAM CLI writes the per-function artifacts of Fn::ForEach loops).
func (s scope) findInMap(arg *yaml.Node) (string, bool) {
	if arg.Kind != yaml.SequenceNode || len(arg.Content) < 3 {
		return "", false
	}
	v := s.mappings
	for _, k := range arg.Content[:3] {
		key, ok := s.str(k)
		if !ok {
			return "", false
		}
		v = lookup(v, key)
	}
	if v == nil || v.Kind != yaml.ScalarNode {
		return "", false
	}
	return s.str(v)
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
