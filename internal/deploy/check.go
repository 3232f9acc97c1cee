package deploy

import (
	"context"
	"fmt"
	"strings"
)

// checkImages makes sure, once this run's change set is executed, that every image the
// deployed template names and this run pushed (or found there) is still in its registry:
// another run (a deploy of the same stack that removed a function, a prune) may have deleted
// it while this one ran,
// and a function whose image is gone fails on its next cold start. It fails loudly, naming
// the functions; a rerun pushes the images again.
func (r *run) checkImages(ctx context.Context) error {
	fns, missing, err := r.images.Missing(ctx, r.refs)
	if err != nil {
		// The images were just pushed or found with the same access: a look that fails says
		// nothing about them, and the deploy itself succeeded.
		r.e.UI.Note(fmt.Sprintf("Could not check that the deployed images are still there: %v", err))
		return nil
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("stack %s deployed, but the image of %s %s is gone from its repository (%s): another run deleted it while this deploy ran, a deploy of this stack removing the function or a prune; run samship deploy again to push it back",
		r.in.StackName, functions(len(fns)), strings.Join(fns, ", "), strings.Join(missing, ", "))
}

func functions(n int) string {
	if n == 1 {
		return "function"
	}
	return "functions"
}
