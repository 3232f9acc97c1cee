package template

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// LocalArtifact is a property that names a local file or folder SAM CLI would package
// (upload to S3 and replace by its URL) before deploying.
type LocalArtifact struct {
	Resource string
	Property string
	Path     string
	// Where is "file:line" of the property.
	Where string
	// Type is the resource type.
	Type string

	node *yaml.Node
	tpl  *Template
}

// Edit points the property at the uploaded object, in the form SAM CLI writes for it.
func (a LocalArtifact) Edit(bucket, key string) Edit {
	var text string
	if obj, ok := s3Objects[a.Type+"."+a.Property]; ok {
		text = obj.text(bucket, key, "")
	} else {
		q, _ := json.Marshal("s3://" + bucket + "/" + key)
		text = string(q)
	}
	return Edit{tpl: a.tpl, node: a.node, text: text, what: a.Property + " of " + a.Resource}
}

// Template returns the template the artifact is named in.
func (a LocalArtifact) Template() *Template { return a.tpl }

// packageable lists, per resource type, the properties SAM CLI packages when they hold a
// local path. Dotted names are nested properties.
var packageable = map[string][]string{
	ServerlessFunction:                          {"CodeUri"},
	"AWS::Serverless::Api":                      {"DefinitionUri"},
	"AWS::Serverless::HttpApi":                  {"DefinitionUri"},
	"AWS::Serverless::StateMachine":             {"DefinitionUri"},
	"AWS::Serverless::LayerVersion":             {"ContentUri"},
	LambdaFunction:                              {"Code"},
	"AWS::Lambda::LayerVersion":                 {"Content"},
	"AWS::ApiGateway::RestApi":                  {"BodyS3Location"},
	"AWS::ApiGatewayV2::Api":                    {"BodyS3Location"},
	"AWS::StepFunctions::StateMachine":          {"DefinitionS3Location"},
	"AWS::AppSync::GraphQLSchema":               {"DefinitionS3Location"},
	"AWS::AppSync::Resolver":                    {"RequestMappingTemplateS3Location", "ResponseMappingTemplateS3Location"},
	"AWS::AppSync::FunctionConfiguration":       {"RequestMappingTemplateS3Location", "ResponseMappingTemplateS3Location"},
	"AWS::ElasticBeanstalk::ApplicationVersion": {"SourceBundle"},
	"AWS::Glue::Job":                            {"Command.ScriptLocation"},
}

// LocalArtifacts returns the properties of the template (not of nested stacks) that name
// local files. Image functions' code properties are skipped: their image is ImageUri.
func (t *Template) LocalArtifacts() []LocalArtifact {
	var out []LocalArtifact
	globals := lookup(lookup(t.root, "Globals"), "Function")
	res := lookup(t.root, "Resources")
	for i := 0; i+1 < len(res.Content); i += 2 {
		logical, r := res.Content[i].Value, res.Content[i+1]
		typ := lookup(r, "Type").Value
		props := lookup(r, "Properties")
		asset, replaced, _ := assetOf(t.Path, logical, r)
		if typ == ServerlessFunction || typ == LambdaFunction {
			pt := lookup(props, "PackageType")
			if pt == nil && typ == ServerlessFunction {
				pt = lookup(globals, "PackageType")
			}
			if pt != nil && pt.Value == "Image" {
				continue
			}
		}
		for _, prop := range packageable[typ] {
			v := lookupPath(props, prop)
			if replaced && asset.replaces(prop) && asset.node != nil {
				// CDK asset metadata: SAM CLI's normalizer makes the asset's path the property.
				out = append(out, LocalArtifact{Resource: logical, Property: prop, Path: asset.path, Where: fmt.Sprintf("%s:%d", t.Path, asset.node.Line),
					Type: typ, node: asset.node, tpl: t})
				continue
			}
			if v == nil && typ == ServerlessFunction && prop == "CodeUri" {
				v = lookup(globals, "CodeUri")
			}
			if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!Ref" || v.Tag == "!Sub" || v.Tag == "!GetAtt" {
				continue
			}
			if _, local := localPath(v.Value); !local {
				continue
			}
			out = append(out, LocalArtifact{Resource: logical, Property: prop, Path: v.Value, Where: fmt.Sprintf("%s:%d", t.Path, v.Line),
				Type: typ, node: v, tpl: t})
		}
	}
	return out
}

func lookupPath(m *yaml.Node, path string) *yaml.Node {
	for _, part := range splitDots(path) {
		m = lookup(m, part)
	}
	return m
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
