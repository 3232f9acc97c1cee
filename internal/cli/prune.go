package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/prune"
)

// pruneFlags are the options of `samship prune`.
type pruneFlags struct {
	awsFlags
	stackName         string
	keep              int
	minAge            time.Duration
	dryRun, noPrompts bool
}

// newPruneCmd builds `samship prune`.
func newPruneCmd(io IO, runF func(context.Context, prune.Input, deployRuntime) error) *cobra.Command {
	f := &pruneFlags{}
	return stackCmd(io, "prune", "Delete the images of a stack's managed repositories that nothing can run", pruneHelp, &f.awsFlags, func(fl *pflag.FlagSet) {
		fl.StringVar(&f.stackName, "stack-name", "", "the stack whose managed repositories are pruned")
		fl.IntVar(&f.keep, "keep", 3, "how many of the newest images of each repository stay, in use or not")
		fl.DurationVar(&f.minAge, "min-age", time.Hour, "keep every image pushed more recently than this (by AWS's clock): a deploy running now may be about to use it")
		fl.BoolVar(&f.dryRun, "dry-run", false, "only list what would be deleted")
		fl.BoolVar(&f.noPrompts, "no-prompts", false, "delete without asking")
	}, f.resolve, runF)
}

// resolve reads the options (see awsFlags.runtime) and checks them.
func (f *pruneFlags) resolve(fl *pflag.FlagSet, io IO) (prune.Input, deployRuntime, error) {
	rt, err := f.runtime(fl, "prune", io)
	if err != nil {
		return prune.Input{}, rt, err
	}
	switch {
	case f.stackName == "":
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return prune.Input{}, rt, deploy.Usage(errors.New("Missing option '--stack-name', provide the stack whose repositories to prune."))
	case f.keep < 0:
		//lint:ignore ST1005 click's message for a bad option value, as SAM CLI prints it
		return prune.Input{}, rt, deploy.Usage(fmt.Errorf("Invalid value for '--keep': %d is below 0.", f.keep))
	case f.minAge < 0:
		//lint:ignore ST1005 click's message for a bad option value, as SAM CLI prints it
		return prune.Input{}, rt, deploy.Usage(fmt.Errorf("Invalid value for '--min-age': %s is below 0.", output.ShortDuration(f.minAge)))
	}
	if err := deploy.CheckStackName(f.stackName); err != nil {
		return prune.Input{}, rt, deploy.Usage(err)
	}
	return prune.Input{StackName: f.stackName, Keep: f.keep, MinAge: f.minAge, DryRun: f.dryRun, NoPrompts: f.noPrompts}, rt, nil
}

// runPrune connects and prunes.
func runPrune(ctx context.Context, in prune.Input, rt deployRuntime, io IO) error {
	c := newConnection(&deploy.Options{StackName: in.StackName}, rt, io)
	defer c.report()
	sv, err := c.services(ctx, rt.Region)
	if err != nil {
		return err
	}
	if err := saveParams(rt, c.ui, "prune"); err != nil {
		return err
	}
	res, err := prune.Run(ctx, in, prune.Env{Stacks: sv.cfn, Images: sv.ecr, Functions: sv.lambda, Region: sv.region,
		UI: c.ui, Confirm: c.confirm, Now: sv.sdk.Clock.Now}) // ages by AWS's clock, not the machine's
	return c.result(res, err)
}
