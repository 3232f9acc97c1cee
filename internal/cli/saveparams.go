package cli

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/samconfig"
	"github.com/samship/samship/internal/ui"
)

// commandLineParams returns what --save-params saves: every option given on the command line
// (but --save-params, --config-file, --config-env and --guided) under SAM CLI's samconfig key,
// and the region again for the env's global section, as SAM CLI saves them. A --no-x flag is
// saved as x = false.
func commandLineParams(fl *pflag.FlagSet) (params, global []samconfig.Param) {
	sorted := fl.SortFlags
	fl.SortFlags = false // visit in command-line order, the order SAM CLI saves in
	defer func() { fl.SortFlags = sorted }()
	fl.Visit(func(f *pflag.Flag) {
		name := f.Name
		switch name {
		case "save-params", "config-file", "config-env", "guided":
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
			if name == "image-repositories" {
				value = vals
			} else {
				value = strings.Join(vals, " ")
			}
		}
		key := strings.ReplaceAll(name, "-", "_")
		params = append(params, samconfig.Param{Key: key, Value: value, Keep: true})
		if key == "region" {
			global = append(global, samconfig.Param{Key: key, Value: value, Keep: true})
		}
	})
	return params, global
}

// saveParams writes the command line's options to the samconfig file (--save-params).
func saveParams(rt deployRuntime, r *ui.Reporter, command string) error {
	if len(rt.SaveParams) == 0 {
		return nil
	}
	path := rt.ConfigFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(rt.ConfigDir, path)
	}
	if err := samconfig.Write(path, rt.ConfigEnv, command, rt.SaveParams, rt.SaveGlobal); err != nil {
		return err
	}
	r.SavedParams(path, rt.ConfigEnv+"."+command)
	return nil
}
