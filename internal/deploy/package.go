package deploy

import (
	"context"
	"path/filepath"

	"github.com/samship/samship/internal/template"
)

// packageTree returns the root template to deploy, packaged as SAM CLI packages it: pushed
// images' references in ImageUri, local files uploaded to the bucket and named by their S3
// location (s3:// values already there turned into the objects SAM CLI writes where
// CloudFormation takes one), and nested templates packaged the same way, uploaded, and named
// by their URL.
// Stacks are packaged deepest first; every byte not rewritten stays as it was. A nested
// template the deployed stack (named by stack, "" for none) already runs keeps its URL.
func (r *run) packageTree(ctx context.Context, images map[string]string, stack string) ([]byte, error) {
	stacks := r.in.Tree.Stacks
	deployed := map[*template.Stack]deployedTemplate{}
	if r.uploader != nil {
		var err error
		if deployed, err = r.deployedNested(ctx, stack); err != nil {
			return nil, err
		}
	}
	bodies := map[*template.Stack][]byte{}
	keys := map[string]string{} // by absolute path: each artifact is uploaded once
	for i := len(stacks) - 1; i >= 0; i-- {
		st := stacks[i]
		edits, err := st.Template.ResourceIDEdits()
		if err != nil {
			return nil, err
		}
		s3, err := st.Template.S3URLEdits()
		if err != nil {
			return nil, err
		}
		edits = append(edits, s3...)
		for _, f := range st.Functions {
			if ref, ok := images[f.FullPath]; ok {
				e, err := f.ImageEdit(ref)
				if err != nil {
					return nil, err
				}
				edits = append(edits, e)
			}
		}
		for _, a := range st.Template.LocalArtifacts() {
			abs := a.Path
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(st.Template.Dir(), abs)
			}
			key, ok := keys[abs]
			if !ok {
				var err error
				if key, err = r.uploader.Package(ctx, st.Template.Dir(), a.Path); err != nil {
					return nil, err
				}
				keys[abs] = key
			}
			edits = append(edits, a.Edit(r.bucket, key))
		}
		for _, child := range stacks[i+1:] {
			if child.Parent != st {
				continue
			}
			d, ok := deployed[child]
			url, err := r.nestedURL(ctx, bodies[child], d, ok)
			if err != nil {
				return nil, err
			}
			edits = append(edits, child.LocationEdit(url))
		}
		if len(edits) == 0 {
			bodies[st] = st.Template.Raw
			continue
		}
		body, err := st.Template.Apply(edits)
		if err != nil {
			return nil, err
		}
		bodies[st] = body
	}
	if r.in.UseJSON {
		return template.ToJSON(stacks[0].Template.Path, bodies[stacks[0]])
	}
	return bodies[stacks[0]], nil
}
