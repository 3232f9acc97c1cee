package srcerr

import (
	"errors"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestYAML(t *testing.T) {
	var v any
	err := yaml.Unmarshal([]byte("a: [\n"), &v)
	if got := YAML("f.yaml", err).Error(); got != "f.yaml:1: did not find expected node content" {
		t.Errorf("YAML() = %q", got)
	}
	if got := YAML("f.yaml", errors.New("yaml: something\nmore")).Error(); got != "f.yaml:1: something" {
		t.Errorf("YAML(no line) = %q", got)
	}
}
