package deploy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/samship/samship/internal/companion"

	"github.com/samship/samship/internal/template"
)

// liveTemplates returns the templates the application stack has deployed now (its own and
// those of its nested stacks, depth first) and those of its change sets that may still be
// executed. What they name is in use, whatever this run planned: another deploy may have
// changed the stack since, or be about to. While another operation changes the stack, what
// it will run is not known: a companion.BusyError says so.
func (r *run) liveTemplates(ctx context.Context) ([]string, error) {
	st, err := r.e.CFN.Describe(ctx, r.in.StackName)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(st.Status, "_IN_PROGRESS") {
		return nil, &companion.BusyError{Stack: r.in.StackName, Status: st.Status}
	}
	pending, err := r.e.CFN.PendingTemplates(ctx, st.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(pending)) {
		out = append(out, pending[name])
	}
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
	return out, walk(st.ID, 0)
}
