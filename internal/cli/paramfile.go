package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/srcerr"
)

// readParamFile reads the parameters of a --parameter-overrides file://path: a JSON or YAML
// mapping of names to values (a list value is joined with commas, as samconfig tables are),
// CloudFormation's list of {ParameterKey, ParameterValue}, a TOML table, or KEY=value lines
// (.env).
func readParamFile(path string) ([]deploy.KV, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if pe, ok := err.(*os.PathError); ok {
			err = pe.Err
		}
		return nil, fmt.Errorf("read parameter file %s: %w", path, err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		var m map[string]any
		if err := toml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("read parameter file %s: %w", path, err)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []deploy.KV
		for _, k := range keys {
			vals, err := configValues(m[k])
			if err != nil {
				return nil, fmt.Errorf("read parameter file %s: %s: %w", path, k, err)
			}
			out = append(out, deploy.KV{Key: k, Value: strings.Join(vals, ",")})
		}
		return out, nil
	case ".env":
		return readEnvFile(path, data)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, srcerr.YAML(path, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	var out []deploy.KV
	switch root.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			v, err := paramValue(path, root.Content[i+1])
			if err != nil {
				return nil, err
			}
			out = append(out, deploy.KV{Key: root.Content[i].Value, Value: v})
		}
	case yaml.SequenceNode: // [{ParameterKey: K, ParameterValue: V}, ...]
		for _, it := range root.Content {
			var p struct {
				Key   string `yaml:"ParameterKey"`
				Value string `yaml:"ParameterValue"`
			}
			if err := it.Decode(&p); err != nil || p.Key == "" {
				return nil, fmt.Errorf("%s:%d: want ParameterKey and ParameterValue", path, it.Line)
			}
			out = append(out, deploy.KV{Key: p.Key, Value: p.Value})
		}
	default:
		return nil, fmt.Errorf("%s:%d: want a mapping of parameter names to values", path, root.Line)
	}
	return out, nil
}

func paramValue(path string, n *yaml.Node) (string, error) {
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		return "", nil
	case n.Kind == yaml.ScalarNode:
		return n.Value, nil
	case n.Kind == yaml.SequenceNode:
		var parts []string
		for _, it := range n.Content {
			if it.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("%s:%d: a list value holds only plain values", path, it.Line)
			}
			parts = append(parts, it.Value)
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("%s:%d: a parameter value is a plain value or a list", path, n.Line)
}

// readEnvFile reads KEY=value lines; # starts a comment line, and a value may be quoted.
func readEnvFile(path string, data []byte) ([]deploy.KV, error) {
	var out []deploy.KV
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s:%d: want KEY=value", path, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out = append(out, deploy.KV{Key: strings.TrimSpace(k), Value: v})
	}
	return out, sc.Err()
}
