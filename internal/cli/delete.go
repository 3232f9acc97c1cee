package cli

import (
	"errors"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/samconfig"
	"github.com/samship/samship/internal/teardown"
)

// deleteFlags are the options of `samship delete` (SAM CLI's `sam delete`).
type deleteFlags struct {
	stackName, region, profile string
	s3Bucket, s3Prefix         string
	noPrompts, express         bool
	configFile, configEnv      string
	saveParams, debug          bool
}

// newDeleteCmd builds `samship delete`.
func newDeleteCmd(io IO) *cobra.Command {
	f := &deleteFlags{}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete an application: its stack, its ECR companion stack and images, its artifacts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDelete(cmd, f, io)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.stackName, "stack-name", "", "the stack to delete")
	fl.BoolVar(&f.noPrompts, "no-prompts", false, "ask nothing: delete the stack, its companion stack with every repository, and its artifacts")
	fl.StringVar(&f.s3Bucket, "s3-bucket", "", "the bucket holding the artifacts (default: found in the stack's template)")
	fl.StringVar(&f.s3Prefix, "s3-prefix", "", "the prefix of the artifacts in the bucket")
	fl.BoolVar(&f.express, "express", false, "delete the stacks in CloudFormation's Express mode")
	fl.StringVar(&f.region, "region", "", "AWS region")
	fl.StringVar(&f.profile, "profile", "", "AWS profile from the shared config files")
	fl.StringVar(&f.configFile, "config-file", samconfig.DefaultName, "samconfig file")
	fl.StringVar(&f.configEnv, "config-env", "default", "samconfig environment")
	fl.BoolVar(&f.saveParams, "save-params", false, "save the options given on the command line to the samconfig file")
	fl.BoolVar(&f.debug, "debug", false, "print every AWS call")
	return cmd
}

// runDelete reads the options (over [env.deploy.parameters] as sam delete does, and over the
// [env.delete.parameters] --save-params writes), asks for
// the stack name when none was given, and deletes.
func runDelete(cmd *cobra.Command, f *deleteFlags, io IO) error {
	fl := cmd.Flags()
	rt := deployRuntime{ConfigFile: f.configFile, ConfigEnv: f.configEnv, ConfigDir: "."}
	cfgPath, err := samconfig.Find(".", f.configFile, fl.Changed("config-file"))
	if err != nil {
		return err
	}
	if cfgPath != "" {
		cfg, err := samconfig.Load(cfgPath)
		if err != nil {
			return err
		}
		// sam delete reads the deploy section; --save-params writes to the delete section, which
		// is read over it so that what was saved is used.
		params := cfg.Params(f.configEnv, "deploy")
		for k, v := range cfg.Params(f.configEnv, "delete") {
			params[k] = v
		}
		if err := applyConfig(fl, params, cfgPath, f.configEnv+".deploy"); err != nil {
			return err
		}
		rt.ConfigFile = filepath.Base(cfgPath)
	}
	if f.saveParams {
		rt.SaveParams, rt.SaveGlobal = commandLineParams(fl)
	}
	rt.Region, rt.Profile, rt.Debug = f.region, f.profile, f.debug || io.Getenv("SAM_DEBUG") != ""
	o := &deploy.Options{StackName: f.stackName, Express: f.express, PollCap: pollCap(io.Getenv("SAM_CLI_POLL_DELAY"))}
	c := newConnection(o, rt, io)
	defer c.report()
	if o.StackName == "" {
		if f.noPrompts {
			return deploy.Usage(errors.New("Missing option '--stack-name', provide a stack name that needs to be deleted."))
		}
		if o.StackName, err = c.prompt.Prompt(cmd.Context(), c.paint.Bold("\tEnter stack name you want to delete"), ""); err != nil {
			return err
		}
	}
	if err := deploy.CheckStackName(o.StackName); err != nil {
		return deploy.Usage(err)
	}
	sv, err := c.services(cmd.Context(), rt.Region)
	if err != nil {
		return err
	}
	if err := saveParams(rt, io, "delete"); err != nil {
		return err
	}
	return teardown.Run(cmd.Context(), teardown.Input{StackName: o.StackName, Bucket: f.s3Bucket, Prefix: f.s3Prefix, NoPrompts: f.noPrompts},
		teardown.Env{Stacks: sv.cfn, Images: sv.ecr, Objects: sv.s3, Region: sv.region, Err: io.Err, Paint: c.paint, Confirm: c.prompt.Confirm})
}
