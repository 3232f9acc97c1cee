package companion

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/ecr"
)

// StackOps is what applying needs from CloudFormation.
type StackOps interface {
	CreateStack(context.Context, *cloudformation.CreateStackInput) (*cfn.Stack, error)
	UpdateStack(context.Context, *cloudformation.UpdateStackInput) (*cfn.Stack, error)
	DeleteStack(ctx context.Context, st *cfn.Stack, roleARN string, retain ...string) error
	Template(ctx context.Context, name string) (string, error)
}

// Applier carries out plans. The companion stack follows the main stack's settings: the same
// service role, stack tags and notification topics.
type Applier struct {
	Stacks StackOps
	Images Images
	// Upload stores a template too large to send inline and returns its URL; nil when no
	// bucket is available.
	Upload           func(ctx context.Context, body []byte) (string, error)
	RoleARN          string
	Tags             []cfntypes.Tag
	NotificationARNs []string
	// Report hears of each step taken.
	Report Reporter
	// LiveTemplates returns the templates the application stack has deployed now, nested
	// stacks' included, and those of its change sets that may still be executed: a
	// repository one of them names is in use and is never removed. It returns a BusyError
	// while another operation is changing the application stack.
	LiveTemplates func(ctx context.Context) ([]string, error)
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
		a.Report.CompanionRecreating(p.Companion, p.Stack.Status)
		if err := a.Stacks.DeleteStack(ctx, p.Stack, a.RoleARN); err != nil {
			return nil, err
		}
		if p.Action == ActionDelete {
			return nil, nil
		}
		fallthrough
	case ActionCreate:
		a.Report.CompanionCreating(p.Companion, len(p.Create))
		in := &cloudformation.CreateStackInput{StackName: aws.String(p.Companion), Tags: a.Tags, NotificationARNs: a.NotificationARNs}
		if a.RoleARN != "" {
			in.RoleARN = aws.String(a.RoleARN)
		}
		if err := a.body(ctx, p.Before, &in.TemplateBody, &in.TemplateURL); err != nil {
			return nil, err
		}
		return a.Stacks.CreateStack(ctx, in)
	case ActionUpdate:
		a.Report.CompanionUpdating(p.Companion, len(p.Create))
		a.noteAdoption(p)
		return a.update(ctx, p, p.Before)
	}
	return nil, fmt.Errorf("companion stack %s: unknown action %q", p.Companion, p.Action)
}

// Finish applies the part of the plan that waits for a successful main deploy: emptying and
// removing unreferenced repositories, adopting a SAM CLI stack, or deleting an empty stack.
//
// Another deploy of the same stack may have run since the plan was made. So a repository the
// live application stack names (LiveTemplates) is kept whatever the plan says, and the
// companion stack is updated from the template it has now, less the repositories removed and
// plus the ones this deploy needs, never from the template planned at the start. It returns
// the repositories it removed (before the error, when there is one).
func (a *Applier) Finish(ctx context.Context, p *Plan, st *cfn.Stack) ([]Removal, error) {
	if p.After == ActionNone {
		return nil, nil
	}
	remove, err := a.notInUse(ctx, p, p.Remove)
	if err != nil {
		return nil, err
	}
	var removed []Removal
	for _, r := range remove {
		ids, err := listImages(ctx, a.Images, r.Name)
		if err != nil {
			return removed, err
		}
		// Once more right before deleting: another run may have deployed meanwhile.
		if again, err := a.notInUse(ctx, p, []Removal{r}); err != nil || len(again) == 0 {
			if err != nil {
				return removed, err
			}
			continue
		}
		if err := a.Images.DeleteImages(ctx, r.Name, ids); err != nil && !ecr.IsRepositoryNotFound(err) {
			return removed, err
		}
		a.Report.RepositoryRemoved(r.Name, distinctDigests(ids))
		removed = append(removed, r)
	}
	current, err := a.Stacks.Template(ctx, p.Companion)
	if err != nil {
		return removed, err
	}
	repos, _, err := ParseDeployed(current)
	if err != nil {
		return removed, fmt.Errorf("read companion stack %s: %w", p.Companion, err)
	}
	gone := map[string]bool{}
	for _, r := range removed {
		gone[r.Name] = true
	}
	keep := p.Desired()
	for _, r := range repos {
		if !gone[r.Name] {
			keep = append(keep, r)
		}
	}
	keep = Dedupe(keep)
	if len(keep) == 0 {
		a.Report.CompanionDeleting(p.Companion)
		return removed, a.Stacks.DeleteStack(ctx, st, a.RoleARN)
	}
	body, err := Template(p.Companion, keep, p.Settings)
	if err != nil {
		return removed, err
	}
	if string(body) == current {
		return removed, nil
	}
	if p.Action == ActionNone {
		a.noteAdoption(p)
	}
	_, err = a.update(ctx, p, body)
	return removed, err
}

// notInUse returns the removals that no live template of the application stack names, and
// says so for each one kept.
func (a *Applier) notInUse(ctx context.Context, p *Plan, remove []Removal) ([]Removal, error) {
	if len(remove) == 0 || a.LiveTemplates == nil {
		return remove, nil
	}
	live, err := a.LiveTemplates(ctx)
	var busy *BusyError
	if errors.As(err, &busy) {
		a.Report.RemovalDeferred(len(remove), busy.Error())
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the deployed templates of stack %s before removing repositories: %w", p.Parent, err)
	}
	var out []Removal
	for _, r := range remove {
		if named(live, r.Name) {
			a.Report.RepositoryInUse(r.Name, p.Parent)
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// BusyError says the application stack is being changed by another operation (a deploy
// executing its change set, a delete): what it will run is not known yet.
type BusyError struct{ Stack, Status string }

func (e *BusyError) Error() string {
	return fmt.Sprintf("stack %s is %s: another run is changing it", e.Stack, e.Status)
}

// named reports whether a template names an image of repository repo (repo:tag or
// repo@digest, after the registry host), in any form: a literal, a Sub, a parameter default.
func named(templates []string, repo string) bool {
	for _, t := range templates {
		for _, sep := range []string{":", "@"} {
			if strings.Contains(t, "/"+repo+sep) {
				return true
			}
		}
	}
	return false
}

// noteAdoption says so when the stack being updated was made by SAM CLI.
func (a *Applier) noteAdoption(p *Plan) {
	if p.Adopt {
		a.Report.CompanionAdopted(p.Companion)
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

// Empty deletes every image of a repository and returns how many images (distinct digests)
// it deleted; a repository already gone holds none.
func Empty(ctx context.Context, api Images, repo string) (int, error) {
	ids, err := listImages(ctx, api, repo)
	if err != nil {
		return 0, err
	}
	if err := api.DeleteImages(ctx, repo, ids); err != nil && !ecr.IsRepositoryNotFound(err) {
		return 0, err
	}
	return distinctDigests(ids), nil
}
