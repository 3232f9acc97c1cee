package template

import "go.yaml.in/yaml/v3"

// Unauthenticated returns the endpoints SAM CLI's guided deploy asks about, in template order
// across the tree: each function with an Api or HttpApi event that no authorizer protects
// (its own Auth.Authorizer, its API's DefaultAuthorizer, or the Globals one), named by the
// function's full path, and each function URL with AuthType NONE, named "<path> Function Url".
func (tr *Tree) Unauthenticated() []string {
	var out []string
	for _, s := range tr.Stacks {
		out = append(out, s.unauthenticated()...)
	}
	return out
}

func (s *Stack) unauthenticated() []string {
	t := s.Template
	res := lookup(t.root, "Resources")
	globals := lookup(t.root, "Globals")
	defaultAuth := func(eventType string, api *yaml.Node) bool {
		if a := lookup(lookup(lookup(globals, eventType), "Auth"), "DefaultAuthorizer"); a != nil {
			return true
		}
		if name, ok := refName(api); ok {
			if r := lookup(res, name); r != nil {
				return lookup(lookup(lookup(r, "Properties"), "Auth"), "DefaultAuthorizer") != nil
			}
		}
		return false
	}
	var out []string
	for _, f := range s.Functions {
		if f.Type != ServerlessFunction {
			continue
		}
		r := f.res
		props := lookup(r, "Properties")
		events := lookup(props, "Events")
		open := false
		for i := 0; events != nil && i+1 < len(events.Content); i += 2 {
			ev := events.Content[i+1]
			typ := lookup(ev, "Type")
			if typ == nil || (typ.Value != "Api" && typ.Value != "HttpApi") {
				continue
			}
			ep := lookup(ev, "Properties")
			apiKey := "RestApiId"
			if typ.Value == "HttpApi" {
				apiKey = "ApiId"
			}
			authorizer := lookup(lookup(ep, "Auth"), "Authorizer")
			switch {
			case authorizer != nil && authorizer.Value == "NONE":
				open = true
			case authorizer != nil:
			case !defaultAuth(typ.Value, lookup(ep, apiKey)):
				open = true
			}
		}
		if open {
			out = append(out, f.FullPath)
		}
		url := lookup(props, "FunctionUrlConfig")
		if url == nil {
			url = lookup(lookup(globals, "Function"), "FunctionUrlConfig")
		}
		if at := lookup(url, "AuthType"); at != nil && at.Value == "NONE" {
			out = append(out, f.FullPath+" Function Url")
		}
	}
	return out
}
