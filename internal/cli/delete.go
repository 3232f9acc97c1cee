package cli

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/teardown"
)

// deleteFlags are the options of `samship delete` (SAM CLI's `sam delete`).
type deleteFlags struct {
	awsFlags
	stackName, s3Bucket, s3Prefix string
	noPrompts, express            bool
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
	return stackCmd(io, "delete", "Delete an application: its stack, its ECR companion stack and images, its artifacts", deleteHelp, &f.awsFlags, func(fl *pflag.FlagSet) {
		fl.StringVar(&f.stackName, "stack-name", "", "the stack to delete")
		fl.BoolVar(&f.noPrompts, "no-prompts", false, "ask nothing: delete the stack, its companion stack with every repository, and its artifacts")
		fl.StringVar(&f.s3Bucket, "s3-bucket", "", "the bucket holding the artifacts (default: found in the stack's template)")
		fl.StringVar(&f.s3Prefix, "s3-prefix", "", "the prefix of the artifacts in the bucket")
		fl.BoolVar(&f.express, "express", false, "delete the stacks in CloudFormation's Express mode")
	}, f.resolve, runF)
}

// resolve reads the options (see awsFlags.runtime).
func (f *deleteFlags) resolve(fl *pflag.FlagSet, io IO) (*deleteRequest, deployRuntime, error) {
	rt, err := f.runtime(fl, "delete", io)
	if err != nil {
		return nil, rt, err
	}
	d := &deleteRequest{stackName: f.stackName, bucket: f.s3Bucket, prefix: f.s3Prefix, noPrompts: f.noPrompts,
		express: f.express, pollCap: pollCap(io.Getenv("SAM_CLI_POLL_DELAY"))}
	switch {
	case d.stackName == "" && (d.noPrompts || rt.Output == output.FormatJSON):
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
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
		if d.stackName, err = c.prompt.Prompt(ctx, c.ui.Bold("\tEnter stack name you want to delete"), ""); err != nil {
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
	res, err := teardown.Run(ctx, teardown.Input{StackName: d.stackName, Bucket: d.bucket, Prefix: d.prefix, NoPrompts: d.noPrompts},
		teardown.Env{Stacks: sv.cfn, Images: sv.ecr, Objects: sv.s3, S3Endpoint: sv.sdk.S3Endpoint, Region: sv.region, UI: c.ui, Confirm: c.confirm})
	return c.result(res, err)
}
