package template

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The AWS::LanguageExtensions transform's Fn::ForEach, as far as samship must know it: the
// resources a loop in Resources generates, with the logical ids and properties CloudFormation
// gives them. The template keeps its loops when deployed (CloudFormation expands them);
// samship expands them only to find the functions and files they name.

const (
	foreachPrefix      = "Fn::ForEach::"
	languageExtensions = "AWS::LanguageExtensions"
)

// entry is one resource of a template as CloudFormation sees it after its transforms: a
// resource as written, or one a Fn::ForEach generates.
type entry struct {
	logical string
	key     *yaml.Node // the key as written: the resource's, or the loop body's output key
	res     *yaml.Node // the resource: as written, or an expanded copy of the loop body
	gen     *generated // nil for a resource as written
}

// generated says which loop body a generated resource comes from and with which values.
type generated struct {
	body    *yaml.Node // the resource in the loop body, as written
	bodyKey string     // its output key as written: "${Name}Function"
	loops   []*loop    // the enclosing loops, outermost first
	values  []string   // this resource's value of each loop's identifier
}

// loop is one Fn::ForEach.
type loop struct {
	key   *yaml.Node // "Fn::ForEach::Name"
	name  string
	ident string
}

// bodyProp returns the node of a property in the loop body as written: what a rewrite edits.
func (g *generated) bodyProp(path string) *yaml.Node {
	return lookupPath(lookup(g.body, "Properties"), path)
}

// usesLanguageExtensions reports whether the template names the AWS::LanguageExtensions
// transform.
func (t *Template) usesLanguageExtensions() bool {
	tr := lookup(t.root, "Transform")
	if tr == nil {
		return false
	}
	if tr.Kind == yaml.ScalarNode {
		return tr.Value == languageExtensions
	}
	for _, c := range tr.Content {
		if c.Kind == yaml.ScalarNode && c.Value == languageExtensions {
			return true
		}
	}
	return false
}

// written returns the resources as written, without the Fn::ForEach loops.
func (t *Template) written() []entry {
	var out []entry
	res := lookup(t.root, "Resources")
	for i := 0; i+1 < len(res.Content); i += 2 {
		if k := res.Content[i]; !strings.HasPrefix(k.Value, foreachPrefix) {
			out = append(out, entry{logical: k.Value, key: k, res: res.Content[i+1]})
		}
	}
	return out
}

// entries returns every resource of the template as CloudFormation sees it: the loops of
// Resources expanded with the collections' values (parameters from sc), in the order
// CloudFormation generates them.
func (t *Template) entries(sc scope) ([]entry, error) {
	x := expander{t: t, sc: sc, params: map[string]string{}}
	for _, p := range t.Parameters() {
		x.params[p.Key] = p.Type
	}
	res := lookup(t.root, "Resources")
	for i := 0; i+1 < len(res.Content); i += 2 {
		k, v := res.Content[i], res.Content[i+1]
		if !strings.HasPrefix(k.Value, foreachPrefix) {
			x.out = append(x.out, entry{logical: k.Value, key: k, res: v})
			continue
		}
		if !t.usesLanguageExtensions() {
			return nil, fmt.Errorf("%s:%d: %s needs the AWS::LanguageExtensions transform: add it to Transform, before AWS::Serverless-2016-10-31", t.Path, k.Line, k.Value)
		}
		if err := x.expand(k, v, nil, nil); err != nil {
			return nil, err
		}
	}
	seen := map[string]*yaml.Node{}
	for _, e := range x.out {
		if prev, ok := seen[e.logical]; ok {
			return nil, fmt.Errorf("%s:%d: resource %s is defined twice (also at line %d)", t.Path, e.key.Line, e.logical, prev.Line)
		}
		seen[e.logical] = e.key
	}
	return x.out, nil
}

// expander expands the loops of one template.
type expander struct {
	t      *Template
	sc     scope
	params map[string]string // parameter name -> Type
	out    []entry
}

var (
	alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	leftover     = regexp.MustCompile(`[$&]\{[^}]*\}`)
	nonAlnum     = regexp.MustCompile(`[^A-Za-z0-9]`)
)

// expand generates the resources of the loop k: v inside the loops outer with their values.
func (x *expander) expand(k, v *yaml.Node, outer []*loop, values []string) error {
	where := fmt.Sprintf("%s:%d", x.t.Path, k.Line)
	name := strings.TrimPrefix(k.Value, foreachPrefix)
	if !alphanumeric.MatchString(name) {
		return fmt.Errorf("%s: loop name %q of %s must be alphanumeric", where, name, k.Value)
	}
	if v.Kind != yaml.SequenceNode || len(v.Content) != 3 {
		return fmt.Errorf("%s: %s must be a list of three: [identifier, collection, {output key: resource}], found %s", where, k.Value, shape(v))
	}
	idn, coll, body := v.Content[0], v.Content[1], v.Content[2]
	if idn.Kind != yaml.ScalarNode || idn.Tag != "!!str" || !alphanumeric.MatchString(idn.Value) {
		return fmt.Errorf("%s:%d: the identifier of %s must be an alphanumeric string, found %s", x.t.Path, idn.Line, k.Value, shape(idn))
	}
	if _, ok := x.params[idn.Value]; ok {
		return fmt.Errorf("%s:%d: the identifier %s of %s is also a parameter's name", x.t.Path, idn.Line, idn.Value, k.Value)
	}
	for _, l := range outer {
		if l.ident == idn.Value {
			return fmt.Errorf("%s:%d: the identifier %s of %s is already the identifier of the enclosing %s", x.t.Path, idn.Line, idn.Value, k.Value, l.key.Value)
		}
	}
	if body.Kind != yaml.MappingNode || len(body.Content) == 0 {
		return fmt.Errorf("%s:%d: the third element of %s must be a mapping of output keys to resources, found %s", x.t.Path, body.Line, k.Value, shape(body))
	}
	l := &loop{key: k, name: name, ident: idn.Value}
	loops := append(append([]*loop{}, outer...), l)
	items, err := x.collection(k, substitute(coll, outer, values))
	if err != nil {
		return err
	}
	for _, item := range items {
		vals := append(append([]string{}, values...), item)
		for i := 0; i+1 < len(body.Content); i += 2 {
			bk, bv := body.Content[i], body.Content[i+1]
			if strings.HasPrefix(bk.Value, foreachPrefix) {
				if err := x.expand(bk, bv, loops, vals); err != nil {
					return err
				}
				continue
			}
			logical := substitute(bk, loops, vals).Value
			if m := leftover.FindString(logical); m != "" {
				return fmt.Errorf("%s:%d: output key %s of %s uses %s, which no enclosing Fn::ForEach defines", x.t.Path, bk.Line, bk.Value, k.Value, m)
			}
			if !alphanumeric.MatchString(logical) {
				return fmt.Errorf("%s:%d: output key %s of %s makes the logical id %q, which is not alphanumeric (&{%s} keeps only letters and digits)", x.t.Path, bk.Line, bk.Value, k.Value, logical, l.ident)
			}
			if bv.Kind != yaml.MappingNode {
				return fmt.Errorf("%s:%d: resource %s of %s must be a mapping, found %s", x.t.Path, bv.Line, bk.Value, k.Value, shape(bv))
			}
			if typ := lookup(bv, "Type"); typ == nil || typ.Kind != yaml.ScalarNode || typ.Value == "" {
				return fmt.Errorf("%s:%d: resource %s of %s has no Type", x.t.Path, bv.Line, bk.Value, k.Value)
			}
			x.out = append(x.out, entry{logical: logical, key: bk, res: substitute(bv, loops, vals),
				gen: &generated{body: bv, bodyKey: bk.Value, loops: loops, values: vals}})
		}
	}
	return nil
}

// collection returns the values of a loop's collection: a list, or a Ref to a
// CommaDelimitedList or List<...> parameter (its override, else its default).
func (x *expander) collection(k, c *yaml.Node) ([]string, error) {
	where := fmt.Sprintf("%s:%d", x.t.Path, c.Line)
	if c.Kind == yaml.SequenceNode && c.Tag != "" && c.Tag[0] == '!' && !strings.HasPrefix(c.Tag, "!!") {
		return nil, fmt.Errorf("%s: the collection of %s is %s, which samship cannot resolve before deploying: give a list or a Ref to a CommaDelimitedList parameter", where, k.Value, c.Tag)
	}
	if c.Kind == yaml.SequenceNode {
		var out []string
		for _, it := range c.Content {
			if it.Kind != yaml.ScalarNode || (it.Tag != "" && it.Tag[0] == '!' && !strings.HasPrefix(it.Tag, "!!")) {
				return nil, fmt.Errorf("%s:%d: the collection of %s holds %s; its items must be strings", x.t.Path, it.Line, k.Value, shape(it))
			}
			if !isNull(it) {
				out = append(out, it.Value)
			}
		}
		return out, nil
	}
	name, ok := refName(c)
	if !ok {
		return nil, fmt.Errorf("%s: the collection of %s must be a list or a Ref to a CommaDelimitedList or List parameter, found %s", where, k.Value, shape(c))
	}
	typ, ok := x.params[name]
	if !ok {
		return nil, fmt.Errorf("%s: the collection of %s refers to %s, which is not a parameter of the template", where, k.Value, name)
	}
	if typ != "CommaDelimitedList" && !strings.HasPrefix(typ, "List<") {
		return nil, fmt.Errorf("%s: the collection of %s refers to parameter %s of type %s; it must be a CommaDelimitedList or List parameter", where, k.Value, name, typ)
	}
	v, ok := x.sc.values[name]
	if !ok {
		return nil, fmt.Errorf("%s: the collection of %s is parameter %s, which has no default: give it with --parameter-overrides", where, k.Value, name)
	}
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out, nil
}

// shape describes a node for errors.
func shape(n *yaml.Node) string {
	if n.Tag != "" && n.Tag[0] == '!' && !strings.HasPrefix(n.Tag, "!!") {
		return n.Tag
	}
	if name, ok := refName(n); ok {
		return "a Ref to " + name
	}
	if fn, _, ok := intrinsicCall(n); ok {
		return fn
	}
	return kindName(n)
}

// substitute returns a copy of n with each loop's identifier replaced by its value, as
// Fn::ForEach does: ${Identifier} as it is and &{Identifier} with only its letters and digits,
// in keys and strings (Fn::Sub's among them), and a Ref to the identifier by the value.
func substitute(n *yaml.Node, loops []*loop, values []string) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return substitute(n.Alias, loops, values)
	}
	c := *n
	if name, ok := refName(n); ok {
		for i, l := range loops {
			if l.ident == name {
				return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: values[i], Line: n.Line, Column: n.Column}
			}
		}
	}
	if n.Kind == yaml.ScalarNode {
		for i, l := range loops {
			c.Value = strings.ReplaceAll(c.Value, "${"+l.ident+"}", values[i])
			c.Value = strings.ReplaceAll(c.Value, "&{"+l.ident+"}", nonAlnum.ReplaceAllString(values[i], ""))
		}
		return &c
	}
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = substitute(ch, loops, values)
	}
	return &c
}
