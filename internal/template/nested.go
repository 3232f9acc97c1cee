package template

import (
	"encoding/json"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// NestedLocation returns where the template's nested stack logical is read from: the
// TemplateURL of an AWS::CloudFormation::Stack, or the Location of an
// AWS::Serverless::Application, when it is a plain string.
func (t *Template) NestedLocation(logical string) (string, bool) {
	r := lookup(lookup(t.root, "Resources"), logical)
	typ := lookup(r, "Type")
	if typ == nil {
		return "", false
	}
	key := "TemplateURL"
	switch typ.Value {
	case "AWS::CloudFormation::Stack":
	case "AWS::Serverless::Application":
		key = "Location"
	default:
		return "", false
	}
	v := lookup(lookup(r, "Properties"), key)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		return "", false
	}
	return v.Value, true
}

// ObjectAt reads the S3 object a template URL names: s3://bucket/key, an https URL of S3
// in path or virtual-hosted style, or a path-style URL on endpoint (when not "").
func ObjectAt(url, endpoint string) (S3Object, bool) {
	return s3Object(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: url}, endpoint)
}

// SameContent reports whether two templates say the same thing, whatever their form: YAML or
// JSON, short or long intrinsics, key order, quoting and layout aside. Either failing to
// parse is not the same.
func SameContent(a, b []byte) bool {
	va, ok := content(a)
	if !ok {
		return false
	}
	vb, ok := content(b)
	return ok && reflect.DeepEqual(va, vb)
}

func content(body []byte) (any, bool) {
	j, err := ToJSON("template", body)
	if err != nil {
		return nil, false
	}
	var v any
	if err := json.Unmarshal(j, &v); err != nil {
		return nil, false
	}
	return v, true
}
