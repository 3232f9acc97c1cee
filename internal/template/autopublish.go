package template

import "go.yaml.in/yaml/v3"

// autoPublishAlias returns the alias the SAM transform gives a function whose own
// AutoPublishAlias property is local and whose Globals one is global: the function's own
// property wins whenever it is written, even as null (aws-sam-translator's
// GlobalProperties._do_merge prefers the local primitive), else Globals'. The value is a string
// or a Ref (to a parameter, with its override or default, or a pseudo parameter); "" when
// neither names one, it is null or empty. intrinsic reports a value the transform would not
// take or samship cannot resolve: another intrinsic (SAM refuses "'AutoPublishAlias' must be
// a string or a Ref to a template parameter"), or a Ref to a parameter without a value.
func (s scope) autoPublishAlias(local, global *yaml.Node) (alias string, intrinsic bool) {
	n := local
	if n == nil {
		n = global
	}
	if n == nil || isNull(n) {
		return "", false
	}
	if _, ok := refName(n); ok {
		v, found := s.str(n)
		return v, !found
	}
	if _, _, ok := intrinsicCall(n); ok || n.Kind != yaml.ScalarNode {
		return "", true
	}
	v, _ := s.str(n)
	return v, false
}
