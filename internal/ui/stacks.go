package ui

import "fmt"

// The stacks' notices: the companion stack's steps as planning and applying a plan report
// them (companion.Reporter), and waits for stacks other deploys are changing.

// CompanionWaiting says the companion stack is busy with another operation.
func (r *Reporter) CompanionWaiting(stack, status string) {
	r.Note(fmt.Sprintf("Companion stack %s is %s (another deploy?); waiting for it to finish", stack, status))
}

// CompanionRecreating says a companion stack whose creation failed is deleted first.
func (r *Reporter) CompanionRecreating(stack, status string) {
	r.Note(fmt.Sprintf("Companion stack %s is %s after a failed creation and holds no repositories: deleting it", stack, status))
}

// CompanionCreating says the companion stack is created with repos repositories.
func (r *Reporter) CompanionCreating(stack string, repos int) {
	r.Note(fmt.Sprintf("Creating companion stack %s with %d image %s", stack, repos, Plural(repos, "repository", "repositories")))
}

// CompanionUpdating says the companion stack gains repos repositories.
func (r *Reporter) CompanionUpdating(stack string, repos int) {
	r.Note(fmt.Sprintf("Updating companion stack %s: creating %d image %s", stack, repos, Plural(repos, "repository", "repositories")))
}

// CompanionDeleting says the companion stack goes: no function needs it.
func (r *Reporter) CompanionDeleting(stack string) {
	r.Note(fmt.Sprintf("Deleting companion stack %s: no function needs a managed repository", stack))
}

// CompanionAdopted says a companion stack SAM CLI made is taken over.
func (r *Reporter) CompanionAdopted(stack string) {
	r.Note(fmt.Sprintf("Taking over companion stack %s from SAM CLI (repositories kept)", stack))
}

// CompanionCreatedMeanwhile says another deploy created the companion stack first.
func (r *Reporter) CompanionCreatedMeanwhile(stack string) {
	r.Note(fmt.Sprintf("Companion stack %s was created by another deploy meanwhile; planning again on it", stack))
}

// RepositoryRemoved says an unreferenced repository was emptied and removed.
func (r *Reporter) RepositoryRemoved(name string, images int) {
	r.Note(fmt.Sprintf("Removing repository %s (function removed; %d %s deleted)", name, images, Plural(images, "image", "images")))
}

// RepositoryInUse says a repository to remove stays: the deployed stack uses it.
func (r *Reporter) RepositoryInUse(name, stack string) {
	r.Note(fmt.Sprintf("Keeping repository %s: the deployed stack %s uses it (another deploy changed it meanwhile)", name, stack))
}

// RemovalDeferred says the repositories to remove stay until a later deploy.
func (r *Reporter) RemovalDeferred(n int, why string) {
	r.Note(fmt.Sprintf("Kept %d unreferenced %s for the next deploy to remove: %s", n, Plural(n, "repository", "repositories"), why))
}

// StackWaiting says the application stack is busy with another operation.
func (r *Reporter) StackWaiting(stack, status string) {
	r.Note(fmt.Sprintf("Stack %s is %s (another deploy?); waiting for it to finish", stack, status))
}

// PollFailed says a status poll was throttled or failed and the wait goes on.
func (r *Reporter) PollFailed(err error) {
	r.Note(fmt.Sprintf("CloudFormation did not answer a status poll (%v); waiting on and asking again", err))
}
