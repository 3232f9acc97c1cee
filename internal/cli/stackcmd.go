package cli

import (
	"context"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/samconfig"
)

// awsFlags are the options the commands on deployed stacks share (delete, prune, orphans):
// where to work (region, profile), samconfig, and --debug.
type awsFlags struct {
	region, profile       string
	configFile, configEnv string
	saveParams, debug     bool
	output                string
}

// stackCmd builds a command on deployed stacks: no arguments; its flags resolve to a request
// (resolve), which runF runs. addFlags registers the command's own flags; the shared ones
// (awsFlags) are added after them.
func stackCmd[R any](io IO, use, short string, h commandHelp, a *awsFlags, addFlags func(*pflag.FlagSet),
	resolve func(*pflag.FlagSet, IO) (R, deployRuntime, error), runF func(context.Context, R, deployRuntime) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, rt, err := resolve(cmd.Flags(), io)
			if err != nil {
				return err
			}
			return runF(cmd.Context(), req, rt)
		},
	}
	addFlags(cmd.Flags())
	a.add(cmd.Flags())
	setHelp(cmd, io.helpWidth, h)
	return cmd
}

func (a *awsFlags) add(fl *pflag.FlagSet) {
	fl.StringVar(&a.region, "region", "", "AWS region")
	fl.StringVar(&a.profile, "profile", "", "AWS profile from the shared config files")
	fl.StringVar(&a.configFile, "config-file", samconfig.DefaultName, "samconfig file")
	fl.StringVar(&a.configEnv, "config-env", "default", "samconfig environment")
	fl.BoolVar(&a.saveParams, "save-params", false, "save the options given on the command line to the samconfig file")
	fl.BoolVar(&a.debug, "debug", false, "print every AWS call")
	fl.StringVar(&a.output, "output", "text", "text, or json: one JSON document on standard output when done")
}

// runtime applies samconfig for command (see stackCommandConfig) and returns the run's
// settings.
func (a *awsFlags) runtime(fl *pflag.FlagSet, command string, io IO) (deployRuntime, error) {
	rt, err := stackCommandConfig(fl, command, a.configFile, a.configEnv, a.saveParams)
	if err != nil {
		return rt, err
	}
	rt.Region, rt.Profile, rt.Debug = a.region, a.profile, a.debug || io.Getenv("SAM_DEBUG") != ""
	rt.Document = true
	if rt.Output, err = output.ParseFormat(a.output); err != nil {
		return rt, deploy.Usage(err)
	}
	return rt, nil
}

// stackCommandConfig applies samconfig to a command that works on deployed stacks (delete,
// prune, orphans): flags over [env.<command>.parameters] (what --save-params writes) over
// [env.deploy.parameters] (what sam delete reads: the stack name, region, profile) over
// defaults.
func stackCommandConfig(fl *pflag.FlagSet, command, configFile, configEnv string, save bool) (deployRuntime, error) {
	rt := deployRuntime{ConfigFile: configFile, ConfigEnv: configEnv, ConfigDir: "."}
	cfgPath, err := samconfig.Find(".", configFile, fl.Changed("config-file"))
	if err != nil {
		return rt, err
	}
	if cfgPath != "" {
		cfg, err := samconfig.Load(cfgPath)
		if err != nil {
			return rt, err
		}
		params := cfg.Params(configEnv, "deploy")
		for k, v := range cfg.Params(configEnv, command) {
			params[k] = v
		}
		if err := applyConfig(fl, params, cfgPath, configEnv+".deploy"); err != nil {
			return rt, err
		}
		rt.ConfigFile, rt.ConfigFound = filepath.Base(cfgPath), true
	}
	if save {
		rt.Save, rt.SaveParams = true, commandLineParams(fl)
	}
	return rt, nil
}
