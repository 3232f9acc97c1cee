// Package template loads CloudFormation and SAM templates (YAML with short-form intrinsics, or
// JSON) as node trees, resolves the little of them samship must interpret (parameters,
// Globals, PackageType, ImageUri), and discovers image functions across nested stacks the way
// SAM CLI does. Everything it does not interpret is kept as written.
package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/srcerr"
)

// Template is one parsed template file.
type Template struct {
	// Path is the file the template was read from.
	Path string
	// Raw holds the file's bytes as read.
	Raw []byte
	// JSON reports whether the file is JSON rather than YAML.
	JSON  bool
	root  *yaml.Node // the top-level mapping
	scope *scope     // the parameter values Discover resolved the template with
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read template %s: not a regular file", path)
	} else if err == nil && fi.Size() > MaxSize {
		return nil, fmt.Errorf("read template %s: it is %d bytes, more than the %d bytes CloudFormation accepts for a template", path, fi.Size(), MaxSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("read template %s: %w", path, err)
	}
	return Parse(path, data)
}

// MaxSize is the largest template CloudFormation accepts (from S3): larger ones are refused
// before they are read, so that a huge file cannot take the memory of parsing it.
const MaxSize = 1 << 20

// MaxResources is CloudFormation's limit of resources in one stack's template.
const MaxResources = 500

// Parse parses data as a template; name is used in error messages, which have the form
// "name:line: what is wrong".
func Parse(name string, data []byte) (*Template, error) {
	t := &Template{Path: name, Raw: data}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s:1: template is empty", name)
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		t.JSON = true
		// A UTF-8 byte order mark is no JSON (SAM CLI reads such a file as YAML, which allows
		// it): it is dropped, and what samship writes of the template starts without it.
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		t.Raw = data
		if err := checkJSON(name, data); err != nil {
			return nil, err
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, srcerr.YAML(name, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s:1: template is empty", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: template must be a mapping of sections, found %s", name, root.Line, kindName(root))
	}
	t.root = root
	if err := checkDuplicates(name, root); err != nil {
		return nil, err
	}
	if err := checkAliases(name, root); err != nil {
		return nil, err
	}
	res := lookup(root, "Resources")
	if res == nil {
		return nil, fmt.Errorf("%s:%d: template has no Resources section", name, root.Line)
	}
	if res.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: Resources must be a mapping, found %s", name, res.Line, kindName(res))
	}
	for i := 0; i+1 < len(res.Content); i += 2 {
		k, v := res.Content[i], res.Content[i+1]
		if strings.HasPrefix(k.Value, foreachPrefix) {
			continue // a loop: checked when expanded (entries)
		}
		if v.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: resource %s must be a mapping, found %s", name, v.Line, k.Value, kindName(v))
		}
		typ := lookup(v, "Type")
		if typ == nil || typ.Kind != yaml.ScalarNode || typ.Value == "" {
			return nil, fmt.Errorf("%s:%d: resource %s has no Type", name, v.Line, k.Value)
		}
		if p := lookup(v, "Properties"); p != nil && p.Kind != yaml.MappingNode && !isNull(p) {
			return nil, fmt.Errorf("%s:%d: Properties of resource %s must be a mapping, found %s", name, p.Line, k.Value, kindName(p))
		}
	}
	for _, sec := range []string{"Parameters", "Globals", "Outputs", "Conditions"} {
		if n := lookup(root, sec); n != nil && n.Kind != yaml.MappingNode && !isNull(n) {
			return nil, fmt.Errorf("%s:%d: %s must be a mapping, found %s", name, n.Line, sec, kindName(n))
		}
	}
	return t, nil
}

// checkJSON validates JSON so that syntax errors name the line the JSON parser stopped at.
func checkJSON(name string, data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		if _, ok := v.(map[string]any); !ok {
			return fmt.Errorf("%s:1: template must be a JSON object", name)
		}
		return nil
	}
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	return fmt.Errorf("%s:%d: %s", name, line, strings.TrimPrefix(err.Error(), "json: "))
}

// checkDuplicates rejects a mapping that defines a key twice, as CloudFormation does.
func checkDuplicates(name string, n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if line, ok := seen[k.Value]; ok {
				return fmt.Errorf("%s:%d: mapping key %q already defined at line %d", name, k.Line, k.Value, line)
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := checkDuplicates(name, c); err != nil {
			return err
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	if isNull(n) {
		return "nothing"
	}
	return "the value " + strconv.Quote(n.Value)
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || (n.Value == "" && n.Style == 0 && n.Tag != "!!str"))
}

// lookup returns the value of key in mapping m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Dir is the directory relative paths in the template are resolved against.
func (t *Template) Dir() string { return filepath.Dir(t.Path) }

// Size is the template's size in bytes as it would be sent to CloudFormation.
func (t *Template) Size() int { return len(t.Raw) }
