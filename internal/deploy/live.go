package deploy

import (
	"context"
	"fmt"

	"github.com/samship/samship/internal/template"
)

// liveTemplates returns the templates the application stack has deployed now: its own and
// those of its nested stacks, depth first. What they name is in use, whatever this run
// planned (another deploy may have changed the stack since).
func (r *run) liveTemplates(ctx context.Context) ([]string, error) {
	var out []string
	var walk func(stack string, depth int) error
	walk = func(stack string, depth int) error {
		if depth > 10 {
			return fmt.Errorf("stack %s: nested more than 10 deep", stack)
		}
		body, err := r.e.CFN.Template(ctx, stack)
		if err != nil {
			return err
		}
		out = append(out, body)
		tpl, err := template.Parse(stack, []byte(body))
		if err != nil {
			return fmt.Errorf("read deployed template of stack %s: %w", stack, err)
		}
		for _, id := range tpl.NestedStacks() {
			child, err := r.e.CFN.ResourcePhysicalID(ctx, stack, id)
			if err != nil {
				return err
			}
			if err := walk(child, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(r.in.StackName, 0)
}
