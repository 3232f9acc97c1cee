package srcerr

import (
	"errors"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestYAML(t *testing.T) {
	tests := map[string]struct{ doc, want string }{
		"unclosed flow":       {"a: [\n", "f.yaml:1: did not find expected node content"},
		"key indented less":   {"Resources:\n  Fn:\n    Type: T\n   Properties:\n      X: 1\n", "f.yaml:4: did not find expected key"},
		"key indented more":   {"Resources:\n  Fn:\n    Type: T\n    Properties:\n      X: 1\n     Y: 2\n", "f.yaml:6: did not find expected key"},
		"after a valid flow":  {"A: {x: 1,\n    y: 2}\nB:\n  c: 1\n d: 2\n", "f.yaml:5: did not find expected key"},
		"unterminated quote":  {"a:\n  b: \"open\n  c: 1\n", "f.yaml:2: found unexpected end of stream"},
		"tab for indentation": {"a:\n\tb: 1\n", "f.yaml:2: found character that cannot start any token"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var v yaml.Node
			err := yaml.Unmarshal([]byte(tc.doc), &v)
			if err == nil {
				t.Fatal("the document parses")
			}
			if got := YAML("f.yaml", []byte(tc.doc), err).Error(); got != tc.want {
				t.Errorf("YAML() = %q, want %q (yaml.v3 said %q)", got, tc.want, err)
			}
		})
	}
	if got := YAML("f.yaml", nil, errors.New("yaml: something\nmore")).Error(); got != "f.yaml:1: something" {
		t.Errorf("YAML(no line) = %q", got)
	}
}
