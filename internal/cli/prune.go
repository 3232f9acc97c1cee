package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/prune"
	"github.com/samship/samship/internal/samconfig"
)

// pruneFlags are the options of `samship prune`.
type pruneFlags struct {
	stackName, region, profile string
	keep                       int
	dryRun, noPrompts          bool
	configFile, configEnv      string
	saveParams, debug          bool
}

// pruneRequest is what resolving prune's flags decided.
type pruneRequest struct{ in prune.Input }

// newPruneCmd builds `samship prune`.
func newPruneCmd(io IO, runF func(context.Context, *pruneRequest, deployRuntime) error) *cobra.Command {
	f := &pruneFlags{}
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Delete the images of a stack's managed repositories that nothing can run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, rt, err := f.resolve(cmd.Flags(), io)
			if err != nil {
				return err
			}
			return runF(cmd.Context(), p, rt)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.stackName, "stack-name", "", "the stack whose managed repositories are pruned")
	fl.IntVar(&f.keep, "keep", 3, "how many of the newest images of each repository stay, in use or not")
	fl.BoolVar(&f.dryRun, "dry-run", false, "only list what would be deleted")
	fl.BoolVar(&f.noPrompts, "no-prompts", false, "delete without asking")
	fl.StringVar(&f.region, "region", "", "AWS region")
	fl.StringVar(&f.profile, "profile", "", "AWS profile from the shared config files")
	fl.StringVar(&f.configFile, "config-file", samconfig.DefaultName, "samconfig file")
	fl.StringVar(&f.configEnv, "config-env", "default", "samconfig environment")
	fl.BoolVar(&f.saveParams, "save-params", false, "save the options given on the command line to the samconfig file")
	fl.BoolVar(&f.debug, "debug", false, "print every AWS call")
	setHelp(cmd, io.helpWidth, pruneHelp)
	return cmd
}

// resolve reads the options (see stackCommandConfig) and checks them.
func (f *pruneFlags) resolve(fl *pflag.FlagSet, io IO) (*pruneRequest, deployRuntime, error) {
	rt, err := stackCommandConfig(fl, "prune", f.configFile, f.configEnv, f.saveParams)
	if err != nil {
		return nil, rt, err
	}
	rt.Region, rt.Profile, rt.Debug = f.region, f.profile, f.debug || io.Getenv("SAM_DEBUG") != ""
	switch {
	case f.stackName == "":
		return nil, rt, deploy.Usage(errors.New("Missing option '--stack-name', provide the stack whose repositories to prune."))
	case f.keep < 0:
		return nil, rt, deploy.Usage(fmt.Errorf("Invalid value for '--keep': %d is below 0.", f.keep))
	}
	if err := deploy.CheckStackName(f.stackName); err != nil {
		return nil, rt, deploy.Usage(err)
	}
	return &pruneRequest{in: prune.Input{StackName: f.stackName, Keep: f.keep, DryRun: f.dryRun, NoPrompts: f.noPrompts}}, rt, nil
}

// runPrune connects and prunes.
func runPrune(ctx context.Context, p *pruneRequest, rt deployRuntime, io IO) error {
	c := newConnection(&deploy.Options{StackName: p.in.StackName}, rt, io)
	defer c.report()
	sv, err := c.services(ctx, rt.Region)
	if err != nil {
		return err
	}
	if err := saveParams(rt, c.ui, "prune"); err != nil {
		return err
	}
	return prune.Run(ctx, p.in, prune.Env{Stacks: sv.cfn, Images: sv.ecr, Functions: sv.lambda, Region: sv.region,
		UI: c.ui, Confirm: c.prompt.Confirm})
}
