package companion

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/ui"
)

// StackOps is what applying needs from CloudFormation.
type StackOps interface {
	CreateStack(context.Context, *cloudformation.CreateStackInput) (*cfn.Stack, error)
	UpdateStack(context.Context, *cloudformation.UpdateStackInput) (*cfn.Stack, error)
	DeleteStack(ctx context.Context, st *cfn.Stack, roleARN string, retain ...string) error
}

// Applier carries out plans. The companion stack follows the main stack's settings: the same
// service role, stack tags and notification topics.
type Applier struct {
	Stacks StackOps
	Images ImagesAPI
	// Upload stores a template too large to send inline and returns its URL; nil when no
	// bucket is available.
	Upload           func(ctx context.Context, body []byte) (string, error)
	RoleARN          string
	Tags             []cfntypes.Tag
	NotificationARNs []string
	// Notify receives one line per step taken.
	Notify func(string)
}

// CheckUpload fails when a template of the plan is too large to send inline and there is no
// bucket: checked before anything changes.
func (a *Applier) CheckUpload(p *Plan) error {
	if a.Upload != nil {
		return nil
	}
	for _, b := range [][]byte{p.Before, p.Final} {
		if len(b) > InlineLimit && (p.Action != ActionNone || p.After != ActionNone) {
			return fmt.Errorf("companion stack %s: its template is %d bytes, more than the %d CloudFormation accepts inline; pass --s3-bucket or --resolve-s3",
				p.Companion, len(b), InlineLimit)
		}
	}
	return nil
}

// Prepare applies the part of the plan that must happen before the main deploy: creating
// repositories, or recovering a stack whose creation failed. It returns the stack afterwards
// (nil when there is none).
func (a *Applier) Prepare(ctx context.Context, p *Plan) (*cfn.Stack, error) {
	switch p.Action {
	case ActionNone:
		return p.Stack, nil
	case ActionRecreate, ActionDelete:
		a.Notify(fmt.Sprintf("Companion stack %s is %s after a failed creation and holds no repositories: deleting it", p.Companion, p.Stack.Status))
		if err := a.Stacks.DeleteStack(ctx, p.Stack, a.RoleARN); err != nil {
			return nil, err
		}
		if p.Action == ActionDelete {
			return nil, nil
		}
		fallthrough
	case ActionCreate:
		a.Notify(fmt.Sprintf("Creating companion stack %s with %d image %s", p.Companion, len(p.Create), ui.Plural(len(p.Create), "repository", "repositories")))
		in := &cloudformation.CreateStackInput{StackName: aws.String(p.Companion), Tags: a.Tags, NotificationARNs: a.NotificationARNs}
		if a.RoleARN != "" {
			in.RoleARN = aws.String(a.RoleARN)
		}
		if err := a.body(ctx, p.Before, &in.TemplateBody, &in.TemplateURL); err != nil {
			return nil, err
		}
		return a.Stacks.CreateStack(ctx, in)
	case ActionUpdate:
		a.Notify(fmt.Sprintf("Updating companion stack %s: creating %d image %s", p.Companion, len(p.Create), ui.Plural(len(p.Create), "repository", "repositories")))
		a.noteAdoption(p)
		return a.update(ctx, p, p.Before)
	}
	return nil, fmt.Errorf("companion stack %s: unknown action %q", p.Companion, p.Action)
}

// Finish applies the part of the plan that waits for a successful main deploy: emptying and
// removing unreferenced repositories, adopting a SAM CLI stack, or deleting an empty stack.
func (a *Applier) Finish(ctx context.Context, p *Plan, st *cfn.Stack) error {
	if p.After == ActionNone {
		return nil
	}
	for _, r := range p.Remove {
		n, err := a.empty(ctx, r.Name)
		if err != nil {
			return err
		}
		a.Notify(fmt.Sprintf("Removing repository %s (function removed; %d %s deleted)", r.Name, n, ui.Plural(n, "image", "images")))
	}
	if p.After == ActionDelete {
		a.Notify(fmt.Sprintf("Deleting companion stack %s: no function needs a managed repository", p.Companion))
		return a.Stacks.DeleteStack(ctx, st, a.RoleARN)
	}
	if p.Action == ActionNone {
		a.noteAdoption(p)
	}
	_, err := a.update(ctx, p, p.Final)
	return err
}

// noteAdoption says so when the stack being updated was made by SAM CLI.
func (a *Applier) noteAdoption(p *Plan) {
	if p.Adopt {
		a.Notify(fmt.Sprintf("Taking over companion stack %s from SAM CLI (repositories kept)", p.Companion))
	}
}

func (a *Applier) update(ctx context.Context, p *Plan, body []byte) (*cfn.Stack, error) {
	in := &cloudformation.UpdateStackInput{StackName: aws.String(p.Companion), Tags: a.Tags, NotificationARNs: a.NotificationARNs}
	if a.RoleARN != "" {
		in.RoleARN = aws.String(a.RoleARN)
	}
	if in.Tags == nil {
		in.Tags = []cfntypes.Tag{} // an empty list clears tags a previous run set
	}
	if err := a.body(ctx, body, &in.TemplateBody, &in.TemplateURL); err != nil {
		return nil, err
	}
	return a.Stacks.UpdateStack(ctx, in)
}

// body sets the template inline when it fits, else uploads it.
func (a *Applier) body(ctx context.Context, b []byte, inline, url **string) error {
	if len(b) <= InlineLimit || a.Upload == nil {
		*inline = aws.String(string(b))
		return nil
	}
	u, err := a.Upload(ctx, b)
	if err != nil {
		return err
	}
	*url = aws.String(u)
	return nil
}

// empty deletes every image of a repository; see Empty.
func (a *Applier) empty(ctx context.Context, repo string) (int, error) {
	return Empty(ctx, a.Images, repo)
}

// Empty deletes every image id of a repository, 100 at a time, and returns how many images
// (distinct digests) it deleted. Deleting every tag of an image deletes the image.
func Empty(ctx context.Context, api ImagesAPI, repo string) (int, error) {
	ids, err := listImages(ctx, api, repo)
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(ids); i += 100 {
		end := min(i+100, len(ids))
		out, err := api.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String(repo), ImageIds: ids[i:end]})
		if err != nil {
			return 0, fmt.Errorf("delete images of repository %s: %w", repo, err)
		}
		if len(out.Failures) > 0 {
			f := out.Failures[0]
			return 0, fmt.Errorf("delete images of repository %s: %s: %s", repo, f.FailureCode, aws.ToString(f.FailureReason))
		}
	}
	return distinctDigests(ids), nil
}
