package prune

import "time"

// Reporter hears what a prune does; ui.Reporter shows it.
type Reporter interface {
	// PruneReading says what is read before deciding: what the functions of stack run, and
	// the images of repos repositories.
	PruneReading(stack string, repos int)
	NoManagedRepositories(stack string)
	// PrunePlan lists, repository by repository, each image with what becomes of it.
	PrunePlan(stack string, repos []Repo, keep int)
	NothingToPrune(keep int)
	PruneDryRun()
	// PruneQuestion words the question asked before deleting n images of size bytes in repos
	// repositories.
	PruneQuestion(n int, size int64, repos int) string
	NowInUse(repo, digest string, by []string)
	KeptByIndex(repo, digest string)
	Pruned(n int, size int64)
}

// Reason is why an image stays.
type Reason string

// The reasons an image stays.
const (
	// InUse: a function, a version or an alias runs it, or a change set waiting to be
	// executed names it (Image.By says which).
	InUse Reason = "in_use"
	// Newest: it is among the --keep newest of its repository.
	Newest Reason = "newest"
	// TooYoung: it was pushed within --min-age.
	TooYoung Reason = "too_young"
	// Referenced: ECR kept it when asked to delete it, as an image index refers to it.
	Referenced Reason = "referenced_by_index"
)

// Result is what a prune decided and did. Run returns it with its error too: it then holds
// what was read and deleted before the error.
type Result struct {
	StackName string `json:"stack_name"`
	// CompanionStack is the name of the stack holding the managed repositories; "" when the
	// stack has none (nothing to prune).
	CompanionStack string `json:"companion_stack_name,omitempty"`
	DryRun         bool   `json:"dry_run"`
	// Keep is how many of the newest images of each repository stay (--keep).
	Keep         int    `json:"keep"`
	Repositories []Repo `json:"repositories"`
	// ImagesToDelete and BytesToFree are the images planned to go when Run returned (in a
	// dry run, what a run would delete); ImagesDeleted and BytesFreed are those that went.
	ImagesToDelete int   `json:"images_to_delete"`
	BytesToFree    int64 `json:"bytes_to_free"`
	ImagesDeleted  int   `json:"images_deleted"`
	BytesFreed     int64 `json:"bytes_freed"`
}

// Repo is one managed repository and what becomes of its images.
type Repo struct {
	Name string `json:"repository_name"`
	// Missing is a repository the companion stack names that ECR does not have.
	Missing bool    `json:"missing,omitempty"`
	Images  []Image `json:"images"` // newest first
	// Kept counts the images that stay, by why.
	Kept KeptCounts `json:"kept"`
}

// KeptCounts counts a repository's images that stay, by Reason.
type KeptCounts struct {
	InUse      int `json:"in_use"`
	Newest     int `json:"newest"`
	TooYoung   int `json:"too_young"`
	Referenced int `json:"referenced_by_index"`
}

// Image is one image and what becomes of it: it stays for Kept, or goes when Kept is ""
// (Deleted once it went).
type Image struct {
	Digest  string    `json:"digest"`
	Tags    []string  `json:"tags"`
	Size    int64     `json:"size_bytes"`
	Pushed  time.Time `json:"pushed_at"`
	Kept    Reason    `json:"kept,omitempty"`
	By      []string  `json:"in_use_by,omitempty"` // what runs it or will, when InUse
	Deleted bool      `json:"deleted"`
}
