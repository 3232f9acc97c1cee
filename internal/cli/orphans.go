package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/orphans"
	"github.com/samship/samship/internal/output"
)

// orphansFlags are the options of `samship orphans`.
type orphansFlags struct {
	awsFlags
	del, noPrompts bool
	minAge         time.Duration
}

// newOrphansCmd builds `samship orphans`.
func newOrphansCmd(io IO, runF func(context.Context, orphans.Input, deployRuntime) error) *cobra.Command {
	f := &orphansFlags{}
	return stackCmd(io, "orphans", "List companion stacks whose application stack is gone, and delete them", orphansHelp, &f.awsFlags, func(fl *pflag.FlagSet) {
		fl.BoolVar(&f.del, "delete", false, "empty and delete the orphaned companion stacks found, after asking")
		fl.BoolVar(&f.noPrompts, "no-prompts", false, "with --delete: delete without asking")
		fl.DurationVar(&f.minAge, "min-age", time.Hour, "leave alone a companion stack changed more recently than this (a first deploy makes it before the application stack)")
	}, f.resolve, runF)
}

// resolve reads the options (see awsFlags.runtime) and checks them.
func (f *orphansFlags) resolve(fl *pflag.FlagSet, io IO) (orphans.Input, deployRuntime, error) {
	rt, err := f.runtime(fl, "orphans", io)
	if err != nil {
		return orphans.Input{}, rt, err
	}
	if f.minAge < 0 {
		//lint:ignore ST1005 click's message for a bad option value, as SAM CLI prints it
		return orphans.Input{}, rt, deploy.Usage(fmt.Errorf("Invalid value for '--min-age': %s is below 0.", output.ShortDuration(f.minAge)))
	}
	return orphans.Input{Delete: f.del, NoPrompts: f.noPrompts, MinAge: f.minAge}, rt, nil
}

// runOrphans connects and looks for orphans in the region.
func runOrphans(ctx context.Context, in orphans.Input, rt deployRuntime, io IO) error {
	c := newConnection(&deploy.Options{}, rt, io)
	defer c.report()
	sv, err := c.services(ctx, rt.Region)
	if err != nil {
		return err
	}
	if err := saveParams(rt, c.ui, "orphans"); err != nil {
		return err
	}
	res, err := orphans.Run(ctx, in, orphans.Env{Stacks: sv.cfn, Images: sv.ecr, Region: sv.region, UI: c.ui,
		Confirm: c.confirm, Now: sv.sdk.Clock.Now}) // ages by AWS's clock, not the machine's
	return c.result(res, err)
}
