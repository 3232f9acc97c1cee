package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/awsclient"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/samconfig"
	"github.com/samship/samship/internal/template"
)

// notSaved are the options SAM CLI's save_command_line_args_to_config does not write into the
// command's section: its own and the config file's (excluded), and --region, --profile and
// --debug, whose click options have expose_value=False, so they have no value to save.
// --output, as SAM CLI excludes it (aws/aws-sam-cli#9176): a saved json would turn every
// later run's output into JSON. --guided is samship's own exclusion: a guided run saves its
// answers itself.
var notSaved = map[string]bool{"save-params": true, "config-file": true, "config-env": true,
	"region": true, "profile": true, "debug": true, "guided": true, "output": true}

// commandLineParams returns what --save-params saves into the command's section: every option
// given on the command line, in command-line order, under SAM CLI's samconfig key and in the
// form click hands SAM CLI's writer: --template-file made absolute, lists of the words given
// (capabilities, notification ARNs), dictionaries (tags, parameter overrides, image
// repositories, metadata) as tables, a --no-x flag as x = false.
func commandLineParams(fl *pflag.FlagSet) []samconfig.Param {
	sorted := fl.SortFlags
	fl.SortFlags = false // visit in command-line order, the order SAM CLI saves in
	defer func() { fl.SortFlags = sorted }()
	var params []samconfig.Param
	fl.Visit(func(f *pflag.Flag) {
		name := f.Name
		if notSaved[name] {
			return
		}
		var value any = f.Value.String()
		switch f.Value.Type() {
		case "bool":
			b, _ := strconv.ParseBool(f.Value.String())
			if pos, ok := strings.CutPrefix(name, "no-"); ok && fl.Lookup(pos) != nil {
				name, b = pos, !b
			}
			value = b
		case "int":
			value, _ = strconv.Atoi(f.Value.String())
		case "stringArray":
			vals, _ := fl.GetStringArray(name)
			value = arrayValue(name, vals)
		}
		switch name {
		case "template-file":
			if abs, err := filepath.Abs(f.Value.String()); err == nil {
				value = abs
			}
		case "metadata":
			value = metadataMap(f.Value.String())
		}
		params = append(params, samconfig.Param{Key: strings.ReplaceAll(name, "-", "_"), Value: value, Keep: true})
	})
	return params
}

// arrayValue is a multi-value option as click gives it to SAM CLI's writer: the dictionary
// its type makes of it, or the words as given.
func arrayValue(name string, vals []string) any {
	switch name {
	case "tags":
		kvs, _ := parseTags("--tags", vals) // validated before anything is saved
		return toMap(kvs)
	case "image-repos-tags":
		// samship's own option, kept as one string: a table would lose the tags' order, which
		// is the repositories' (and the companion template's).
		return strings.Join(vals, " ")
	case "parameter-overrides":
		kvs, _ := parseOverrides(vals)
		return toMap(kvs)
	case "image-repositories":
		var m samconfig.Map
		for _, v := range vals {
			for _, w := range strings.Fields(v) {
				k, uri, _ := strings.Cut(w, "=")
				m = setEntry(m, k, uri)
			}
		}
		return m
	}
	return vals
}

func toMap(kvs []deploy.KV) samconfig.Map {
	var m samconfig.Map
	for _, kv := range kvs {
		m = setEntry(m, kv.Key, kv.Value)
	}
	return m
}

// setEntry sets key in m: a later value replaces an earlier one in its place, as in a Python
// dictionary.
func setEntry(m samconfig.Map, key, value string) samconfig.Map {
	for i := range m {
		if m[i].Key == key {
			m[i].Value = value
			return m
		}
	}
	return append(m, samconfig.Entry{Key: key, Value: value})
}

// metadataMap is --metadata as SAM CLI's CfnMetadataType makes it: a flat JSON object, or
// KeyName1=string,KeyName2=string, in the order given.
func metadataMap(v string) samconfig.Map {
	var m samconfig.Map
	dec := json.NewDecoder(strings.NewReader(v))
	if tok, err := dec.Token(); err == nil && tok == json.Delim('{') {
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return m
			}
			var x any
			if err := dec.Decode(&x); err != nil {
				return m
			}
			s, ok := x.(string)
			if !ok {
				b, _ := json.Marshal(x)
				s = string(b)
			}
			m = setEntry(m, k.(string), s)
		}
		return m
	}
	for _, pair := range strings.Split(v, ",") {
		if k, val, ok := strings.Cut(pair, "="); ok {
			m = setEntry(m, k, val)
		}
	}
	return m
}

// saveRegion is the region SAM CLI's --save-params writes into [env.global.parameters]
// whatever the command line said: the region the run uses (--region or samconfig), else the
// SDK's default (environment, shared config), else us-east-1.
func saveRegion(ctx context.Context, region string) string {
	if region == "" {
		region = awsclient.DefaultRegion(ctx, "")
	}
	if region == "" {
		region = "us-east-1"
	}
	return region
}

// withoutNoEcho drops from the parameter overrides to save those of the template's NoEcho
// parameters, and says so: --save-params never writes a secret into a file that is often
// committed (guided does not save them either; SAM CLI saves them in clear).
func withoutNoEcho(params []samconfig.Param, tpl *template.Template, r interface{ Note(string) }) []samconfig.Param {
	secret := map[string]bool{}
	for _, p := range tpl.Parameters() {
		secret[p.Key] = p.NoEcho
	}
	var out []samconfig.Param
	for _, p := range params {
		if m, ok := p.Value.(samconfig.Map); ok && p.Key == "parameter_overrides" {
			var kept samconfig.Map
			for _, e := range m {
				if secret[e.Key] {
					r.Note(fmt.Sprintf("Not saving parameter %s: it is NoEcho; give it on the command line each time", e.Key))
					continue
				}
				kept = append(kept, e)
			}
			if len(kept) == 0 {
				continue
			}
			p.Value = kept
		}
		out = append(out, p)
	}
	return out
}

// saveParams writes the command line's options to the samconfig file (--save-params).
func saveParams(rt deployRuntime, r interface{ SavedParams(path, section string) }, command string) error {
	if !rt.Save {
		return nil
	}
	path := rt.ConfigFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(rt.ConfigDir, path)
	}
	global := []samconfig.Param{{Key: "region", Value: saveRegion(context.Background(), rt.Region), Keep: true}}
	if err := samconfig.Write(path, rt.ConfigEnv, command, rt.SaveParams, global); err != nil {
		return err
	}
	r.SavedParams(path, rt.ConfigEnv+"."+command)
	return nil
}
