package companion

import (
	"context"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/ecr"
)

// Action is what a plan does to the companion stack.
type Action string

// Stack actions, in the order a plan can take them.
const (
	ActionNone     Action = "none"
	ActionCreate   Action = "create"
	ActionUpdate   Action = "update"
	ActionRecreate Action = "recreate" // ROLLBACK_COMPLETE: delete, then create
	ActionDelete   Action = "delete"
)

// Removal is a deployed repository no function references any more.
type Removal struct {
	Repo
	Images int
}

// Plan is what one deploy will do to the companion stack. Create and Keep make up the desired
// repositories; Remove is applied only after the main stack deployed successfully.
type Plan struct {
	Parent    string
	Companion string
	Create    []Repo
	Keep      []Repo
	Remove    []Removal
	// Action is the stack action before the main deploy (creations, adoption, recovery).
	Action Action
	// After is the stack action after a successful main deploy (removals).
	After Action
	// Adopt reports a companion stack SAM CLI created, which samship takes over when it must
	// change it.
	Adopt bool
	// Settled reports a deployed companion stack whose repositories all carry the settings
	// asked for, in whichever form (SAM CLI's or samship's) its template has them.
	Settled bool
	// Stack is the companion stack as found (nil when absent).
	Stack *cfn.Stack
	// Before and Final are the templates before and after the main deploy.
	Before, Final []byte
	// Settings are the repositories' settings both templates carry.
	Settings Settings
}

// Desired returns the repositories the functions need, sorted by logical id.
func (p *Plan) Desired() []Repo { return Dedupe(append(append([]Repo{}, p.Create...), p.Keep...)) }

// StackAPI is what planning needs from CloudFormation.
type StackAPI interface {
	Describe(ctx context.Context, name string) (*cfn.Stack, error)
	Template(ctx context.Context, name string) (string, error)
	WaitWhileInProgress(ctx context.Context, st *cfn.Stack, onWait func(string)) (*cfn.Stack, error)
}

// Images lists and deletes the images of repositories (ecr.Client).
type Images interface {
	ListImages(ctx context.Context, repo string) ([]ecr.ImageID, error)
	DeleteImages(ctx context.Context, repo string, ids []ecr.ImageID) error
}

// Reporter hears what planning and applying do; ui.Reporter shows it.
type Reporter interface {
	CompanionWaiting(stack, status string)
	CompanionRecreating(stack, status string)
	CompanionCreating(stack string, repos int)
	CompanionUpdating(stack string, repos int)
	CompanionDeleting(stack string)
	CompanionAdopted(stack string)
	RepositoryRemoved(name string, images int)
	RepositoryInUse(name, stack string)
	// RemovalDeferred says n repositories to remove are kept for the next deploy, and why.
	RemovalDeferred(n int, why string)
}

// Planner computes plans.
type Planner struct {
	Stacks StackAPI
	Images Images
	// Report hears of waits for a stack in progress.
	Report Reporter
	// Settings go into every repository (--image-repos-*).
	Settings Settings
	// Spare lists the full paths of functions whose repository is kept when the stack has
	// one, though none is needed (template.Tree.SAMRepoOnly).
	Spare []string
}

// Plan computes the plan for the application stack parent whose functions at fullPaths need
// managed repositories.
func (pl *Planner) Plan(ctx context.Context, parent string, fullPaths []string) (*Plan, error) {
	p := &Plan{Parent: parent, Companion: StackName(parent), Action: ActionNone, After: ActionNone, Settings: pl.Settings}
	var want []Repo
	for _, fp := range fullPaths {
		want = append(want, NewRepo(parent, fp))
	}
	if err := Check(want); err != nil {
		return nil, err
	}
	st, err := pl.Stacks.Describe(ctx, p.Companion)
	if err != nil && !cfn.IsNotFound(err) {
		return nil, err
	}
	if st != nil {
		st, err = pl.Stacks.WaitWhileInProgress(ctx, st, func(status string) {
			pl.Report.CompanionWaiting(p.Companion, status)
		})
		if err != nil && !cfn.IsNotFound(err) {
			return nil, err
		}
	}
	p.Stack = st
	deployed := map[string]Repo{}
	var deployedBody string
	if st != nil && st.Status != "ROLLBACK_COMPLETE" && st.Status != "REVIEW_IN_PROGRESS" {
		if deployedBody, err = pl.Stacks.Template(ctx, st.ID); err != nil {
			return nil, err
		}
		repos, sam, err := ParseDeployed(deployedBody)
		if err != nil {
			return nil, fmt.Errorf("read companion stack %s: %w", p.Companion, err)
		}
		p.Adopt = sam
		if p.Settled, err = settled(deployedBody, p.Companion, pl.Settings); err != nil {
			return nil, fmt.Errorf("read companion stack %s: %w", p.Companion, err)
		}
		for _, r := range repos {
			deployed[r.LogicalID] = r
		}
	}
	wanted := map[string]bool{}
	for _, r := range Dedupe(want) {
		wanted[r.LogicalID] = true
		if d, ok := deployed[r.LogicalID]; ok {
			if err := pl.Settings.checkEncryption(d); err != nil {
				return nil, err
			}
			r.Encryption = d.Encryption
			p.Keep = append(p.Keep, r)
		} else {
			r.Encryption = pl.Settings.encryption()
			p.Create = append(p.Create, r)
		}
	}
	// Keep function order for display; templates sort by logical id themselves.
	p.Create, p.Keep = inOrder(p.Create, want), inOrder(p.Keep, want)
	// A spare repository is kept after those needed, never created.
	for _, fp := range pl.Spare {
		r := NewRepo(parent, fp)
		if d, ok := deployed[r.LogicalID]; ok && !wanted[r.LogicalID] {
			d.FullPath = fp
			p.Keep = append(p.Keep, d)
			wanted[r.LogicalID] = true
		}
	}
	var removeIDs []string
	for id := range deployed {
		if !wanted[id] {
			removeIDs = append(removeIDs, id)
		}
	}
	sort.Strings(removeIDs)
	for _, id := range removeIDs {
		n, err := CountImages(ctx, pl.Images, deployed[id].Name)
		if err != nil {
			return nil, err
		}
		p.Remove = append(p.Remove, Removal{Repo: deployed[id], Images: n})
	}
	return p, p.decide(deployedBody)
}

// decide builds both templates and the stack actions.
func (p *Plan) decide(deployedBody string) error {
	desired := p.Desired()
	all := desired
	for _, r := range p.Remove {
		all = append(all, r.Repo)
	}
	all = Dedupe(all)
	var err error
	if p.Before, err = Template(p.Companion, all, p.Settings); err != nil {
		return err
	}
	if p.Final, err = Template(p.Companion, desired, p.Settings); err != nil {
		return err
	}
	// Before the main deploy the stack changes only to create repositories (or to recover
	// from a failed creation); everything else waits for a successful main deploy.
	current := deployedBody
	switch {
	case p.Stack == nil:
		if len(desired) > 0 {
			p.Action, current = ActionCreate, string(p.Before)
		}
	case p.Stack.Status == "ROLLBACK_COMPLETE" || p.Stack.Status == "REVIEW_IN_PROGRESS":
		p.Action, current = ActionRecreate, string(p.Before)
		if len(desired) == 0 {
			p.Action, current = ActionDelete, ""
		}
	case len(p.Create) > 0:
		p.Action, current = ActionUpdate, string(p.Before)
	}
	switch {
	case current == "":
	case len(desired) == 0:
		p.After = ActionDelete
	case p.Action == ActionNone && len(p.Remove) == 0 && p.Settled:
		// The stack holds exactly the repositories needed, with their settings: its form
		// (SAM CLI's Transform and outputs, or samship's) is no reason to update it, and
		// leaving it alone is what lets sam deploy and samship take turns without churn.
	case string(p.Final) != current:
		p.After = ActionUpdate
	}
	return nil
}

// settled reports whether every repository of a deployed companion template carries the
// settings s with SAM CLI's tag naming companion.
func settled(body, companion string, s Settings) (bool, error) {
	var doc struct {
		Resources map[string]deployedRepo `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return false, fmt.Errorf("parse deployed template: %w", err)
	}
	for _, r := range doc.Resources {
		if r.Type == "AWS::ECR::Repository" && !s.same(r, companion) {
			return false, nil
		}
	}
	return true, nil
}

func inOrder(rs []Repo, order []Repo) []Repo {
	pos := map[string]int{}
	for i, r := range order {
		if _, ok := pos[r.LogicalID]; !ok {
			pos[r.LogicalID] = i
		}
	}
	sort.SliceStable(rs, func(i, j int) bool { return pos[rs[i].LogicalID] < pos[rs[j].LogicalID] })
	return rs
}

// ParseDeployed reads the repositories of a deployed companion template (samship's or SAM
// CLI's), with their encryption, and reports whether SAM CLI made it (it carries the
// Serverless Transform).
func ParseDeployed(body string) ([]Repo, bool, error) {
	var doc struct {
		Transform any                     `yaml:"Transform"`
		Resources map[string]deployedRepo `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return nil, false, fmt.Errorf("parse deployed template: %w", err)
	}
	var repos []Repo
	for id, r := range doc.Resources {
		if r.Type != "AWS::ECR::Repository" {
			continue
		}
		name := r.Properties.RepositoryName
		if name == "" {
			return nil, false, fmt.Errorf("repository %s has no literal RepositoryName", id)
		}
		repos = append(repos, Repo{LogicalID: id, OutputID: id[:len(id)-len("Repo")] + "Out", Name: name, Encryption: r.encryption()})
	}
	sort.Slice(repos, func(i, j int) bool { return repos[i].LogicalID < repos[j].LogicalID })
	return repos, doc.Transform != nil, nil
}

// CountImages counts the images (distinct digests) of a repository; a repository that is
// already gone holds none.
func CountImages(ctx context.Context, api Images, repo string) (int, error) {
	ids, err := listImages(ctx, api, repo)
	return distinctDigests(ids), err
}

func distinctDigests(ids []ecr.ImageID) int {
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id.Digest] = true
	}
	return len(seen)
}

// listImages returns the image ids of a repository; one already gone holds none.
func listImages(ctx context.Context, api Images, repo string) ([]ecr.ImageID, error) {
	ids, err := api.ListImages(ctx, repo)
	if ecr.IsRepositoryNotFound(err) {
		return nil, nil
	}
	return ids, err
}
