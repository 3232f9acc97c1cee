package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ui"
)

// printPlan shows what the companion stack will do, before anything changes.
func (r *run) printPlan() {
	p, w := r.plan, r.e.Err
	verb := map[companion.Action]string{
		companion.ActionNone: "up to date", companion.ActionCreate: "to create", companion.ActionUpdate: "to update",
		companion.ActionRecreate: "to recreate", companion.ActionDelete: "to delete",
	}[p.Action]
	if p.Action == companion.ActionNone && p.After != companion.ActionNone {
		verb = "to " + string(p.After) + " after the deploy"
	}
	fmt.Fprintf(w, "\n\t%s %s (%s)\n", r.e.Paint.Bold("Managed image repositories: companion stack"), p.Companion, verb)
	for _, c := range p.Create {
		fmt.Fprintf(w, "\t  %s %-30s %s (new)\n", r.e.Paint.Green("+"), c.FullPath, c.Name)
	}
	for _, k := range p.Keep {
		fmt.Fprintf(w, "\t  = %-30s %s\n", k.FullPath, k.Name)
	}
	for _, rm := range p.Remove {
		fmt.Fprintf(w, "\t  %s %s (unreferenced, %d %s: removed after a successful deploy)\n", r.e.Paint.Red("-"), rm.Name, rm.Images, ui.Plural(rm.Images, "image", "images"))
	}
	if len(p.Create)+len(p.Keep)+len(p.Remove) == 0 {
		fmt.Fprintln(w, "\t  (no image functions)")
	}
}

// printSummary prints SAM CLI's "Deploying with following values" block.
func (r *run) printSummary(ctx context.Context) {
	in, w := r.in, r.e.Err
	fmt.Fprintf(w, "\n%s\n", r.e.Paint.Yellow("\tDeploying with following values\n\t==============================="))
	line := func(label, v string) { fmt.Fprintf(w, "\t%-29s: %s\n", label, v) }
	line("Stack name", in.StackName)
	line("Region", r.e.Region)
	line("Confirm changeset", pyBool(in.ConfirmChangeset))
	line("Disable rollback", pyBool(in.DisableRollback))
	if repos := r.repos(ctx); len(repos) > 0 {
		line("Deployment image repository", "")
		pad := strings.Repeat(" ", 39)
		fmt.Fprintf(w, "%s{\n", pad)
		for i, kv := range repos {
			k, _ := json.Marshal(kv.Key)
			v, _ := json.Marshal(kv.Value)
			sep := ","
			if i == len(repos)-1 {
				sep = ""
			}
			fmt.Fprintf(w, "%s    %s: %s%s\n", pad, k, v, sep)
		}
		fmt.Fprintf(w, "%s}\n", pad)
	} else if in.ImageRepository != "" {
		line("Deployment image repository", in.ImageRepository)
	}
	bucket := "None"
	if r.bucket != "" {
		bucket = r.bucket
	}
	line("Deployment s3 bucket", bucket)
	caps := "null"
	if len(in.Capabilities) > 0 {
		b, _ := json.Marshal(in.Capabilities)
		caps = strings.ReplaceAll(string(b), `","`, `", "`)
	}
	line("Capabilities", caps)
	line("Parameter overrides", r.overridesJSON())
	fmt.Fprintf(w, "\n%s\n", r.e.Paint.Yellow("Initiating deployment\n====================="))
}

// repos returns the function → repository mapping shown in the summary; managed URIs need the
// account id, which comes from a stack ARN when one exists, else from STS.
func (r *run) repos(ctx context.Context) []KV {
	if len(r.in.Managed) == 0 {
		return r.in.Repos("", r.e.Region)
	}
	account, err := r.e.Account(ctx)
	if err != nil {
		account = "<account>"
	}
	return r.in.Repos(account, r.e.Region)
}

func (r *run) overridesJSON() string {
	noEcho := map[string]bool{}
	for _, p := range r.in.Template.Parameters() {
		noEcho[p.Key] = p.NoEcho
	}
	parts := []string{}
	for _, kv := range r.in.ParameterOverrides {
		v := kv.Value
		if noEcho[kv.Key] {
			v = "*****"
		}
		k, _ := json.Marshal(kv.Key)
		vb, _ := json.Marshal(v)
		parts = append(parts, string(k)+": "+string(vb))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// printChangeSet prints SAM CLI's change set table: adds, then modifies, then removes.
func (r *run) printChangeSet(cs *cfn.ChangeSet) {
	p := r.e.Paint
	tb := ui.NewTable(r.e.Err, p, r.e.Width, "CloudFormation stack changeset", "Operation", "LogicalResourceId", "ResourceType", "Replacement")
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
	fmt.Fprintf(r.e.Err, "\nChangeset created successfully. %s\n", cs.ARN)
}

var redStatuses = map[string]bool{
	"CREATE_FAILED": true, "DELETE_FAILED": true, "DELETE_IN_PROGRESS": true, "ROLLBACK_COMPLETE": true,
	"ROLLBACK_IN_PROGRESS": true, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": true, "UPDATE_ROLLBACK_FAILED": true,
	"UPDATE_ROLLBACK_IN_PROGRESS": true, "ROLLBACK_FAILED": true,
}

// printEvent prints one stack event row, coloured as SAM CLI does.
func (r *run) printEvent(tb *ui.Table, ev cfn.Event) {
	p := r.e.Paint
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
	tb.Row(paint, status, ev.Type, ev.LogicalID, reason)
}

// printOutputs prints the stack outputs to Out, SAM CLI's table.
func (r *run) printOutputs(st *cfn.Stack) {
	if len(st.Outputs) == 0 {
		return
	}
	p := r.e.Paint
	tb := ui.NewTable(r.e.Out, p, r.e.Width, "CloudFormation outputs from deployed stack", "Outputs")
	for i, o := range st.Outputs {
		desc := aws.ToString(o.Description)
		if desc == "" {
			desc = "-"
		}
		tb.Row(p.Green, fmt.Sprintf("%-20s%s", "Key", aws.ToString(o.OutputKey)))
		tb.Row(p.Green, fmt.Sprintf("%-20s%s", "Description", desc))
		tb.Row(p.Green, fmt.Sprintf("%-20s%s", "Value", aws.ToString(o.OutputValue)))
		if i < len(st.Outputs)-1 {
			fmt.Fprintln(r.e.Out)
		}
	}
	tb.Rule()
}
