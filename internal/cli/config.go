package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// applyConfig sets every flag the command line did not set from samconfig parameters.
// Keys are SAM CLI's parameter names (stack_name, image_repositories, ...); unknown keys are
// ignored as SAM CLI ignores them.
func applyConfig(fl *pflag.FlagSet, params map[string]any, path, section string) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		name := strings.ReplaceAll(key, "_", "-")
		if name == "template" {
			name = "template-file"
		}
		flag := fl.Lookup(name)
		if flag == nil || flag.Changed || name == "config-file" || name == "config-env" || name == "guided" {
			continue
		}
		vals, err := configValues(params[key])
		if m, ok := params[key].(map[string]any); ok && err == nil {
			vals, err = tableValues(key, m, vals)
		}
		if err != nil {
			return fmt.Errorf("%s: [%s.parameters] %s: %w", path, section, key, err)
		}
		if flag.Value.Type() == "bool" {
			if len(vals) != 1 || (vals[0] != "true" && vals[0] != "false") {
				return fmt.Errorf("%s: [%s.parameters] %s: want true or false, found %v", path, section, key, params[key])
			}
			// A false value for a --x/--no-x pair means --no-x.
			if vals[0] == "false" {
				if neg := fl.Lookup("no-" + name); neg != nil && !neg.Changed {
					_ = neg.Value.Set("true")
				}
			}
		}
		for _, v := range vals {
			if err := flag.Value.Set(v); err != nil {
				return fmt.Errorf("%s: [%s.parameters] %s: %w", path, section, key, err)
			}
		}
	}
	return nil
}

// configValues turns one samconfig value into flag values: scalars become one value, arrays
// one per item, a parameter_overrides table one Key="value" per entry.
func configValues(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case bool:
		return []string{fmt.Sprint(x)}, nil
	case int64, int, float64, uint64:
		return []string{fmt.Sprint(x)}, nil
	case []any:
		var out []string
		for _, it := range x {
			s, err := configValues(it)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			vals, err := configValues(x[k])
			if err != nil {
				return nil, err
			}
			out = append(out, k+"="+quote(strings.Join(vals, ",")))
		}
		return out, nil
	case nil:
		return []string{""}, nil
	}
	return nil, fmt.Errorf("unsupported value %v", v)
}

// tableValues reads the tables SAM CLI's --save-params writes for options click made
// dictionaries of: image repositories as Function=URI, metadata as its JSON object; tags and
// parameter overrides as Key="value" (vals, from configValues).
func tableValues(key string, m map[string]any, vals []string) ([]string, error) {
	switch key {
	case "image_repositories":
		out := make([]string, len(vals))
		for i, v := range vals {
			k, _, _ := strings.Cut(v, "=")
			s, ok := m[k].(string)
			if !ok {
				return nil, fmt.Errorf("want Function = \"URI\" entries, found %v", m[k])
			}
			out[i] = k + "=" + s
		}
		return out, nil
	case "metadata":
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		return []string{string(b)}, nil
	}
	return vals, nil
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
