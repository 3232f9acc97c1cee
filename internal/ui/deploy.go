package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/ecr"
)

// Bucket shows the managed bucket, in SAM CLI's lines.
func (r *Reporter) Bucket(name string) {
	r.errf("\n\t%s\n", r.Paint.Bold("Managed S3 bucket: "+name))
	r.errf("\tAuto resolution of buckets can be turned off by setting resolve_s3=False\n\tTo use a specific S3 bucket, set --s3-bucket=<bucket_name>\n\tAbove settings can be stored in samconfig.toml\n")
}

// BucketToCreate says that the managed bucket stack does not exist yet.
func (r *Reporter) BucketToCreate(stack string) {
	r.errf("\n\t%s\n", r.Paint.Bold("Managed S3 bucket: none yet; stack "+stack+" will be created when deploying"))
}

// CreatingResources and Created frame the creation of the managed bucket stack, as SAM CLI.
func (r *Reporter) CreatingResources() { r.errf("\tCreating the required resources...\n") }
func (r *Reporter) Created()           { r.errf("\tSuccessfully created!\n") }

// Plan shows what the companion stack will do, before anything changes.
func (r *Reporter) Plan(p *companion.Plan) {
	verb := map[companion.Action]string{
		companion.ActionNone: "up to date", companion.ActionCreate: "to create", companion.ActionUpdate: "to update",
		companion.ActionRecreate: "to recreate", companion.ActionDelete: "to delete",
	}[p.Action]
	if p.Action == companion.ActionNone && p.After != companion.ActionNone {
		verb = "to " + string(p.After) + " after the deploy"
	}
	r.errf("\n\t%s %s (%s)\n", r.Paint.Bold("Managed image repositories: companion stack"), p.Companion, verb)
	for _, c := range p.Create {
		r.errf("\t  %s %-30s %s (new)\n", r.Paint.Green("+"), c.FullPath, c.Name)
	}
	for _, k := range p.Keep {
		r.errf("\t  = %-30s %s\n", k.FullPath, k.Name)
	}
	for _, rm := range p.Remove {
		r.errf("\t  %s %s (unreferenced, %d %s: removed after a successful deploy)\n", r.Paint.Red("-"), rm.Name, rm.Images, Plural(rm.Images, "image", "images"))
	}
	if len(p.Create)+len(p.Keep)+len(p.Remove) == 0 {
		r.errf("\t  (no image functions)\n")
	}
	if d := p.Settings.Describe(); d != "" && len(p.Create)+len(p.Keep) > 0 {
		r.errf("\t  settings: %s\n", d)
	}
}

// ScanOnPush says which scanning applies to the managed repositories given
// --image-repos-scan-on-push: their own setting, or the registry's (which overrides it).
func (r *Reporter) ScanOnPush(s ecr.Scanning, err error, repos []string) {
	if err != nil {
		r.Note(fmt.Sprintf("Scan on push is set on the repositories; the registry's scanning configuration, which can override it, could not be read (%v)", err))
		return
	}
	if s.RepositorySettingApplies() {
		r.Note("Scan on push: set on each repository (the registry uses basic scanning without rules)")
		return
	}
	n := 0
	for _, repo := range repos {
		if s.ScannedOnPush(repo) {
			n++
		}
	}
	kind := "basic scanning rules"
	if s.Type == "ENHANCED" {
		kind = "enhanced scanning (Amazon Inspector)"
	}
	r.Note(fmt.Sprintf("Scan on push: the registry's %s decide instead of the repositories' setting; %d of %d managed %s scanned on push or continuously",
		kind, n, len(repos), Plural(len(repos), "repository is", "repositories are")))
}

// Kept says that the unreferenced repositories stay, and why.
func (r *Reporter) Kept(n int, why string) {
	if n > 0 {
		r.Note(fmt.Sprintf("Kept %d unreferenced %s: %s", n, Plural(n, "repository", "repositories"), why))
	}
}

// Deploying shows s, then "Initiating deployment".
func (r *Reporter) Deploying(s deploy.Summary) {
	r.errf("\n%s\n", r.Paint.Yellow("\tDeploying with following values\n\t==============================="))
	line := func(label, v string) { r.errf("\t%-29s: %s\n", label, v) }
	line("Stack name", s.Stack)
	line("Region", s.Region)
	line("Confirm changeset", pyBool(s.Confirm))
	line("Disable rollback", pyBool(s.DisableRollback))
	if len(s.Repos) > 0 {
		line("Deployment image repository", "")
		pad := strings.Repeat(" ", 39)
		r.errf("%s{\n", pad)
		for i, kv := range s.Repos {
			sep := ","
			if i == len(s.Repos)-1 {
				sep = ""
			}
			r.errf("%s    %s: %s%s\n", pad, jsonString(kv.Key), jsonString(kv.Value), sep)
		}
		r.errf("%s}\n", pad)
	} else if s.ImageRepository != "" {
		line("Deployment image repository", s.ImageRepository)
	}
	bucket := "None"
	if s.Bucket != "" {
		bucket = s.Bucket
	}
	line("Deployment s3 bucket", bucket)
	caps := "null"
	if len(s.Capabilities) > 0 {
		b, _ := json.Marshal(s.Capabilities)
		caps = strings.ReplaceAll(string(b), `","`, `", "`)
	}
	line("Capabilities", caps)
	parts := []string{}
	for _, kv := range s.Overrides {
		parts = append(parts, jsonString(kv.Key)+": "+jsonString(kv.Value))
	}
	line("Parameter overrides", "{"+strings.Join(parts, ", ")+"}")
	r.errf("\n%s\n", r.Paint.Yellow("Initiating deployment\n====================="))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// CreatingChangeSet says the change set is being created.
func (r *Reporter) CreatingChangeSet() { r.errf("\nWaiting for changeset to be created..\n") }

// NoChanges shows why nothing was deployed (the empty change set), when that is no error.
func (r *Reporter) NoChanges(why error) { r.errf("\n%s\n", why) }

// ChangeSet prints SAM CLI's change set table: adds, then modifies, then removes.
func (r *Reporter) ChangeSet(cs *cfn.ChangeSet) {
	p := r.Paint
	tb := NewTable(r.lines(), p, r.Width, "CloudFormation stack changeset", "Operation", "LogicalResourceId", "ResourceType", "Replacement")
	rows := 0
	for _, g := range []struct {
		action, label string
		paint         func(string) string
	}{{"Add", "+ Add", p.Green}, {"Modify", "* Modify", p.Yellow}, {"Remove", "- Delete", p.Red}} {
		for _, c := range cs.Changes {
			if c.Action != g.action {
				continue
			}
			repl := c.Replacement
			if repl == "" {
				repl = "N/A"
			}
			tb.Row(g.paint, g.label, c.LogicalID, c.Type, repl)
			rows++
		}
	}
	if rows == 0 {
		tb.Row(nil, "-", "-", "-", "-")
	}
	tb.Rule()
	r.errf("\nChangeset created successfully. %s\n", cs.ARN)
}

// Preview heads the question whether to deploy the change set (--confirm-changeset).
func (r *Reporter) Preview() {
	r.errf("\n%s\n", r.Paint.Yellow("Previewing CloudFormation changeset before deployment\n======================================================"))
}

// Events shows the events of the application stack's operation: on a terminal the live
// stack view, else (and with --no-progressbar) SAM CLI's table, a row per event as it comes.
type Events struct {
	r    *Reporter
	tb   *Table
	view *StackView
}

// StackEvents starts showing the events of operation ("create" or "update") on stack, begun
// at now and polled every interval; live asks for the live view, which only a terminal has.
func (r *Reporter) StackEvents(stack, op string, now time.Time, interval time.Duration, live bool) cfn.Follower {
	if live && r.Terminal {
		r.errf("\n")
		return &Events{r: r, view: r.followStack(stack, op)}
	}
	r.errf("\n%s - Waiting for stack create/update to complete\n", now.Format("2006-01-02 15:04:05"))
	tb := NewTable(r.lines(), r.Paint, r.Width, fmt.Sprintf("CloudFormation events from stack operations (refresh every %.1f seconds)", interval.Seconds()),
		"ResourceStatus", "ResourceType", "LogicalResourceId", "ResourceStatusReason")
	return &Events{r: r, tb: tb}
}

var redStatuses = map[string]bool{
	"CREATE_FAILED": true, "DELETE_FAILED": true, "DELETE_IN_PROGRESS": true, "ROLLBACK_COMPLETE": true,
	"ROLLBACK_IN_PROGRESS": true, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": true, "UPDATE_ROLLBACK_FAILED": true,
	"UPDATE_ROLLBACK_IN_PROGRESS": true, "ROLLBACK_FAILED": true,
}

// Event shows one stack event: a table row coloured as SAM CLI colours it, or a change in
// the live view.
func (e *Events) Event(ev cfn.Event) {
	if e.view != nil {
		e.view.Event(ev)
		return
	}
	p := e.r.Paint
	paint := p.Yellow
	switch {
	case ev.Status == "CREATE_COMPLETE" || ev.Status == "UPDATE_COMPLETE" || ev.Status == "DELETE_COMPLETE":
		paint = p.Green
	case redStatuses[ev.Status]:
		paint = p.Red
	}
	status := ev.Status
	if ev.Detailed != "" {
		status += " - " + ev.Detailed
	}
	reason := ev.Reason
	if reason == "" {
		reason = "-"
	}
	e.tb.Row(paint, status, ev.Type, ev.LogicalID, reason)
}

// End closes the table, or writes the live view's final lines (st is the stack as it
// ended, nil when the wait did not see the end).
func (e *Events) End(st *cfn.Stack, err error) {
	if e.view != nil {
		e.view.End(st, err)
		return
	}
	e.tb.Rule()
}

// DeletingFailed says a stack whose create failed is deleted (--on-failure DELETE).
func (r *Reporter) DeletingFailed(stack string) {
	r.errf("\n\tDeleting stack %s: its create failed (--on-failure DELETE)\n", stack)
}

// Outputs prints the stack outputs to Out, SAM CLI's table.
func (r *Reporter) Outputs(outputs []cfn.Output) {
	if len(outputs) == 0 {
		return
	}
	p := r.Paint
	tb := NewTable(r.Out, p, r.Width, "CloudFormation outputs from deployed stack", "Outputs")
	for i, o := range outputs {
		desc := o.Description
		if desc == "" {
			desc = "-"
		}
		tb.Row(p.Green, fmt.Sprintf("%-20s%s", "Key", o.Key))
		tb.Row(p.Green, fmt.Sprintf("%-20s%s", "Description", desc))
		tb.Row(p.Green, fmt.Sprintf("%-20s%s", "Value", o.Value))
		if i < len(outputs)-1 {
			fmt.Fprintln(r.Out)
		}
	}
	tb.Rule()
}

// Deployed says the stack deployed.
func (r *Reporter) Deployed(stack, region string, express bool) {
	r.errf("\nSuccessfully created/updated stack - %s in %s\n", stack, region)
	if express {
		r.errf("%s\n", r.Paint.Yellow("Express mode: CloudFormation finished when the configuration was applied; resources may still be becoming ready."))
	}
	r.errf("\n")
}

// AlreadyUploaded says an artifact is in the bucket already, as SAM CLI.
func (r *Reporter) AlreadyUploaded(key string) {
	r.errf("\n\tFile with same data already exists at %s, skipping upload\n", key)
}

// Uploaded says an artifact was put in the bucket, as SAM CLI.
func (r *Reporter) Uploaded(key string, size int64) { r.errf("\n\tUploaded %s  %d bytes\n", key, size) }

// Packaged says where the packaged template was written, as sam package.
func (r *Reporter) Packaged(output, abs string) {
	r.errf("\nSuccessfully packaged artifacts and wrote output template to file %s.\nExecute the following command to deploy the packaged template\nsamship deploy --template-file %s --stack-name <YOUR STACK NAME>\n\n", output, abs)
}

// SavedParams says the command line's options were saved (--save-params) to section of path.
func (r *Reporter) SavedParams(path, section string) {
	r.errf("\tSaved the command-line parameters to %s under [%s.parameters]\n", path, section)
}

// Abandoned says the change set of stack was deleted, with the empty stack it made when
// stackToo, because the deploy stopped before executing it.
func (r *Reporter) Abandoned(stack string, stackToo bool) {
	if stackToo {
		r.Note("Deleted the change set and the empty stack " + stack + " it created: nothing was deployed")
		return
	}
	r.Note("Deleted the change set of stack " + stack + ": nothing was deployed")
}
