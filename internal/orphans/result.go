package orphans

import "time"

// Reporter hears what orphans finds and does; ui.Reporter shows it.
type Reporter interface {
	// Orphans lists the orphans found in region, and the companion stacks left alone.
	Orphans(region string, found []Orphan, young []LeftAlone, minAge time.Duration)
	// OrphanQuestion words the question asked before deleting an orphan.
	OrphanQuestion(stack string, repos []Repo) string
	NoLongerOrphan(stack string)
	DeletingRepository(name string, images int)
	DeletingCompanion(stack string)
	Deleted()
}

// Result is what orphans found in a region and deleted. Run returns it with its error too:
// it then holds what was found, and deleted, before the error.
type Result struct {
	Region string `json:"region"`
	// Orphans are the companion stacks whose application stack is gone.
	Orphans []Orphan `json:"orphans"`
	// LeftAlone are the companion stacks without an application stack too recent, or being
	// changed, to call orphaned.
	LeftAlone []LeftAlone `json:"left_alone"`
	// Deleted names the orphans deleted (--delete).
	Deleted []string `json:"deleted"`
	// NoLongerOrphans names the orphans chosen for deletion and kept: since they were listed,
	// their application stack appeared or they began to change.
	NoLongerOrphans []string `json:"no_longer_orphans,omitempty"`
}

// Orphan is a companion stack whose application stack is gone.
type Orphan struct {
	StackName string `json:"stack_name"`
	// ParentStackName is the application stack's name, or its start when the companion
	// stack's name holds only that (ParentTruncated).
	ParentStackName string    `json:"parent_stack_name"`
	ParentTruncated bool      `json:"parent_stack_name_truncated,omitempty"`
	LastChanged     time.Time `json:"last_changed"`
	// AgeSeconds is the time since LastChanged, by AWS's clock, to the second.
	AgeSeconds   int64  `json:"age_seconds"`
	Repositories []Repo `json:"repositories"`
}

// Repo is one repository of an orphan and how many images it holds.
type Repo struct {
	Name   string `json:"repository_name"`
	Images int    `json:"images"`
}

// LeftAlone is a companion stack without its application stack that is too recent, or
// being changed, to call orphaned: a first deploy creates it before the application stack.
type LeftAlone struct {
	StackName   string    `json:"stack_name"`
	Status      string    `json:"stack_status"`
	LastChanged time.Time `json:"last_changed"`
	// AgeSeconds is the time since LastChanged, by AWS's clock, to the second.
	AgeSeconds int64 `json:"age_seconds"`
	InProgress bool  `json:"in_progress"`
}

// seconds is d to the nearest second.
func seconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }
