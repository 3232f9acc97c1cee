package guided

import (
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/deploy"
)

// Reporter shows the lines a guided deploy prints around its questions (ui.Reporter, in SAM
// CLI's words).
type Reporter interface {
	companion.Reporter
	// GuidedStart heads the questions: the config file looked for, found or not.
	GuidedStart(configFile string, found bool)
	Hint(h Hint)
	LookingForResources()
	BucketToCreate(stack string)
	Bucket(name string)
	ImageReposNotFound()
	// ImageReposFound lists the functions' repositories found (of total image functions).
	ImageReposFound(found []deploy.KV, total int, someWithout bool)
	Unreferenced(repos []RepoImages)
	DeploymentAborted()
	Saved()
}

// Hint is one of the hints SAM CLI prints before some questions.
type Hint int

const (
	HintConfirm Hint = iota
	HintIAM
	HintRollback
)

// RepoImages is a repository and how many images it holds.
type RepoImages struct {
	URI    string
	Images int
}
