// Package guided runs `samship deploy --guided`: SAM CLI's questions, in its order and words,
// deciding on the same companion plan as a non-guided deploy. Unlike SAM CLI nothing is
// created, changed or saved while questions are asked: the answers are saved and the plan
// applied after the last one.
package guided

import (
	"context"
	"errors"
	"strings"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/samconfig"
	"github.com/samship/samship/internal/template"
)

// Defaults are the values the questions start from: flags over samconfig over SAM's defaults.
type Defaults struct {
	deploy.Options
	Region, Profile       string
	ConfigFile, ConfigEnv string
	// ConfigFound reports that the config file existed and was read.
	ConfigFound bool
	// Dir is where a relative config file name is saved (the template's directory or ".").
	Dir string
	// Save are more parameters to save with the answers (the repository settings given).
	Save []samconfig.Param
}

// Prompter asks the questions: prompt.Prompter on the terminal, a script in tests. Each
// question ends with its context.
type Prompter interface {
	Prompt(ctx context.Context, question, def string) (string, error)
	Validated(ctx context.Context, question, def string, check func(string) error) (string, error)
	Confirm(ctx context.Context, question string, def bool) (bool, error)
	Hidden(ctx context.Context, question string) (string, error)
}

// Flow asks the questions and then deploys.
type Flow struct {
	Prompt Prompter
	UI     Reporter
	// Connect builds the AWS side of the deploy for the answered region.
	Connect func(ctx context.Context, region string) (deploy.Env, error)
	// DefaultRegion is the region the AWS configuration names, if any.
	DefaultRegion string
}

// answers collects what the questions decided.
type answers struct {
	stack, region      string
	overrides          []deploy.KV
	hidden             map[string]bool
	confirm, rollback  bool
	capabilities       []string
	save               bool
	configFile, cfgEnv string
	// tree is the template as the answers resolve it (parameters, region).
	tree *template.Tree
	// settings are the managed repositories' settings (given, never asked).
	settings companion.Settings
}

// ErrSecurity is SAM CLI's refusal when an endpoint without authentication is declined.
//
//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
var ErrSecurity = errors.New("Security Constraints Not Satisfied!")

// Run asks SAM CLI's guided questions, then saves the answers (when asked to) and deploys.
func (f *Flow) Run(ctx context.Context, d Defaults) error {
	if d.ResolveImageRepos && (d.ImageRepository != "" || len(d.ImageRepositories) > 0) {
		return &deploy.UsageError{Msg: "Only one of the following can be provided: '--image-repositories', '--image-repository', '--resolve-image-repos'. Do you have multiple specified in the command or in a configuration file?"}
	}
	tpl, err := template.Load(d.TemplateFile)
	if err != nil {
		return err
	}
	a, err := f.ask(ctx, d, tpl)
	if err != nil {
		return err
	}
	env, err := f.Connect(ctx, a.region)
	if err != nil {
		return err
	}
	f.UI.LookingForResources()
	if err := f.showBucket(ctx, env); err != nil {
		return err
	}
	repos, err := f.askImages(ctx, env, d, a)
	if err != nil {
		return err
	}
	o := d.Options
	o.Guided, o.StackName, o.ResolveS3, o.S3Bucket, o.S3Prefix = true, a.stack, true, "", a.stack
	o.ParameterOverrides, o.ConfirmChangeset, o.DisableRollback, o.Capabilities = a.overrides, a.confirm, a.rollback, a.capabilities
	o.ImageRepository, o.ImageRepositories = "", repos.mapped
	o.ResolveImageRepos = d.ResolveImageRepos || len(repos.managed) > 0 || repos.plan != nil && repos.plan.Stack != nil
	in, err := deploy.Prepare(ctx, o, a.region)
	if err != nil {
		return err
	}
	in.Plan = repos.plan
	if a.save {
		if err := f.save(d, a, repos); err != nil {
			return err
		}
	}
	_, err = deploy.Run(ctx, in, env)
	return err
}

// ask asks everything that needs no AWS call, in SAM CLI's order.
func (f *Flow) ask(ctx context.Context, d Defaults, tpl *template.Template) (*answers, error) {
	p := f.Prompt
	a := &answers{hidden: map[string]bool{}, settings: d.RepoSettings}
	f.UI.GuidedStart(d.ConfigFile, d.ConfigFound)
	var err error
	if a.stack, err = p.Validated(ctx, "\tStack Name", or(d.StackName, "sam-app"), deploy.CheckStackName); err != nil {
		return nil, err
	}
	if a.region, err = p.Prompt(ctx, "\tAWS Region", or(d.Region, f.DefaultRegion, "us-east-1")); err != nil {
		return nil, err
	}
	given := map[string]string{}
	for _, kv := range d.ParameterOverrides {
		given[kv.Key] = kv.Value
	}
	for _, prm := range tpl.Parameters() {
		var v string
		if prm.NoEcho {
			v, err = p.Hidden(ctx, "\tParameter "+prm.Key)
			a.hidden[prm.Key] = true
		} else {
			def := given[prm.Key]
			if def == "" {
				def = prm.Default
			}
			v, err = p.Prompt(ctx, "\tParameter "+prm.Key, def)
		}
		if err != nil {
			return nil, err
		}
		a.overrides = append(a.overrides, deploy.KV{Key: prm.Key, Value: v})
	}
	f.UI.Hint(HintConfirm)
	if a.confirm, err = p.Confirm(ctx, "\tConfirm changes before deploy", d.ConfirmChangeset); err != nil {
		return nil, err
	}
	f.UI.Hint(HintIAM)
	iam, err := p.Confirm(ctx, "\tAllow SAM CLI IAM role creation", true)
	if err != nil {
		return nil, err
	}
	a.capabilities = d.Capabilities
	if len(a.capabilities) == 0 {
		a.capabilities = []string{"CAPABILITY_IAM"}
	}
	if !iam {
		caps, err := p.Prompt(ctx, "\tCapabilities", pyList(a.capabilities))
		if err != nil {
			return nil, err
		}
		a.capabilities = strings.Fields(strings.NewReplacer("[", " ", "]", " ", ",", " ", "'", " ", `"`, " ").Replace(caps))
	}
	f.UI.Hint(HintRollback)
	if a.rollback, err = p.Confirm(ctx, "\tDisable rollback", d.DisableRollback); err != nil {
		return nil, err
	}
	overrides := map[string]string{}
	for _, kv := range a.overrides {
		overrides[kv.Key] = kv.Value
	}
	if a.tree, err = template.Discover(tpl, overrides, a.region); err != nil {
		return nil, err
	}
	for _, name := range a.tree.Unauthenticated() {
		ok, err := p.Confirm(ctx, "\t"+name+" has no authentication. Is this okay?", false)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrSecurity
		}
	}
	if a.save, err = p.Confirm(ctx, "\tSave arguments to configuration file", true); err != nil {
		return nil, err
	}
	a.configFile, a.cfgEnv = d.ConfigFile, d.ConfigEnv
	if a.save {
		if a.configFile, err = p.Prompt(ctx, "\tSAM configuration file", d.ConfigFile); err != nil {
			return nil, err
		}
		if a.cfgEnv, err = p.Prompt(ctx, "\tSAM configuration environment", d.ConfigEnv); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// or returns the first non-empty value.
func or(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// pyList renders a list as SAM CLI shows its default capabilities: ['CAPABILITY_IAM'].
func pyList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "'" + v + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}
