package guided

import (
	"path/filepath"
	"strings"

	"github.com/samship/samship/internal/samconfig"
)

// save writes the answers to the config file with SAM CLI's keys, order and encodings.
func (f *Flow) save(d Defaults, a *answers, r *repos) error {
	path := a.configFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(d.Dir, path)
	}
	var overrides []string
	for _, kv := range a.overrides {
		if !a.hidden[kv.Key] {
			overrides = append(overrides, kv.Key+`="`+strings.ReplaceAll(kv.Value, `"`, `\"`)+`"`)
		}
	}
	params := []samconfig.Param{
		{Key: "stack_name", Value: a.stack},
		{Key: "resolve_s3", Value: true},
		{Key: "s3_prefix", Value: a.stack},
		{Key: "resolve_image_repos", Value: d.ResolveImageRepos},
		{Key: "region", Value: a.region},
		{Key: "profile", Value: d.Profile},
		{Key: "confirm_changeset", Value: a.confirm},
		{Key: "capabilities", Value: strings.Join(a.capabilities, " ")},
		{Key: "disable_rollback", Value: a.rollback},
		{Key: "parameter_overrides", Value: strings.Join(overrides, " ")},
		{Key: "image_repositories", Value: r.saved},
	}
	if d.ResolveImageRepos {
		params[len(params)-1].Value = nil
	}
	params = append(params, d.Save...)
	global := []samconfig.Param{{Key: "region", Value: a.region}}
	if err := samconfig.Write(path, a.cfgEnv, "deploy", params, global); err != nil {
		return err
	}
	f.UI.Saved()
	return nil
}
