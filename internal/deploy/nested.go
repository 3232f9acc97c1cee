package deploy

import (
	"context"

	"github.com/samship/samship/internal/artifacts"
	"github.com/samship/samship/internal/template"
)

// Objects is what a deploy needs from S3 (s3.Client): storing artifacts, and reading the
// nested templates the deployed stack runs.
type Objects interface {
	artifacts.Objects
	Get(ctx context.Context, bucket, key string, limit int64) ([]byte, error)
}

// deployedTemplate is a nested stack's template as its deployed parent names it.
type deployedTemplate struct {
	url  string
	body []byte
}

// deployedNested reads, for each nested stack of the tree, the template URL its parent as
// deployed in stack names and that object's content. A nested stack whose deployed template
// cannot be read (no such stack or object, another form, no access) is left out: it is
// uploaded as packaged. With --force-upload nothing is read.
func (r *run) deployedNested(ctx context.Context, stack string) (map[*template.Stack]deployedTemplate, error) {
	out := map[*template.Stack]deployedTemplate{}
	stacks := r.in.Tree.Stacks
	if stack == "" || len(stacks) < 2 || r.in.ForceUpload {
		return out, nil
	}
	body, err := r.e.CFN.Template(ctx, stack)
	if err != nil {
		return nil, err
	}
	parsed := map[*template.Stack]*template.Template{}
	if parsed[stacks[0]], err = template.Parse(stack, []byte(body)); err != nil {
		return out, nil
	}
	for _, st := range stacks[1:] { // parents come before their children
		parent := parsed[st.Parent]
		if parent == nil {
			continue
		}
		url, ok := parent.NestedLocation(st.LogicalID)
		if !ok {
			continue
		}
		obj, ok := template.ObjectAt(url, r.e.S3Endpoint)
		if !ok {
			continue
		}
		b, err := r.e.S3.Get(ctx, obj.Bucket, obj.Key, template.MaxSize)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			continue // gone, or not ours to read: uploaded again
		}
		if parsed[st], err = template.Parse(url, b); err != nil {
			continue
		}
		out[st] = deployedTemplate{url: url, body: b}
	}
	return out, nil
}

// nestedURL returns the URL a nested stack's packaged template is deployed from: the one the
// stack runs now when its content is the same (whichever tool packaged it, in whichever
// form), so that the parent shows no change; else the packaged template, uploaded.
func (r *run) nestedURL(ctx context.Context, body []byte, deployed deployedTemplate, ok bool) (string, error) {
	if ok && template.SameContent(deployed.body, body) {
		return deployed.url, nil
	}
	return r.uploader.UploadTemplate(ctx, body)
}
