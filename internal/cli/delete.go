package cli

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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

// deleteRequest is what resolving delete's flags decided.
type deleteRequest struct {
	stackName, bucket, prefix string
	noPrompts, express        bool
	pollCap                   time.Duration
}

// newDeleteCmd builds `samship delete`.
func newDeleteCmd(io IO, runF func(context.Context, *deleteRequest, deployRuntime) error) *cobra.Command {
	f := &deleteFlags{}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete an application: its stack, its ECR companion stack and images, its artifacts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, rt, err := f.resolve(cmd.Flags(), io)
			if err != nil {
				return err
			}
			return runF(cmd.Context(), d, rt)
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
	setHelp(cmd, io.helpWidth, deleteHelp)
	return cmd
}

// stackCommandConfig applies samconfig to a command that works on a deployed stack (delete,
// prune): flags over [env.<command>.parameters] (what --save-params writes) over
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
		rt.SaveParams, rt.SaveGlobal = commandLineParams(fl)
	}
	return rt, nil
}

// resolve reads the options (see stackCommandConfig).
func (f *deleteFlags) resolve(fl *pflag.FlagSet, io IO) (*deleteRequest, deployRuntime, error) {
	rt, err := stackCommandConfig(fl, "delete", f.configFile, f.configEnv, f.saveParams)
	if err != nil {
		return nil, rt, err
	}
	rt.Region, rt.Profile, rt.Debug = f.region, f.profile, f.debug || io.Getenv("SAM_DEBUG") != ""
	d := &deleteRequest{stackName: f.stackName, bucket: f.s3Bucket, prefix: f.s3Prefix, noPrompts: f.noPrompts,
		express: f.express, pollCap: pollCap(io.Getenv("SAM_CLI_POLL_DELAY"))}
	switch {
	case d.stackName == "" && d.noPrompts:
		return nil, rt, deploy.Usage(errors.New("Missing option '--stack-name', provide a stack name that needs to be deleted."))
	case d.stackName != "":
		if err := deploy.CheckStackName(d.stackName); err != nil {
			return nil, rt, deploy.Usage(err)
		}
	}
	return d, rt, nil
}

// runDelete asks for the stack name when none was given, and deletes.
func runDelete(ctx context.Context, d *deleteRequest, rt deployRuntime, io IO) error {
	c := newConnection(&deploy.Options{StackName: d.stackName, Express: d.express, PollCap: d.pollCap}, rt, io)
	defer c.report()
	if d.stackName == "" {
		var err error
		if d.stackName, err = c.prompt.Prompt(ctx, c.ui.Paint.Bold("\tEnter stack name you want to delete"), ""); err != nil {
			return err
		}
		if err := deploy.CheckStackName(d.stackName); err != nil {
			return deploy.Usage(err)
		}
	}
	sv, err := c.services(ctx, rt.Region)
	if err != nil {
		return err
	}
	if err := saveParams(rt, c.ui, "delete"); err != nil {
		return err
	}
	return teardown.Run(ctx, teardown.Input{StackName: d.stackName, Bucket: d.bucket, Prefix: d.prefix, NoPrompts: d.noPrompts},
		teardown.Env{Stacks: sv.cfn, Images: sv.ecr, Objects: sv.s3, Region: sv.region, UI: c.ui, Confirm: c.prompt.Confirm})
}
