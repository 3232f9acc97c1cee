package ui

import (
	"strings"

	"github.com/samship/samship/internal/sync"
)

// SyncQuestion shows SAM CLI's warning before a sync, in samship's terms, and returns its
// question.
func (r *Reporter) SyncQuestion() string {
	r.errf("\nsamship will use the AWS Lambda API to put your new images into the functions without\n" +
		"performing a CloudFormation deployment. This will cause drift in your CloudFormation stack,\n" +
		"until the next samship deploy.\n" +
		"**The sync command should only be used against a development stack**.\n\n" +
		"Confirm that you are synchronizing a development stack.\n\n")
	return "Enter Y to proceed with the command, or enter N to cancel:"
}

// SyncInfra says whether a sync without --code deploys first: why (sync.InfraChange), or,
// when why is "", that nothing but code changed since the stack was deployed.
func (r *Reporter) SyncInfra(stack, why string) {
	if why == "" {
		r.errf("\n\tNo infrastructure change since stack %s was deployed: syncing the code only\n", stack)
		return
	}
	r.errf("\n\tDeploying first: %s\n", why)
}

// SyncStarted implements sync.Reporter.
func (r *Reporter) SyncStarted(stack string, functions []string) {
	n := len(functions)
	r.errf("\n\tSyncing the code of %d %s of stack %s\n", n, Plural(n, "function", "functions"), stack)
}

// FunctionSynced implements sync.Reporter.
func (r *Reporter) FunctionSynced(f sync.Function) {
	if !f.Changed {
		r.errf("\t%s already runs %s: nothing to do\n", f.LogicalID, short(f.Digest))
		return
	}
	alias := ""
	if f.Alias != "" {
		alias = ", alias " + f.Alias + " → version " + f.Version
	}
	r.errf("\tSynced %s: %s serving after %s%s\n", f.LogicalID, short(f.Digest), secs(f.Took), alias)
}

// SyncDone sums a sync up.
func (r *Reporter) SyncDone(res *sync.Result) {
	changed := 0
	for _, f := range res.Functions {
		if f.Changed {
			changed++
		}
	}
	r.errf("\nSync done: %d %s updated, %d unchanged, %d %s pushed\n", changed, Plural(changed, "function", "functions"),
		len(res.Functions)-changed, res.Pushed, Plural(res.Pushed, "image", "images"))
}

// Watching says a sync --watch waits for saves.
func (r *Reporter) Watching() { r.errf("\nWatching for changes (Ctrl-C to stop)\n") }

// Round says how one round of a sync --watch ended: from the save to the new code serving.
func (r *Reporter) Round(rd sync.Round) {
	fns := strings.Join(rd.Functions, ", ")
	if rd.Err != nil {
		r.errf("Sync of %s failed: %v; watching on\n", fns, rd.Err)
		return
	}
	r.errf("%s serving %s after the save\n", fns, secs(rd.Serving.Sub(rd.Saved)))
}
