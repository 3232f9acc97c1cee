package template

import (
	"encoding/json"
	"reflect"
)

// SameInfrastructure reports whether two templates (YAML or JSON) describe the same stack
// but for what `samship sync --code` sets itself: the image each image function runs
// (ImageUri of an AWS::Serverless::Function, Code.ImageUri of an AWS::Lambda::Function).
// The SamResourceId that packaging adds to each resource's Metadata does not count either;
// everything else does, formatting aside: a zip function's CodeUri, a nested stack's
// location, the rest of Metadata. A sync without --code deploys only when they differ, as sam sync
// compares its template with the deployed one.
func SameInfrastructure(local, deployed []byte) (bool, error) {
	a, err := infrastructure("template", local)
	if err != nil {
		return false, err
	}
	b, err := infrastructure("deployed template", deployed)
	if err != nil {
		return false, err
	}
	return reflect.DeepEqual(a, b), nil
}

// infrastructure is a template as JSON values (short-form intrinsics in their long form),
// without the functions' images.
func infrastructure(name string, data []byte) (any, error) {
	js, err := ToJSON(name, data)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(js, &doc); err != nil {
		return nil, err
	}
	top, _ := doc.(map[string]any)
	resources, _ := top["Resources"].(map[string]any)
	for _, r := range resources {
		res, _ := r.(map[string]any)
		if meta, ok := res["Metadata"].(map[string]any); ok {
			delete(meta, "SamResourceId")
			if len(meta) == 0 {
				delete(res, "Metadata")
			}
		}
		props, _ := res["Properties"].(map[string]any)
		if props == nil {
			continue
		}
		switch res["Type"] {
		case "AWS::Serverless::Function":
			delete(props, "ImageUri")
		case "AWS::Lambda::Function":
			if code, ok := props["Code"].(map[string]any); ok {
				delete(code, "ImageUri")
			}
		}
	}
	return doc, nil
}
