package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/samship/samship/internal/deploy"
)

// splitWords splits s into shell-like words: spaces separate, single and double quotes group,
// and a backslash escapes the next character inside double quotes or outside quotes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote == '\'' && c == '\'':
			quote = 0
		case quote == '\'':
			cur.WriteRune(c)
		case c == '\\' && i+1 < len(rs) && quote != '\'':
			i++
			cur.WriteRune(rs[i])
			inWord = true
		case quote == '"' && c == '"':
			quote = 0
		case quote == '"':
			cur.WriteRune(c)
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

const overridesHelp = "It must look something like 'ParameterKey=KeyPairName,ParameterValue=MyKey ParameterKey=InstanceType,ParameterValue=t1.micro' or 'KeyPairName=MyKey InstanceType=t1.micro', or 'file://MyParams.yaml'"

// parseOverrides reads --parameter-overrides values in SAM CLI's forms: "K=V K2='v w'",
// "ParameterKey=K,ParameterValue=V" and file://params.yaml (see readParamFile). A later value
// for a key replaces an earlier one.
func parseOverrides(values []string) ([]deploy.KV, error) {
	var out []deploy.KV
	idx := map[string]int{}
	set := func(k, val string) {
		if j, ok := idx[k]; ok {
			out[j].Value = val
			return
		}
		idx[k] = len(out)
		out = append(out, deploy.KV{Key: k, Value: val})
	}
	for _, v := range values {
		words, err := splitWords(v)
		if err != nil {
			return nil, fmt.Errorf("invalid --parameter-overrides %q: %w. %s", v, err, overridesHelp)
		}
		for _, w := range words {
			var k, val string
			if path, ok := strings.CutPrefix(w, "file://"); ok {
				kvs, err := readParamFile(path)
				if err != nil {
					return nil, fmt.Errorf("invalid --parameter-overrides %q: %w", w, err)
				}
				for _, kv := range kvs {
					set(kv.Key, kv.Value)
				}
				continue
			}
			if strings.HasPrefix(w, "ParameterKey=") {
				rest := strings.TrimPrefix(w, "ParameterKey=")
				i := strings.Index(rest, ",ParameterValue=")
				if i < 0 {
					return nil, fmt.Errorf("invalid --parameter-overrides %q: %s", w, overridesHelp)
				}
				k, val = rest[:i], rest[i+len(",ParameterValue="):]
			} else {
				i := strings.IndexByte(w, '=')
				if i <= 0 {
					return nil, fmt.Errorf("invalid --parameter-overrides %q: %s", w, overridesHelp)
				}
				k, val = w[:i], w[i+1:]
			}
			set(k, val)
		}
	}
	return out, nil
}

// parseTags reads the values of option (--tags, --image-repos-tags): "K=V K2='v w'".
func parseTags(option string, values []string) ([]deploy.KV, error) {
	var out []deploy.KV
	idx := map[string]int{}
	for _, v := range values {
		words, err := splitWords(v)
		if err != nil {
			return nil, fmt.Errorf("invalid %s %q: %w. It must look something like 'KeyName1=string KeyName2=string'", option, v, err)
		}
		for _, w := range words {
			i := strings.IndexByte(w, '=')
			if i <= 0 {
				return nil, fmt.Errorf("invalid %s %q: it must look something like 'KeyName1=string KeyName2=string'", option, w)
			}
			k := w[:i]
			if j, ok := idx[k]; ok {
				out[j].Value = w[i+1:]
				continue
			}
			idx[k] = len(out)
			out = append(out, deploy.KV{Key: k, Value: w[i+1:]})
		}
	}
	return out, nil
}

// parseImageRepos reads --image-repositories "Function=URI" entries.
func parseImageRepos(values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		for _, w := range strings.Fields(v) {
			parts := strings.Split(w, "=")
			if len(parts) != 2 || parts[0] == "" {
				//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
				return nil, fmt.Errorf("Invalid value for '--image-repositories': %q: --image-repositories is not a valid format, it needs to be of the form function_logical_id=ECR_URI", w)
			}
			out[parts[0]] = parts[1]
		}
	}
	return out, nil
}

// splitList reads space-separated list options (capabilities, notification ARNs).
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.Fields(v)...)
	}
	return out
}

// parseMetadata reads --metadata as SAM CLI does: a flat JSON object, or
// KeyName1=string,KeyName2=string.
func parseMetadata(v string) (map[string]string, error) {
	if v == "" {
		return nil, nil
	}
	bad := fmt.Errorf("invalid --metadata %q: it must look something like 'KeyName1=string,KeyName2=string' or '{\"string\":\"string\"}'", v)
	out := map[string]string{}
	if strings.HasPrefix(strings.TrimSpace(v), "{") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(v), &obj); err != nil {
			return nil, bad
		}
		for k, x := range obj {
			switch x := x.(type) {
			case map[string]any, []any, nil:
				return nil, bad
			case string:
				out[k] = x
			default:
				out[k] = fmt.Sprint(x)
			}
		}
		return out, nil
	}
	for _, pair := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return nil, bad
		}
		out[k] = val
	}
	return out, nil
}
