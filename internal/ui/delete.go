package ui

import "strings"

// The lines `samship delete` prints, in sam delete's words.

// NoSuchStack says the stack to delete does not exist (not an error, as in SAM CLI).
func (r *Reporter) NoSuchStack(stack, region string) {
	r.errf("Error: The input stack %s does not exist on Cloudformation in the region %s\n", stack, region)
}

// FinishingDelete says the application stack is gone but its companion stack is not: the
// rerun of an interrupted delete finishes it.
func (r *Reporter) FinishingDelete(stack, companion string) {
	r.errf("\tStack %s is already deleted; finishing its delete: ECR Companion Stack %s remains\n", stack, companion)
}

// FoundCompanion says the stack has an ECR companion stack.
func (r *Reporter) FoundCompanion(stack string) { r.errf("\tFound ECR Companion Stack %s\n", stack) }

// DeletingRepository says a repository goes with its images.
func (r *Reporter) DeletingRepository(name string, images int) {
	r.errf("\t- Deleting ECR repository %s (%d %s)\n", name, images, Plural(images, "image", "images"))
}

// DeletingStack says a stack is deleted.
func (r *Reporter) DeletingStack(stack string) {
	r.errf("\t- Deleting Cloudformation stack %s\n", stack)
}

// Retaining says the stack's resources named are kept (repositories that hold images).
func (r *Reporter) Retaining(logicalIDs []string) {
	r.errf("\t- Keeping %s\n", strings.Join(logicalIDs, ", "))
}

// KeepingCompanion says the companion stack stays with the repositories kept.
func (r *Reporter) KeepingCompanion(stack string, repos int) {
	r.errf("\t- Keeping ECR Companion Stack %s with %d %s\n", stack, repos, Plural(repos, "repository", "repositories"))
}

// DeletingCompanion says the companion stack is deleted.
func (r *Reporter) DeletingCompanion(stack string) {
	r.errf("\t- Deleting ECR Companion Stack %s\n", stack)
}

// DeletingImage, KeepingImage and NoSuchImage say what became of an image a function used.
func (r *Reporter) DeletingImage(tag, repo string) {
	r.errf("\t- Deleting ECR image %s in repository %s\n", tag, repo)
}

func (r *Reporter) KeepingImage(tag, repo string) {
	r.errf("\t- Keeping ECR image %s in repository %s: not pushed by samship or SAM CLI\n", tag, repo)
}

func (r *Reporter) NoSuchImage(tag, repo string) {
	r.errf("\t- Could not find image with tag %s in repository %s\n", tag, repo)
}

// DeletingObject and NoSuchObject say what became of an artifact in the bucket.
func (r *Reporter) DeletingObject(key string) { r.errf("\t- Deleting S3 object with key %s\n", key) }

// KeepingObject says an object the stack names is kept: it is not in the artifacts' bucket
// (another stack's, or someone's own, may use it).
func (r *Reporter) KeepingObject(bucket, key, artifactsBucket string) {
	r.errf("\t- Keeping S3 object s3://%s/%s: not in the artifacts bucket %s\n", bucket, key, artifactsBucket)
}

func (r *Reporter) NoSuchObject(key string) {
	r.errf("\t- Could not find and delete the S3 object with the key %s\n", key)
}

// NoBucket warns that the artifacts' bucket is unknown, so none were deleted.
func (r *Reporter) NoBucket() {
	r.errf("%s\n", r.Paint.Yellow("\nWarning: Cannot resolve s3 bucket information from command options , local config file or cloudformation template. Please use --s3-bucket next time and delete s3 files manually if required."))
}

// Deleted ends a delete.
func (r *Reporter) Deleted() { r.errf("\nDeleted successfully\n") }
