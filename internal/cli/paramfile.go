package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/srcerr"
	"github.com/samship/samship/internal/userfile"
)

// maxParamFile is the largest parameter file read: CloudFormation takes at most 200
// parameters of at most 4,096 bytes each, far less than this.
const maxParamFile = 1 * userfile.MiB

// readParamFile reads the parameters of a --parameter-overrides file://path: a JSON or YAML
// mapping of names to values (a list value is joined with commas, as samconfig tables are),
// CloudFormation's list of {ParameterKey, ParameterValue}, a TOML table, or KEY=value lines
// (.env).
func readParamFile(path string) ([]deploy.KV, error) {
	data, err := userfile.Read("parameter file", path, maxParamFile)
	if err != nil {
		return nil, err
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
	case ".json":
		return readJSONParams(path, data)
	case ".yaml", ".yml":
		return readYAMLParams(path, data)
	}
	// Any other name is read as YAML (JSON is YAML too), and taken only when it holds
	// parameter names: a file of another kind (/etc/shadow, say) is refused without a word of
	// its content, which YAML would otherwise read as names.
	out, err := readYAMLParams(path, data)
	if err != nil || slices.ContainsFunc(out, func(kv deploy.KV) bool { return !cfnParamName.MatchString(kv.Key) }) {
		return nil, fmt.Errorf("read parameter file %s: not a parameter file: want a JSON or YAML mapping of parameter names to values (or name it .json, .yaml, .toml or .env); its content is not shown", path)
	}
	return out, nil
}

// cfnParamName is what CloudFormation accepts as a parameter's name.
var cfnParamName = regexp.MustCompile(`^[A-Za-z0-9]{1,255}$`)

// readYAMLParams reads a YAML mapping of names to values, or CloudFormation's list of
// {ParameterKey, ParameterValue}.
func readYAMLParams(path string, data []byte) ([]deploy.KV, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, srcerr.YAML(path, data, err)
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

// readJSONParams reads a JSON mapping of names to values, or CloudFormation's list of
// {ParameterKey, ParameterValue}, in file order. JSON is read as JSON, not as YAML: a YAML
// parser refuses characters JSON strings may hold (DEL) and reads others as line breaks.
func readJSONParams(path string, data []byte) ([]deploy.KV, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) error {
		line := 1 + bytes.Count(data[:min(int(dec.InputOffset()), len(data))], []byte("\n"))
		return fmt.Errorf("%s:%d: %w", path, line, err)
	}
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fail(err)
	}
	var out []deploy.KV
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, fail(err)
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, fail(err)
			}
			s, err := jsonParamValue(v)
			if err != nil {
				return nil, fail(err)
			}
			out = append(out, deploy.KV{Key: k.(string), Value: s})
		}
	case json.Delim('['):
		for dec.More() {
			var p struct {
				Key   string `json:"ParameterKey"`
				Value string `json:"ParameterValue"`
			}
			if err := dec.Decode(&p); err != nil || p.Key == "" {
				return nil, fail(errors.New("want ParameterKey and ParameterValue"))
			}
			out = append(out, deploy.KV{Key: p.Key, Value: p.Value})
		}
	default:
		return nil, fail(errors.New("want a mapping of parameter names to values"))
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, fail(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail(errors.New("want one mapping or list, found more after it"))
	}
	return out, nil
}

// jsonParamValue is a JSON value as a parameter value: a plain value, or a list of plain
// values joined with commas.
func jsonParamValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number, bool:
		return fmt.Sprint(x), nil
	case []any:
		parts := make([]string, 0, len(x))
		for _, it := range x {
			s, err := jsonParamValue(it)
			if _, list := it.([]any); err != nil || list {
				return "", errors.New("a list value holds only plain values")
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), nil
	}
	return "", errors.New("a parameter value is a plain value or a list")
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
