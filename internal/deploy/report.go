package deploy

import (
	"time"

	"github.com/samship/samship/internal/artifacts"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/images"
)

// Reporter hears what a deploy (or a package) does, as it happens. ui.Reporter renders it as
// SAM CLI's text; output.JSON as SAM CLI's JSON lines.
type Reporter interface {
	companion.Reporter
	artifacts.Reporter
	images.Reporter
	// Note is a line of samship's own, for people: a note, or a warning of something kept.
	Note(s string)
	Bucket(name string)
	StackWaiting(stack, status string)
	CompanionCreatedMeanwhile(stack string)
	Plan(p *companion.Plan)
	ScanOnPush(s ecr.Scanning, err error, repos []string)
	// Kept says n unreferenced repositories stay, and why.
	Kept(n int, why string)
	Deploying(s Summary)
	CreatingChangeSet()
	NoChanges(why error)
	ChangeSet(cs *cfn.ChangeSet)
	// Preview comes before the question of --confirm-changeset; Hold keeps lines off the
	// screen while it is asked, Release writes them after the answer.
	Preview()
	Hold()
	Release()
	StackEvents(stack, op string, now time.Time, interval time.Duration, live bool) cfn.Follower
	DeletingFailed(stack string)
	Outputs(outputs []cfn.Output)
	Deployed(stack, region string, express bool)
	Abandoned(stack string, stackToo bool)
}

// Summary is SAM CLI's "Deploying with following values" block.
type Summary struct {
	Stack, Region            string
	Confirm, DisableRollback bool
	Repos                    []KV // function → repository, when functions have their own
	ImageRepository, Bucket  string
	Capabilities             []string
	Overrides                []KV // NoEcho values already masked
}

// Result is what a deploy did. When the deploy failed it is what was known when it stopped.
type Result struct {
	StackName, Region string
	// ChangeSet is the main stack's change set; nil when none was made (nothing to deploy, or
	// the deploy stopped before).
	ChangeSet *cfn.ChangeSet
	// NoChanges says the stack already was what was asked for.
	NoChanges bool
	// Executed says the change set was executed; StackStatus is the stack's status after it.
	Executed    bool
	StackStatus string
	Outputs     []cfn.Output
	// Images are the images of the functions, as pushed or found in place.
	Images []Image
	// Companion is the companion stack ("" without --resolve-image-repos), and the
	// repositories it created, kept and removed.
	Companion              string
	Created, Kept, Removed []string
}

// Image is one function's image, in place in its repository.
type Image struct {
	Function, Source, Ref string
	// Digest is the digest of the manifest Ref names.
	Digest string
	Pushed bool
}
