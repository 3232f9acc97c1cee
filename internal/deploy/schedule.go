package deploy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
)

// deployAll makes what must exist and the change set at the same time, then deploys. The
// final template is known before anything is pushed or uploaded (repositories from names,
// tags from image ids, S3 keys from content), so two chains run at once:
//   - the companion stack's new repositories, then each image pushed into its repository;
//   - the managed bucket (only when something goes to S3), the artifacts uploaded, then the
//     change set (the template names the bucket).
//
// The change set executes only once both are done. When anything fails before, the change
// set, and the empty stack it made for a new application, are deleted: nothing is left
// behind. Repositories are still removed only after the application stack deployed.
func (r *run) deployAll(ctx context.Context, main *cfn.Stack) error {
	in := r.in
	needed, err := r.needsBucket(ctx, true)
	if err != nil {
		return err
	}
	bucketDone := false
	if in.ResolveImageRepos {
		r.newApplier()
		if r.applier.CheckUpload(r.plan) != nil {
			// The companion template itself must go through S3: the bucket comes first.
			if err := r.resolveBucket(ctx, true); err != nil {
				return err
			}
			bucketDone = true
			r.newApplier() // now uploading through it
		}
		if err := r.checkPlan(); err != nil {
			return err
		}
	}
	refs, err := r.refsToDeploy(ctx)
	if err != nil {
		return err
	}
	r.refs = refs
	var cs *cfn.ChangeSet
	var csErr, bErr error
	csReady := make(chan struct{}) // the change set chain is done; cs, csErr and bErr are set
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if in.ResolveImageRepos {
			if err := r.prepareCompanion(gctx); err != nil {
				return err
			}
		}
		pushed, err := r.push(gctx)
		if err != nil {
			return err
		}
		for fp, ref := range pushed {
			if refs[fp] != ref {
				return fmt.Errorf("push image of function %s: pushed as %s, but the change set names %s", fp, ref, refs[fp])
			}
		}
		return nil
	})
	g.Go(func() error {
		defer close(csReady)
		bErr = r.changeSetChain(gctx, main, bucketDone, needed, refs, &cs, &csErr)
		return bErr
	})
	done := make(chan error, 1)
	go func() {
		err := g.Wait()
		if err != nil && cs != nil {
			r.abandon(ctx, cs)
		}
		done <- err
	}()
	// all waits for both chains (the images in place), once.
	var allErr error
	finished := false
	all := func() error {
		if !finished {
			allErr, finished = <-done, true
		}
		return allErr
	}
	if in.ConfirmChangeset && !in.NoExecuteChangeset {
		// The question comes as soon as the change set is ready; pushes may still be going.
		select {
		case <-csReady:
		case allErr = <-done:
			finished = true
		}
		if bErr != nil || finished && allErr != nil {
			return all()
		}
	} else if err := all(); err != nil {
		return err
	}
	r.printSummary(ctx)
	return r.deployMain(ctx, main, cs, csErr, all)
}

// changeSetChain finds or makes the bucket when needed, uploads the artifacts, packages the
// template and creates the change set (an empty one is no error here: csErr tells).
func (r *run) changeSetChain(ctx context.Context, main *cfn.Stack, bucketDone, needed bool, refs map[string]string, cs **cfn.ChangeSet, csErr *error) error {
	if !bucketDone {
		if err := r.resolveBucket(ctx, needed); err != nil {
			return err
		}
	}
	deployed := ""
	if main != nil && main.Status != "REVIEW_IN_PROGRESS" {
		deployed = main.ID
	}
	var err error
	if r.body, err = r.packageTree(ctx, refs, deployed); err != nil {
		return err
	}
	*cs, *csErr = r.createChangeSet(ctx, main)
	var empty *cfn.ChangeSetEmptyError
	if errors.As(*csErr, &empty) {
		return nil
	}
	return *csErr
}

// refsToDeploy returns the references the template will name for the pushed images, by
// function: managed repositories need the account id (from a stack's ARN, else STS).
func (r *run) refsToDeploy(ctx context.Context) (map[string]string, error) {
	account := ""
	if len(r.in.Managed) > 0 && len(r.in.Push) > 0 {
		var err error
		if account, err = r.e.Account(ctx); err != nil {
			return nil, err
		}
	}
	return r.plannedRefs(account), nil
}

// needsBucket reports whether something must go to S3: local artifacts, nested templates,
// or (when it must be deployed inline) a template over CloudFormation's inline limit.
func (r *run) needsBucket(ctx context.Context, inline bool) (bool, error) {
	stacks := r.in.Tree.Stacks
	if len(stacks) > 1 {
		return true, nil
	}
	for _, st := range stacks {
		if len(st.Template.LocalArtifacts()) > 0 {
			return true, nil
		}
	}
	if !inline {
		return false, nil
	}
	// Every account id has 12 digits: a stand-in gives the exact size without asking STS.
	body, err := r.packageTree(ctx, r.plannedRefs("000000000000"), "") // nothing to upload
	return len(body) > companion.InlineLimit, err
}

// abandon deletes a change set that will not be executed, and the empty stack it made for a
// new application, and says so. It outlives the run's cancellation, briefly.
func (r *run) abandon(ctx context.Context, cs *cfn.ChangeSet) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	stack, err := r.e.CFN.Abandon(ctx, cs)
	if err != nil {
		r.e.UI.Note(fmt.Sprintf("Could not delete change set %s: %v", cs.ARN, err))
		return
	}
	r.e.UI.Abandoned(r.in.StackName, stack)
}
