package teardown

// Reporter hears what a delete does; ui.Reporter shows it in sam delete's words.
type Reporter interface {
	NoSuchStack(stack, region string)
	FinishingDelete(stack, companion string)
	FoundCompanion(stack string)
	DeletingStack(stack string)
	Retaining(logicalIDs []string)
	DeletingRepository(name string, images int)
	KeepingCompanion(stack string, repos int)
	DeletingCompanion(stack string)
	DeletingImage(tag, repo string)
	KeepingImage(tag, repo string)
	NoSuchImage(tag, repo string)
	DeletingObject(key string)
	KeepingObject(bucket, key, artifactsBucket string)
	NoSuchObject(key string)
	NoBucket()
	Deleted()
}

// Result is what a delete did. Run returns it with its error too: it then holds what was
// deleted before the error (a rerun deletes the rest).
type Result struct {
	StackName string `json:"stack_name"`
	Region    string `json:"region"`
	// StackDeleted says this run deleted the application stack; StackNotFound that it did not
	// exist (already deleted: the run may have finished deleting its companion stack).
	StackDeleted  bool `json:"stack_deleted"`
	StackNotFound bool `json:"stack_not_found,omitempty"`
	// RetainedResources are the logical ids of the stack's own repositories kept when it went.
	RetainedResources []string `json:"retained_resources,omitempty"`
	// Companion is the ECR companion stack, when there is one.
	Companion *CompanionStack `json:"companion_stack,omitempty"`
	// RepositoriesDeleted are the repositories emptied to go (the companion stack's, and the
	// stack's own ones asked to go), with how many images each held.
	RepositoriesDeleted []Repository `json:"repositories_deleted"`
	// ImagesDeleted and ImagesKept are the images the functions used outside the companion
	// stack: kept when neither samship nor SAM CLI pushed them.
	ImagesDeleted []Image `json:"images_deleted"`
	ImagesKept    []Image `json:"images_kept"`
	// ObjectsDeleted are the artifacts deleted from the bucket; ObjectsKept those the stack
	// names in another bucket.
	ObjectsDeleted []Object `json:"objects_deleted"`
	ObjectsKept    []Object `json:"objects_kept"`
	// NestedTemplates are the nested stacks' templates read for their artifacts.
	NestedTemplates []Object `json:"nested_templates"`
}

// CompanionStack is what became of the ECR companion stack.
type CompanionStack struct {
	StackName string `json:"stack_name"`
	// Deleted says the stack went; when not, it stays with KeptRepositories (all of them
	// when the answer was to keep it).
	Deleted          bool     `json:"deleted"`
	KeptRepositories []string `json:"kept_repositories"`
}

// Repository is a repository deleted and the number of images it held.
type Repository struct {
	Name   string `json:"repository_name"`
	Images int    `json:"images"`
}

// Image is an image by its tag.
type Image struct {
	Repository string `json:"repository_name"`
	Tag        string `json:"tag"`
}

// Object is an object in S3.
type Object struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

func newResult(in Input, region string) *Result {
	return &Result{StackName: in.StackName, Region: region, RepositoriesDeleted: []Repository{}, ImagesDeleted: []Image{},
		ImagesKept: []Image{}, ObjectsDeleted: []Object{}, ObjectsKept: []Object{}, NestedTemplates: []Object{}}
}
