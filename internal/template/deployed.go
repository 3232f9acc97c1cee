package template

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/imageref"
)

// S3Object is an object a deployed template names.
type S3Object struct{ Bucket, Key string }

// S3Artifacts returns the S3 objects a packaged template names, in template order: packaged
// code and definitions (s3://bucket/key, or {S3Bucket, S3Key} / {Bucket, Key}) and nested
// templates (https URLs of S3 objects, or path-style URLs on endpoint, the S3 endpoint
// the tools were pointed at, when not ""). What `sam delete` removes from the bucket.
func (t *Template) S3Artifacts(endpoint string) []S3Object {
	var out []S3Object
	for _, e := range t.asDeployed() {
		r := e.res
		typ, props := lookup(r, "Type").Value, lookup(r, "Properties")
		props2 := append([]string{}, packageable[typ]...)
		switch typ {
		case "AWS::CloudFormation::Stack":
			props2 = append(props2, "TemplateURL")
		case "AWS::Serverless::Application":
			props2 = append(props2, "Location")
		}
		for _, prop := range props2 {
			if o, ok := s3Object(lookupPath(props, prop), endpoint); ok {
				out = append(out, o)
			}
		}
	}
	for _, n := range t.samMappingValues(func(leaf string) bool { return leaf != "ImageUri" }) {
		if o, ok := s3Object(n, endpoint); ok {
			out = append(out, o)
		}
	}
	return out
}

func s3Object(n *yaml.Node, endpoint string) (S3Object, bool) {
	switch {
	case n == nil:
		return S3Object{}, false
	case n.Kind == yaml.MappingNode:
		for _, names := range [][2]string{{"S3Bucket", "S3Key"}, {"Bucket", "Key"}} {
			b, k := lookup(n, names[0]), lookup(n, names[1])
			if b != nil && k != nil && b.Kind == yaml.ScalarNode && k.Kind == yaml.ScalarNode && b.Tag == "!!str" && k.Tag == "!!str" {
				return S3Object{Bucket: b.Value, Key: k.Value}, true
			}
		}
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		if rest, ok := strings.CutPrefix(n.Value, "s3://"); ok {
			b, k, ok := strings.Cut(rest, "/")
			return S3Object{Bucket: b, Key: k}, ok && b != "" && k != ""
		}
		return s3URL(n.Value, endpoint)
	}
	return S3Object{}, false
}

// s3URL reads an S3 object's https URL: path style (s3[.-]region.amazonaws.com/bucket/key)
// or virtual-hosted style (bucket.s3[.-]region.amazonaws.com/key); or a path-style URL on
// endpoint (SAM CLI names a nested template on its S3 client's endpoint, a local one too).
func s3URL(s, endpoint string) (S3Object, bool) {
	u, err := url.Parse(s)
	if err != nil {
		return S3Object{}, false
	}
	path := strings.TrimPrefix(u.Path, "/")
	if e, err := url.Parse(endpoint); endpoint != "" && err == nil && u.Scheme == e.Scheme && u.Host == e.Host {
		b, k, ok := strings.Cut(strings.TrimPrefix(path, strings.Trim(e.Path, "/")+"/"), "/")
		return S3Object{Bucket: b, Key: k}, ok && b != "" && k != ""
	}
	if u.Scheme != "https" || !strings.Contains(u.Host, ".amazonaws.com") {
		return S3Object{}, false
	}
	if strings.HasPrefix(u.Host, "s3.") || strings.HasPrefix(u.Host, "s3-") {
		b, k, ok := strings.Cut(path, "/")
		return S3Object{Bucket: b, Key: k}, ok && b != "" && k != ""
	}
	if b, _, ok := strings.Cut(u.Host, ".s3"); ok && path != "" {
		return S3Object{Bucket: b, Key: path}, true
	}
	return S3Object{}, false
}

// ImageURIs returns the ECR image references (with a tag) of the template's image functions,
// in template order: the images `sam delete` removes by tag.
func (t *Template) ImageURIs() []string {
	var out []string
	for _, e := range t.asDeployed() {
		r := e.res
		props := lookup(r, "Properties")
		var v *yaml.Node
		switch lookup(r, "Type").Value {
		case ServerlessFunction:
			v = lookup(props, "ImageUri")
		case LambdaFunction:
			v = lookupPath(props, "Code.ImageUri")
		}
		if v != nil && v.Kind == yaml.ScalarNode && v.Tag == "!!str" && imageref.IsSAMECR(v.Value) &&
			strings.Contains(v.Value[strings.LastIndexByte(v.Value, '/'):], ":") {
			out = append(out, v.Value)
		}
	}
	for _, v := range t.samMappingValues(func(leaf string) bool { return leaf == "ImageUri" }) {
		if v.Kind == yaml.ScalarNode && v.Tag == "!!str" && imageref.IsSAMECR(v.Value) &&
			strings.Contains(v.Value[strings.LastIndexByte(v.Value, '/'):], ":") {
			out = append(out, v.Value)
		}
	}
	return out
}

// ECRRepositories returns the logical ids of the template's own ECR repositories that go
// with the stack (no DeletionPolicy Retain or RetainExceptOnCreate).
func (t *Template) ECRRepositories() []string {
	var out []string
	for _, e := range t.written() {
		r := e.res
		if lookup(r, "Type").Value != "AWS::ECR::Repository" {
			continue
		}
		if dp := lookup(r, "DeletionPolicy"); dp != nil && strings.HasPrefix(dp.Value, "Retain") {
			continue
		}
		out = append(out, e.logical)
	}
	return out
}

// NestedStacks returns the logical ids of the template's nested stacks
// (AWS::CloudFormation::Stack, and AWS::Serverless::Application, which the SAM transform makes
// one under the same id), in template order.
func (t *Template) NestedStacks() []string {
	var out []string
	for _, e := range t.written() {
		switch lookup(e.res, "Type").Value {
		case "AWS::CloudFormation::Stack", "AWS::Serverless::Application":
			out = append(out, e.logical)
		}
	}
	return out
}

// asDeployed returns the resources of a deployed template for what they name: those written,
// then the bodies of its Fn::ForEach loops as written (their per-resource values, which SAM
// CLI writes into SAM... mappings, are read by samMappingValues).
func (t *Template) asDeployed() []entry {
	out := t.written()
	var walk func(body *yaml.Node)
	walk = func(body *yaml.Node) {
		for i := 0; i+1 < len(body.Content); i += 2 {
			k, v := body.Content[i], body.Content[i+1]
			switch {
			case strings.HasPrefix(k.Value, foreachPrefix):
				if v.Kind == yaml.SequenceNode && len(v.Content) == 3 {
					walk(v.Content[2])
				}
			case v.Kind == yaml.MappingNode && lookup(v, "Type") != nil:
				out = append(out, entry{logical: k.Value, key: k, res: v})
			}
		}
	}
	res := lookup(t.root, "Resources")
	for i := 0; i+1 < len(res.Content); i += 2 {
		if v := res.Content[i+1]; strings.HasPrefix(res.Content[i].Value, foreachPrefix) && v.Kind == yaml.SequenceNode && len(v.Content) == 3 {
			walk(v.Content[2])
		}
	}
	return out
}

// samMappingValues returns the string values named leaf in the mappings SAM CLI writes for
// Fn::ForEach loops (SAM<leaf>...), in template order.
func (t *Template) samMappingValues(leaf func(string) bool) []*yaml.Node {
	var out []*yaml.Node
	m := lookup(t.root, "Mappings")
	for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
		if !strings.HasPrefix(m.Content[i].Value, "SAM") {
			continue
		}
		top := m.Content[i+1]
		for j := 1; j < len(top.Content); j += 2 {
			second := top.Content[j]
			for k := 0; k+1 < len(second.Content); k += 2 {
				if leaf(second.Content[k].Value) {
					out = append(out, second.Content[k+1])
				}
			}
		}
	}
	return out
}
