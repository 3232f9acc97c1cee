package sync

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/template"
)

// Deployed reads what a stack was last deployed with (cfn.Client).
type Deployed interface {
	Describe(ctx context.Context, name string) (*cfn.Stack, error)
	Template(ctx context.Context, name string) (string, error)
}

// InfraChange says why a sync without --code deploys before it syncs the code: the stack
// does not exist yet, its template differs from the one at path beyond the functions'
// images, or a parameter given differs from the stack's value of it. "" when nothing but code
// changed: the sync then skips the deploy, as sam sync does when its template is unchanged.
// A look that fails is a reason too: the deploy decides.
func InfraChange(ctx context.Context, d Deployed, stack, path string, overrides map[string]string) string {
	st, err := d.Describe(ctx, stack)
	if cfn.IsNotFound(err) {
		return fmt.Sprintf("stack %s does not exist yet", stack)
	}
	if err != nil {
		return err.Error()
	}
	if !cfn.Succeeded(st.Status) {
		return fmt.Sprintf("stack %s is %s", stack, st.Status)
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := st.Values[k]; ok && v != overrides[k] { // one the stack lacks is new in the template
			return fmt.Sprintf("parameter %s changed", k)
		}
	}
	deployed, err := d.Template(ctx, stack)
	if err != nil {
		return err.Error()
	}
	local, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	same, err := template.SameInfrastructure(local, []byte(deployed))
	switch {
	case err != nil:
		return err.Error()
	case !same:
		return "the template changed"
	}
	return ""
}
