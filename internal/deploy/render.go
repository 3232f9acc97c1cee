package deploy

import (
	"context"
)

// printSummary shows SAM CLI's "Deploying with following values" block.
func (r *run) printSummary(ctx context.Context) {
	in := r.in
	r.e.UI.Deploying(Summary{Stack: in.StackName, Region: r.e.Region, Confirm: in.ConfirmChangeset,
		DisableRollback: in.DisableRollback, Repos: r.repos(ctx), ImageRepository: in.ImageRepository, Bucket: r.bucket,
		Capabilities: in.Capabilities, Overrides: r.shownOverrides()})
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

// shownOverrides are the parameter overrides as shown: NoEcho values masked.
func (r *run) shownOverrides() []KV {
	noEcho := map[string]bool{}
	for _, p := range r.in.Template.Parameters() {
		noEcho[p.Key] = p.NoEcho
	}
	var out []KV
	for _, kv := range r.in.ParameterOverrides {
		v := kv.Value
		if noEcho[kv.Key] {
			v = "*****"
		}
		out = append(out, KV{Key: kv.Key, Value: v})
	}
	return out
}
