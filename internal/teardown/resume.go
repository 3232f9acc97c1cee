package teardown

import (
	"context"
	"fmt"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
)

// resume plans the rest of a delete whose application stack is already gone (an earlier
// delete interrupted after it, or the stack deleted some other way): its companion stack, with
// its repositories and their images, goes as the whole delete would have taken it, after the
// same questions. Without a companion stack (or with a stack that only looks like one: not
// SAM CLI's description, or repositories not tagged for it) there is nothing to finish: the
// stack does not exist, which is not an error, as in SAM CLI. The images the application's
// functions used outside the companion stack and its artifacts in the bucket are named only
// by its template, which went with it.
func resume(ctx context.Context, in Input, e Env, yes func(string) (bool, error), res *Result) (*plan, error) {
	name := companion.StackName(in.StackName)
	comp, err := e.Stacks.Describe(ctx, name)
	if cfn.IsNotFound(err) {
		e.UI.NoSuchStack(in.StackName, e.Region)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	body, err := e.Stacks.Template(ctx, comp.ID)
	if err != nil {
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return nil, fmt.Errorf("Failed to fetch the template for the stack: %s, %w", name, err)
	}
	repos, _, err := companion.ParseDeployed(body)
	if err != nil {
		return nil, fmt.Errorf("read companion stack %s: %w", name, err)
	}
	if !companion.IsCompanion(name, comp.Description) || len(repos) > 0 && !companion.TaggedFor(body, name) {
		e.UI.NoSuchStack(in.StackName, e.Region)
		return nil, nil
	}
	e.UI.FinishingDelete(in.StackName, name)
	p := &plan{comp: comp, compName: name, res: res}
	ok, err := yes(fmt.Sprintf("\tDo you want to delete the ECR companion stack %s in the region %s ?", name, e.Region))
	if err != nil {
		return nil, err
	}
	if err := p.askRepos(ctx, e, ok, yes); err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil // nothing else of the application is left to delete
	}
	return p, nil
}
