package output

import (
	"fmt"
	"time"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ui"
)

var _ deploy.Reporter = (*JSON)(nil)

// Deploying says which stack, in which region, is deployed; SAM CLI's table of values is for
// people.
func (j *JSON) Deploying(s deploy.Summary) {
	j.Info(fmt.Sprintf("Deploying stack %s in %s", s.Stack, s.Region))
}

// planRecord is samship's plan for the managed repositories: what the companion stack
// creates, keeps and removes.
type planRecord struct {
	Type           string       `json:"type"`
	CompanionStack string       `json:"companion_stack"`
	Action         string       `json:"action"`
	Create         []repoRecord `json:"create"`
	Keep           []repoRecord `json:"keep"`
	Remove         []repoRecord `json:"remove"`
}

type repoRecord struct {
	Function   string `json:"function,omitempty"`
	Repository string `json:"repository"`
	Images     *int   `json:"images,omitempty"`
}

// Plan writes the plan record.
func (j *JSON) Plan(p *companion.Plan) {
	rec := planRecord{Type: "plan", CompanionStack: p.Companion, Action: string(p.Action),
		Create: []repoRecord{}, Keep: []repoRecord{}, Remove: []repoRecord{}}
	if p.Action == companion.ActionNone && p.After != companion.ActionNone {
		rec.Action = string(p.After) + " after the deploy"
	}
	for _, c := range p.Create {
		rec.Create = append(rec.Create, repoRecord{Function: c.FullPath, Repository: c.Name})
	}
	for _, k := range p.Keep {
		rec.Keep = append(rec.Keep, repoRecord{Function: k.FullPath, Repository: k.Name})
	}
	for _, rm := range p.Remove {
		rec.Remove = append(rec.Remove, repoRecord{Repository: rm.Name, Images: &rm.Images})
	}
	j.record(rec)
}

// The notices of something kept, or left unchecked, are warnings.

func (j *JSON) Kept(n int, why string) { j.warn(func(r *ui.Reporter) { r.Kept(n, why) }) }
func (j *JSON) RepositoryInUse(name, stack string) {
	j.warn(func(r *ui.Reporter) { r.RepositoryInUse(name, stack) })
}
func (j *JSON) RemovalDeferred(n int, why string) {
	j.warn(func(r *ui.Reporter) { r.RemovalDeferred(n, why) })
}
func (j *JSON) ScanOnPush(s ecr.Scanning, err error, repos []string) {
	if err != nil {
		j.warn(func(r *ui.Reporter) { r.ScanOnPush(s, err, repos) })
		return
	}
	j.Reporter.ScanOnPush(s, err, repos)
}
func (j *JSON) PollFailed(err error) { j.warn(func(r *ui.Reporter) { r.PollFailed(err) }) }

// No question is asked in JSON mode: these have nothing to do.
func (j *JSON) Preview() {}
func (j *JSON) Hold()    {}
func (j *JSON) Release() {}

// changesetRecord is SAM CLI's changeset record: the changes of the change set created.
type changesetRecord struct {
	Type          string         `json:"type"`
	ChangesetID   string         `json:"changeset_id"`
	ChangesetType string         `json:"changeset_type"`
	Changes       []changeRecord `json:"changes"`
}

type changeRecord struct {
	Operation         string `json:"operation"`
	LogicalResourceID string `json:"logical_resource_id"`
	ResourceType      string `json:"resource_type"`
	Replacement       string `json:"replacement"`
}

// ChangeSet writes the changeset record, the operations in SAM CLI's words (Add, Modify,
// Delete).
func (j *JSON) ChangeSet(cs *cfn.ChangeSet) {
	rec := changesetRecord{Type: "changeset", ChangesetID: cs.ARN, ChangesetType: "UPDATE", Changes: []changeRecord{}}
	if cs.Create {
		rec.ChangesetType = "CREATE"
	}
	for _, c := range cs.Changes {
		op := c.Action
		if op == "Remove" {
			op = "Delete"
		}
		repl := c.Replacement
		if repl == "" {
			repl = "N/A"
		}
		rec.Changes = append(rec.Changes, changeRecord{Operation: op, LogicalResourceID: c.LogicalID, ResourceType: c.Type, Replacement: repl})
	}
	j.record(rec)
}

// eventRecord is SAM CLI's event record: one stack event.
type eventRecord struct {
	Type                 string `json:"type"`
	Timestamp            string `json:"timestamp"`
	ResourceStatus       string `json:"resource_status"`
	ResourceType         string `json:"resource_type"`
	LogicalResourceID    string `json:"logical_resource_id"`
	ResourceStatusReason string `json:"resource_status_reason"`
}

// StackEvents follows the stack's events as event records.
func (j *JSON) StackEvents(stack, op string, now time.Time, interval time.Duration, live bool) cfn.Follower {
	j.Info(fmt.Sprintf("Waiting for stack %s to complete", op))
	return events{j}
}

type events struct{ j *JSON }

func (e events) Event(ev cfn.Event) {
	e.j.record(eventRecord{Type: "event", Timestamp: Time(ev.Time), ResourceStatus: ev.Status,
		ResourceType: ev.Type, LogicalResourceID: ev.LogicalID, ResourceStatusReason: ev.Reason})
}

func (e events) End(*cfn.Stack, error) {}

// Time is how records write times: UTC, RFC 3339 with milliseconds.
func Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// outputsRecord is SAM CLI's outputs record: the deployed stack's outputs.
type outputsRecord struct {
	Type    string         `json:"type"`
	Outputs []outputRecord `json:"outputs"`
}

type outputRecord struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	Value       string `json:"value"`
	ExportName  string `json:"export_name,omitempty"`
}

// Outputs writes the outputs record, when the stack has outputs.
func (j *JSON) Outputs(outputs []cfn.Output) {
	if len(outputs) == 0 {
		return
	}
	j.record(outputsRecord{Type: "outputs", Outputs: outputList(outputs)})
}

func outputList(outputs []cfn.Output) []outputRecord {
	out := []outputRecord{}
	for _, o := range outputs {
		out = append(out, outputRecord{Key: o.Key, Description: o.Description, Value: o.Value, ExportName: o.ExportName})
	}
	return out
}
